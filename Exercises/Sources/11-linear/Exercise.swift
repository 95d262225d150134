// 11-linear — a Linear layer, with PyTorch's [out, in] weights
//
// Task: write `linearForward(_:weight:bias:)`: y = x·Wᵀ + b over the last axis. The weight is
// stored [out, in], as PyTorch's `nn.Linear` (and this library's `Linear`) store it, so the
// product is with its transpose; the bias [out] broadcasts over every token.
//
//   x [B, T, C] · Wᵀ [C, out] + b [out] → y [B, T, out]      (attention's qkv: out = 3C)
//
// Walkthrough: chapter 4, "Block 0: queries, keys and values" (attn.qkv).
// Notebook: Notebooks/08-transformer-block.swift, lesson 8 (`swift run -c release lesson 08`).
// The library's own: Sources/NN/Linear.swift.
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 11-linear`.

import CourseKit
import NDArray
import NN

/// A linear map of the last axis.
/// - Parameters:
///   - x: [B, T, in]
///   - weight: [out, in]
///   - bias: [out], or nil
/// - Returns: [B, T, out]
func linearForward(_ x: NDArray<Float>, weight: NDArray<Float>, bias: NDArray<Float>?) -> NDArray<Float> {
    notDoneYet()
}
