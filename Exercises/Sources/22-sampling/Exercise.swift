// 22-sampling — the next token: greedy, temperature, top-k, top-p
//
// Task: write `greedyToken(_:)` and `samplingDistribution(_:temperature:topK:topP:)`, the two ways
// generate picks a token from one position's logits [V]:
//   - greedy: the largest logit (on a tie, the first);
//   - sampling: divide by the temperature T, keep the k largest logits (ties with the k-th are
//     kept), then keep the most likely tokens until their probabilities reach p (at least one),
//     and softmax what is left: the distribution the draw is made from.
//
// Walkthrough: chapter 4, "The next token: candidates, temperature, top-k, top-p, the draw".
// Notebook: Notebooks/09-sampling.swift, lesson 9 (`swift run -c release lesson 09`).
// The library's own: Sources/GPT/Generation/Sampling.swift (`applyTemperature`, `applyTopK`, `applyTopP`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 22-sampling`.

import CourseKit
import Foundation

/// The largest logit's index (the first of equals).
func greedyToken(_ logits: [Double]) -> Int {
    notDoneYet()
}

/// The probabilities a sampled token is drawn from.
/// - Parameters:
///   - logits: [V]
///   - temperature: T > 0
///   - topK: keep the k largest logits (ties with the k-th too), or nil
///   - topP: keep the most likely tokens until their probabilities reach p, or nil
/// - Returns: [V], summing to 1, 0 for every token cut
func samplingDistribution(_ logits: [Double], temperature: Double, topK: Int?, topP: Double?) -> [Double] {
    notDoneYet()
}
