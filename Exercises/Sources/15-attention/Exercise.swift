// 15-attention — scaled dot-product attention
//
// Task: write `attention(query:key:value:mask:)`: each query takes a weighted average of the
// values, weighted by how well it matches each key.
//
//   scores  = q·kᵀ / √HS + mask     [B, NH, Tq, HS]·[B, NH, HS, Tk] → [B, NH, Tq, Tk]
//   weights = softmax(scores) over the keys (a row masked everywhere: all 0)
//   output  = weights·v             [B, NH, Tq, Tk]·[B, NH, Tk, HS] → [B, NH, Tq, HS]
//
// Walkthrough: chapter 4, "Block 0: queries, keys and values" and "what each head looks at".
// Notebook: Notebooks/07-attention.swift, lesson 7 (`swift run -c release lesson 07`).
// The library's own: Sources/NN/ScaledDotProductAttention.swift (`scores`, `weights`, `forward`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 15-attention`.

import CourseKit
import NDArray
import NN

/// softmax(q·kᵀ/√HS + mask)·v.
/// - Parameters:
///   - query: [B, NH, Tq, HS]
///   - key: [B, NH, Tk, HS]
///   - value: [B, NH, Tk, HS]
///   - mask: additive, broadcasting to [B, NH, Tq, Tk] (e.g. [Tq, Tk]), or nil
/// - Returns: the output [B, NH, Tq, HS] and the weights [B, NH, Tq, Tk]
func attention(query: NDArray<Float>, key: NDArray<Float>, value: NDArray<Float>,
               mask: NDArray<Float>?) -> (output: NDArray<Float>, weights: NDArray<Float>) {
    notDoneYet()
}
