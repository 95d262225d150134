// 21-cross-entropy (solution) — cross-entropy, with an ignore index
//
// Task: write `crossEntropyLoss(logits:targets:ignoreIndex:)`: the mean, over the positions
// whose target is not `ignoreIndex`, of −log softmax(logits)[target]. Use log-sum-exp: logits of
// ±1e4 must not overflow.
//
//   logits [B, T, V], targets [B, T] (each in 0..<V, or ignoreIndex) → a number (nats)
//
// Walkthrough: chapter 5, "A loss to differentiate".
// Notebook: Notebooks/08-transformer-block.swift, lesson 8 (`swift run -c release lesson 08`).
// The library's own: Sources/NN/CrossEntropy.swift (`crossEntropy`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 21-cross-entropy`.

import CourseKit
import Foundation
import NDArray
import NN

/// The mean cross-entropy of the targets that count.
/// - Parameters:
///   - logits: [B, T, V]
///   - targets: [B, T]
///   - ignoreIndex: a target that does not count (PyTorch's −100)
/// - Returns: the loss in nats
func crossEntropyLoss(logits: NDArray<Float>, targets: NDArray<Int>, ignoreIndex: Int) -> Double {
    let v = logits.shape.last!, values = logits.scalars.map(Double.init)
    var total = 0.0, counted = 0
    for (row, target) in targets.scalars.enumerated() where target != ignoreIndex {
        let z = values[(row * v)..<((row + 1) * v)]
        let m = z.max()!
        let logSumExp = m + Foundation.log(z.map { Foundation.exp($0 - m) }.reduce(0, +))
        total += logSumExp - z[row * v + target]                     // −log softmax(z)[target]
        counted += 1
    }
    return total / Double(counted)
}
