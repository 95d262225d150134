// 23-kv-cache — the KV cache: append the new tokens' keys and values
//
// Task: write `appendToCache(_:_:)`: while generating, each step computes keys and values for
// the new token only, and attention reads them together with every earlier token's. The cache
// grows along the T axis.
//
//   cached [B, NH, past, HS] (or nothing yet) + new [B, NH, T_new, HS] → [B, NH, past + T_new, HS]
//
// Walkthrough: chapter 4, "Generation with the KV cache, token by token".
// Notebook: Notebooks/10-kv-cache.swift, lesson 10 (`swift run -c release lesson 10`).
// The library's own: Sources/NN/KeyValueCache.swift (`append`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 23-kv-cache`.

import CourseKit
import NDArray
import NN

/// The cache with the new tokens appended along T.
/// - Parameters:
///   - cached: [B, NH, past, HS], or nil before the first step
///   - new: [B, NH, T_new, HS]
/// - Returns: [B, NH, past + T_new, HS]
func appendToCache(_ cached: NDArray<Float>?, _ new: NDArray<Float>) -> NDArray<Float> {
    notDoneYet()
}
