// 16-heads (solution) — splitting into heads, and merging them back
//
// Task: write `splitHeads(_:numHeads:)` and `mergeHeads(_:)`. Multi-head attention cuts each
// token's C channels into NH heads of HS = C / NH and moves the head axis forward, so that every
// head attends on its own; afterwards the heads are put side by side again.
//
//   split:  [B, T, C] → [B, T, NH, HS] → [B, NH, T, HS]     (a view: no copy)
//   merge:  [B, NH, T, HS] → [B, T, NH, HS] → [B, T, C]
//
// Walkthrough: chapter 4, "Block 0: queries, keys and values" (heads) and "what each head looks at" (merge).
// Notebook: Notebooks/07-attention.swift, lesson 7 (`swift run -c release lesson 07`).
// The library's own: Sources/NN/MultiHeadAttention.swift (`splitHeads`, `mergeHeads`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 16-heads`.

import CourseKit
import NDArray
import NN

/// [B, T, C] → [B, NH, T, HS].
func splitHeads(_ x: NDArray<Float>, numHeads: Int) -> NDArray<Float> {
    let (b, t, c) = (x.shape[0], x.shape[1], x.shape[2])
    return x.reshaped(b, t, numHeads, c / numHeads).permuted(0, 2, 1, 3)     // [B, T, NH, HS] → [B, NH, T, HS]
}

/// [B, NH, T, HS] → [B, T, C].
func mergeHeads(_ x: NDArray<Float>) -> NDArray<Float> {
    let (b, nh, t, hs) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    return x.permuted(0, 2, 1, 3).reshaped(b, t, nh * hs)                    // [B, T, NH, HS] → [B, T, C] (a copy)
}
