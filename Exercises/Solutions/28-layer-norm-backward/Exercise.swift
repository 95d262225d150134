// 28-layer-norm-backward (solution) — the backward of layer norm
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
    let mean = input.mean(axis: -1, keepDims: true)                              // [B, T, 1]
    let centred = input - mean
    let rstd = 1 / ((centred * centred).mean(axis: -1, keepDims: true) + eps).map { $0.squareRoot() }
    let norm = centred * rstd                                                    // n
    let dNorm = dOut * weight                                                    // dN = dY·γ
    let dInput = rstd * (dNorm - dNorm.mean(axis: -1, keepDims: true)
                         - norm * (dNorm * norm).mean(axis: -1, keepDims: true))
    let rows = Array(0..<(input.ndim - 1))                                       // every axis but C
    return (dInput, (dOut * norm).sum(axes: rows), dOut.sum(axes: rows))
}
