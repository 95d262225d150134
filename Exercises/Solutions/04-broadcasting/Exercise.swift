// 04-broadcasting (solution) — NumPy's broadcasting rule: the result's shape, or why there is none
//
// Task: write `broadcastShape(_:_:)`: the shape two arrays combine to element by element, or
// nil when they cannot. Align the shapes on the right; a missing axis counts as 1; each pair of
// sizes must be equal or one of them 1, and the result takes the other.
//
//   [B, T, C] and [C]          → [B, T, C]          (a bias)
//   [B, NH, T, T] and [T, T]   → [B, NH, T, T]      (a causal mask)
//   [2, 3] and [4]             → nil
//
// Walkthrough: chapter 2, "Broadcasting two shapes, step by step".
// Notebook: Notebooks/02-broadcasting.swift, lesson 2 (`swift run -c release lesson 02`).
// The library's own: Sources/NDArray/Core/ShapesAndStrides.swift (`broadcastShapes`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 04-broadcasting`.

import CourseKit
import NDArray

/// The shape `a` and `b` broadcast to, or nil.
/// - Parameters:
///   - a: a shape, e.g. [B, T, C]
///   - b: another, e.g. [C]
/// - Returns: the broadcast shape, e.g. [B, T, C], or nil when a pair of sizes differs and neither is 1
func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let n = max(a.count, b.count)
    let a = Array(repeating: 1, count: n - a.count) + a, b = Array(repeating: 1, count: n - b.count) + b
    var result: [Int] = []
    for (x, y) in zip(a, b) {
        if x == y || y == 1 { result.append(x) } else if x == 1 { result.append(y) } else { return nil }
    }
    return result
}
