// 14-rotary-positions (solution) — rotary positions: rotate q and k by their position
//
// Task: write `rotate(_:offset:base:)`: RoPE in the "rotate half" layout. Channel i and channel
// i + HS/2 form a pair, turned by the angle pos·θ_i, θ_i = base^(−2i/HS); position pos is the
// token's index plus `offset` (the tokens already cached).
//
//   (x1, x2) = (x[..., ..<HS/2], x[..., HS/2...])
//   rope(x, pos) = [x1·cos(pos·θ) − x2·sin(pos·θ),  x2·cos(pos·θ) + x1·sin(pos·θ)]
//   q or k [B, NH, T, HS] → [B, NH, T, HS]
//
// Walkthrough: chapter 4 (positions; the tour's GPT learns a table instead).
// Notebook: Notebooks/06-embeddings-and-positions.swift, lesson 6 (`swift run -c release lesson 06`).
// The library's own: Sources/NN/RotaryEmbedding.swift.
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 14-rotary-positions`.

import CourseKit
import Foundation
import NDArray
import NN

/// Rotary position embedding of queries or keys.
/// - Parameters:
///   - x: [B, NH, T, HS], HS even
///   - offset: the position of x's first token
///   - base: the frequencies' base (10000)
/// - Returns: [B, NH, T, HS]
func rotate(_ x: NDArray<Float>, offset: Int, base: Double) -> NDArray<Float> {
    let (t, hs) = (x.shape[2], x.shape[3]), half = hs / 2
    var values = x.scalars
    for start in stride(from: 0, to: values.count, by: hs) {
        let pos = Double(offset + (start / hs) % t)                           // the row's token
        for i in 0..<half {
            let angle = pos * Foundation.pow(base, -2 * Double(i) / Double(hs))   // computed in Double
            let (c, s) = (Float(Foundation.cos(angle)), Float(Foundation.sin(angle)))
            let (x1, x2) = (values[start + i], values[start + half + i])
            values[start + i] = x1 * c - x2 * s
            values[start + half + i] = x2 * c + x1 * s
        }
    }
    return NDArray(shape: x.shape, scalars: values)
}
