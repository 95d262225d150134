// 09-gelu-tanh — GELU in GPT-2's tanh form
//
// Task: write `geluTanh(_:)`, the activation of GPT-2's feed-forward network, element by
// element: gelu(x) ≈ ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). Large negative x must give 0 (or
// −0), and large positive x must give x: never NaN.
//
//   up(x) [B, T, 4C] → [B, T, 4C]
//
// Walkthrough: chapter 4, "Block 0: the feed-forward network".
// Notebook: Notebooks/08-transformer-block.swift, lesson 8 (`swift run -c release lesson 08`).
// The library's own: Sources/NDArray/Operations/NDArray+Activations.swift (`gelu(x, approximate: true)`) and Sources/NN/GELU.swift.
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 09-gelu-tanh`.

import CourseKit
import Foundation
import NDArray

/// GELU in its tanh form, element by element.
/// - Parameter x: any shape, e.g. [B, T, 4C]
/// - Returns: x's shape
func geluTanh(_ x: NDArray<Float>) -> NDArray<Float> {
    notDoneYet()
}
