// 19-transformer-block (solution) — a pre-norm transformer block
//
// Task: write `preNormBlock(_:_:mask:)`: GPT-2's block, built from a `TransformerBlock`'s own
// layers. Each sublayer reads a normalised copy of the residual stream and adds its output back:
//
//   y   = x + attn(ln1(x))         [B, T, C]
//   out = y + ffn(ln2(y))          [B, T, C]
//
// Walkthrough: chapter 4, "Block 0: the feed-forward network" (the residual adds).
// Notebook: Notebooks/08-transformer-block.swift, lesson 8 (`swift run -c release lesson 08`).
// The library's own: Sources/NN/TransformerBlock.swift (`NormPlacement.residual`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 19-transformer-block`.

import CourseKit
import NDArray
import NN

/// The block's forward, pre-norm, from its layers.
/// - Parameters:
///   - x: [B, T, C]
///   - block: its ln1, attn, ln2 and ffn are the layers to use
///   - mask: additive [T, T]
/// - Returns: [B, T, C]
func preNormBlock(_ x: NDArray<Float>, _ block: TransformerBlock<Float>, mask: NDArray<Float>?) -> NDArray<Float> {
    let h = block.ln1(x)
    let y = x + block.attn(query: h, key: h, value: h, mask: mask)          // the residual stream carries x on
    return y + block.ffn(block.ln2(y))
}
