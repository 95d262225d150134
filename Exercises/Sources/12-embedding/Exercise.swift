// 12-embedding — an embedding: one row of the table per token
//
// Task: write `embeddingLookup(_:table:)`: each token id picks its row of the [V, C] table.
// This is all a token embedding does (GPT-2's `wte`); it is a gather, not a product.
//
//   ids [B, T] (each in 0..<V), table [V, C] → [B, T, C]
//
// Walkthrough: chapter 4, "Text → tokens → embeddings".
// Notebook: Notebooks/06-embeddings-and-positions.swift, lesson 6 (`swift run -c release lesson 06`).
// The library's own: Sources/NN/Embedding.swift (NDArray's `take`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 12-embedding`.

import CourseKit
import NDArray
import NN

/// The rows of `table` that `ids` name.
/// - Parameters:
///   - ids: [B, T], each in 0..<V
///   - table: [V, C]
/// - Returns: [B, T, C]
func embeddingLookup(_ ids: NDArray<Int>, table: NDArray<Float>) -> NDArray<Float> {
    notDoneYet()
}
