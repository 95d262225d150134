// 28-layer-norm-backward — the backward of layer norm
//
// Task: write `layerNormGradients(dOut:input:weight:eps:)`. With n = (x − mean)·rstd and y = n·γ + β
// (exercise 08), per row of C:
//
//   dN = dY·γ
//   dX = rstd·(dN − mean(dN) − n·mean(dN·n))       every x of a row moves its mean and variance
//   dγ = Σ_rows dY·n        dβ = Σ_rows dY
//   x, dY [B, T, C], γ [C] → dX [B, T, C], dγ [C], dβ [C]
//
// Walkthrough: chapter 5, "Layer by layer: the gradient check table".
// Notebook: Notebooks/11-backprop.swift, lesson 11 (`swift run -c release lesson 11`).
// The library's own: Sources/Backprop/LayerNormBackward.swift (`layerNormBackward`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 28-layer-norm-backward`.

import CourseKit
import NDArray

/// The gradients of layer norm over the last axis.
/// - Parameters:
///   - dOut: dY, [B, T, C]
///   - input: x, [B, T, C]
///   - weight: γ, [C]
/// - Returns: dX [B, T, C], dγ [C], dβ [C]
func layerNormGradients(dOut: NDArray<Double>, input: NDArray<Double>, weight: NDArray<Double>, eps: Double)
    -> (dInput: NDArray<Double>, dWeight: NDArray<Double>, dBias: NDArray<Double>) {
    notDoneYet()
}
