// 18-feed-forward (solution) — the feed-forward network of a GPT-2 block
//
// Task: write `feedForward(_:upWeight:upBias:downWeight:downBias:)`: each token's vector is
// widened, passed through GELU (GPT-2's tanh form) and narrowed again. No token looks at another.
//
//   h = gelu_tanh(x·W_upᵀ + b_up)      [B, T, C] → [B, T, F]      (F = 4C in GPT-2)
//   y = h·W_downᵀ + b_down             [B, T, F] → [B, T, C]
//
// Walkthrough: chapter 4, "Block 0: the feed-forward network".
// Notebook: Notebooks/08-transformer-block.swift, lesson 8 (`swift run -c release lesson 08`).
// The library's own: Sources/NN/FeedForward.swift (`hidden(up:gate:)`, `forward`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 18-feed-forward`.

import CourseKit
import NDArray
import NN

/// The position-wise feed-forward network.
/// - Parameters:
///   - x: [B, T, C]
///   - upWeight: [F, C], upBias: [F]
///   - downWeight: [C, F], downBias: [C]
/// - Returns: [B, T, C]
func feedForward(_ x: NDArray<Float>, upWeight: NDArray<Float>, upBias: NDArray<Float>,
                 downWeight: NDArray<Float>, downBias: NDArray<Float>) -> NDArray<Float> {
    let hidden = gelu(matmul(x, upWeight.T) + upBias, approximate: true)   // [B, T, F]
    return matmul(hidden, downWeight.T) + downBias                          // [B, T, C]
}
