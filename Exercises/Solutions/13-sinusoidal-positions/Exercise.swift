// 13-sinusoidal-positions (solution) — the sinusoidal position table
//
// Task: write `sinusoidalTable(maxSeqLen:embeddingDim:)`: the fixed position table of
// "Attention Is All You Need". Column pair (2i, 2i + 1) is a clock turning at its own speed:
//
//   PE[pos, 2i] = sin(pos / 10000^(2i/C))      PE[pos, 2i + 1] = cos(pos / 10000^(2i/C))
//   → [T, C]        (added to the token embeddings [B, T, C])
//
// Walkthrough: chapter 4 (positions; the tour's GPT learns them: wpe).
// Notebook: Notebooks/06-embeddings-and-positions.swift, lesson 6 (`swift run -c release lesson 06`).
// The library's own: Sources/NN/PositionalEncoding.swift.
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 13-sinusoidal-positions`.

import CourseKit
import Foundation
import NDArray
import NN

/// The sinusoidal position table.
/// - Parameters:
///   - maxSeqLen: T, the number of positions
///   - embeddingDim: C (even or odd)
/// - Returns: [T, C]
func sinusoidalTable(maxSeqLen: Int, embeddingDim: Int) -> NDArray<Float> {
    var values = [Float](repeating: 0, count: maxSeqLen * embeddingDim)
    for pos in 0..<maxSeqLen {
        for column in 0..<embeddingDim {
            let pair = Double(column - column % 2)                    // 2i: both columns of a pair share a speed
            let angle = Double(pos) / Foundation.pow(10000, pair / Double(embeddingDim))
            values[pos * embeddingDim + column] = Float(column % 2 == 0 ? Foundation.sin(angle) : Foundation.cos(angle))
        }
    }
    return NDArray(shape: [maxSeqLen, embeddingDim], scalars: values)
}
