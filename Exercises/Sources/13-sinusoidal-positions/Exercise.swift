// 13-sinusoidal-positions — the sinusoidal position table
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
    notDoneYet()
}
