// 22-sampling (solution) — the next token: greedy, temperature, top-k, top-p
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
    var best = 0
    for i in logits.indices where logits[i] > logits[best] { best = i }      // strictly greater: the first tie wins
    return best
}

/// The probabilities a sampled token is drawn from.
/// - Parameters:
///   - logits: [V]
///   - temperature: T > 0
///   - topK: keep the k largest logits (ties with the k-th too), or nil
///   - topP: keep the most likely tokens until their probabilities reach p, or nil
/// - Returns: [V], summing to 1, 0 for every token cut
func samplingDistribution(_ logits: [Double], temperature: Double, topK: Int?, topP: Double?) -> [Double] {
    func softmax(_ z: [Double]) -> [Double] {
        let m = z.max()!
        let e = z.map { $0 == -.infinity ? 0 : Foundation.exp($0 - m) }
        let sum = e.reduce(0, +)
        return e.map { $0 / sum }
    }
    var z = logits.map { $0 / temperature }
    if let k = topK, k < z.count {
        let kth = z.sorted(by: >)[k - 1]
        z = z.map { $0 < kth ? -.infinity : $0 }                                 // ties with the k-th stay
    }
    if let p = topP, p < 1 {
        let probabilities = softmax(z)
        let order = z.indices.filter { probabilities[$0] > 0 }
            .sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
        var (cumulative, keep) = (0.0, 0)
        for i in order {
            if keep > 0 && cumulative >= p { break }                               // the set so far already reached p
            cumulative += probabilities[i]
            keep += 1
        }
        for i in order[keep...] { z[i] = -.infinity }
    }
    return softmax(z)
}
