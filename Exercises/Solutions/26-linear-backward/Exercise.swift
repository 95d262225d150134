// 26-linear-backward (solution) — the backward of a Linear layer
//
// Task: write `linearGradients(dOut:input:weight:)`: given dY for y = x·Wᵀ + b, the gradients of
// x, W and b. Every token used the same W and b, so their gradients add up over B and T.
//
//   dX = dY·W                 [B, T, out]·[out, in] → [B, T, in]
//   dW = Σ_{b,t} dYᵀ·x        → [out, in]
//   db = Σ_{b,t} dY           → [out]
//
// Walkthrough: chapter 5, "Every parameter has a gradient of its own shape".
// Notebook: Notebooks/11-backprop.swift, lesson 11 (`swift run -c release lesson 11`).
// The library's own: Sources/Backprop/LinearBackward.swift (`linearBackward`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 26-linear-backward`.

import CourseKit
import NDArray

/// The gradients of a Linear layer.
/// - Parameters:
///   - dOut: dY, [B, T, out]
///   - input: x, [B, T, in]
///   - weight: W, [out, in]
/// - Returns: dX [B, T, in], dW [out, in], db [out]
func linearGradients(dOut: NDArray<Double>, input: NDArray<Double>, weight: NDArray<Double>)
    -> (dInput: NDArray<Double>, dWeight: NDArray<Double>, dBias: NDArray<Double>) {
    let (out, inFeatures) = (weight.shape[0], weight.shape[1])
    let dY = dOut.reshaped(-1, out), x = input.reshaped(-1, inFeatures)   // [N, out], [N, in] with N = B·T
    let dInput = matmul(dOut, weight)                                     // [B, T, out]·[out, in]
    return (dInput, matmul(dY.T, x), dY.sum(axis: 0))                     // Σ over every token
}
