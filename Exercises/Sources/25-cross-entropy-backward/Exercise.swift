// 25-cross-entropy-backward — the gradient of cross-entropy: softmax minus the target
//
// Task: write `crossEntropyGradient(logits:targets:ignoreIndex:)`: d loss / d logits for the mean
// cross-entropy of exercise 21. For a counted position it is (softmax(z) − onehot(target)) / N,
// N the number of counted positions; an ignored position gets 0.
//
//   logits [B, T, V], targets [B, T] → dLogits [B, T, V]
//
// Walkthrough: chapter 5, "A loss to differentiate".
// Notebook: Notebooks/11-backprop.swift, lesson 11 (`swift run -c release lesson 11`).
// The library's own: Sources/Backprop/CrossEntropyBackward.swift (`crossEntropyBackward`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 25-cross-entropy-backward`.

import CourseKit
import Foundation
import NDArray

/// d(mean cross-entropy) / d logits.
/// - Parameters:
///   - logits: [B, T, V]
///   - targets: [B, T]
///   - ignoreIndex: a target that does not count
/// - Returns: [B, T, V]
func crossEntropyGradient(logits: NDArray<Double>, targets: NDArray<Int>, ignoreIndex: Int) -> NDArray<Double> {
    notDoneYet()
}
