// 10-causal-mask — the causal mask: no token sees its future
//
// Task: write `causalMask(_:)`: the additive [T, T] mask attention adds to its scores, 0 where
// query i may look at key j (j ≤ i) and −∞ where it may not (j > i). After the softmax,
// e^{−∞} = 0: the future gets no weight at all, whatever its score.
//
//   T = 3:  [[0, −∞, −∞],
//            [0,  0, −∞],
//            [0,  0,  0]]        it broadcasts over scores [B, NH, T, T]
//
// Walkthrough: chapter 2, "The causal mask: [T, T] over [B, NH, T, T]".
// Notebook: Notebooks/07-attention.swift, lesson 7 (`swift run -c release lesson 07`).
// The library's own: Sources/NN/Masks.swift (`createCausalMask`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 10-causal-mask`.

import CourseKit
import NDArray
import NN

/// The causal mask for T tokens.
/// - Parameter t: T, the number of tokens
/// - Returns: [T, T]: 0 on and below the diagonal, −∞ above it
func causalMask(_ t: Int) -> NDArray<Float> {
    notDoneYet()
}
