// 17-multi-head-attention (solution) — multi-head self-attention
//
// Task: write `multiHeadSelfAttention(_:qkvWeight:qkvBias:projWeight:projBias:numHeads:mask:)`
// from the pieces of exercises 11, 15 and 16: one product makes q, k and v for every token, each is
// cut into heads, every head attends on its own, and the heads are merged and projected.
//
//   qkv = x·W_qkvᵀ + b         [B, T, C] → [B, T, 3C]  (q: channels 0..<C, k: C..<2C, v: 2C..<3C)
//   heads: [B, NH, T, HS] each;  attention per head;  merge → [B, T, C];  y = merged·W_projᵀ + b
//
// Walkthrough: chapter 4, "Block 0: queries, keys and values" to "what each head looks at".
// Notebook: Notebooks/07-attention.swift, lesson 7 (`swift run -c release lesson 07`).
// The library's own: Sources/NN/MultiHeadAttention.swift (`heads`, `forward`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 17-multi-head-attention`.

import CourseKit
import NDArray
import NN

/// Multi-head self-attention.
/// - Parameters:
///   - x: [B, T, C]
///   - qkvWeight: [3C, C], qkvBias: [3C]
///   - projWeight: [C, C], projBias: [C]
///   - mask: additive [T, T] (causal), or nil
/// - Returns: [B, T, C]
func multiHeadSelfAttention(_ x: NDArray<Float>, qkvWeight: NDArray<Float>, qkvBias: NDArray<Float>,
                            projWeight: NDArray<Float>, projBias: NDArray<Float>, numHeads: Int,
                            mask: NDArray<Float>?) -> NDArray<Float> {
    let (b, t, c) = (x.shape[0], x.shape[1], x.shape[2]), hs = c / numHeads
    let qkv = matmul(x, qkvWeight.T) + qkvBias                                  // [B, T, 3C]
    func heads(_ part: Int) -> NDArray<Float> {                                // [B, T, C] → [B, NH, T, HS]
        qkv[.ellipsis, (part * c)..<((part + 1) * c)].reshaped(b, t, numHeads, hs).permuted(0, 2, 1, 3)
    }
    let (q, k, v) = (heads(0), heads(1), heads(2))
    var scores = matmul(q, k.swappedAxes(-1, -2)) / Float(hs).squareRoot()     // [B, NH, T, T]
    if let mask { scores = scores + mask }
    let merged = matmul(scores.softmax(axis: -1), v).permuted(0, 2, 1, 3).reshaped(b, t, c)   // [B, T, C]
    return matmul(merged, projWeight.T) + projBias
}
