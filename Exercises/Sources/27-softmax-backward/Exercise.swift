// 27-softmax-backward — the backward of softmax
//
// Task: write `softmaxGradient(dOut:output:)`: given y = softmax(x) along the last axis and dY,
// the gradient dX. Each output depends on every input of its row:
//
//   dX_j = y_j·(dY_j − Σ_i dY_i·y_i)        per row; dY, y, dX: [..., N]
//   (attention's weights: [B, NH, Tq, Tk])
//
// Walkthrough: chapter 5 (attention's backward).
// Notebook: Notebooks/11-backprop.swift, lesson 11 (`swift run -c release lesson 11`).
// The library's own: Sources/Backprop/SoftmaxBackward.swift (`softmaxBackward`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 27-softmax-backward`.

import CourseKit
import NDArray

/// The gradient through softmax along the last axis.
/// - Parameters:
///   - dOut: dY, [..., N]
///   - output: y = softmax(x), [..., N]
/// - Returns: dX, [..., N]
func softmaxGradient(dOut: NDArray<Double>, output: NDArray<Double>) -> NDArray<Double> {
    notDoneYet()
}
