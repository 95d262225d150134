// 07-softmax (solution) — softmax and log-sum-exp that never overflow
//
// Task: write `softmaxRows(_:)` and `logSumExpRows(_:)` along the last axis. softmax(x)_j =
// e^{x_j} / Σ_i e^{x_i}, but e^{1000} is inf in Float: subtract each row's maximum first (it
// cancels), and log Σ e^{x_i} = m + log Σ e^{x_i − m}. A row whose every entry is −∞ (a query
// that may see no key) gives weights 0, not NaN, and a log-sum-exp of −∞.
//
//   scores [B, NH, T, T] → weights [B, NH, T, T], each row summing to 1
//
// Walkthrough: chapter 4, "Block 0: queries, keys and values" (the softmax of the scores).
// Notebook: Notebooks/04-softmax-and-norms.swift, lesson 4 (`swift run -c release lesson 04`).
// The library's own: Sources/NDArray/Operations/NDArray+Softmax.swift (`softmax`, `logSumExp`, with `…Reference` twins).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 07-softmax`.

import CourseKit
import Foundation
import NDArray

/// softmax along the last axis.
/// - Parameter x: [..., N]
/// - Returns: [..., N], each row ≥ 0 and summing to 1 (all 0 for a row of −∞)
func softmaxRows(_ x: NDArray<Float>) -> NDArray<Float> {
    let n = x.shape.last!, values = x.scalars
    var out = [Float](repeating: 0, count: values.count)
    for start in stride(from: 0, to: values.count, by: n) {
        let row = values[start..<(start + n)]
        let m = row.max()!
        guard m > -.infinity else { continue }                       // nothing to see: weights 0, not NaN
        let e = row.map { Foundation.exp($0 - m) }                   // ≤ 1: no overflow
        let sum = e.reduce(0, +)
        for (j, v) in e.enumerated() { out[start + j] = v / sum }
    }
    return NDArray(shape: x.shape, scalars: out)
}

/// log Σ e^x along the last axis.
/// - Parameter x: [..., N]
/// - Returns: [...]
func logSumExpRows(_ x: NDArray<Float>) -> NDArray<Float> {
    let n = x.shape.last!, values = x.scalars
    var out: [Float] = []
    for start in stride(from: 0, to: values.count, by: n) {
        let row = values[start..<(start + n)]
        let m = row.max()!
        out.append(m == -.infinity ? -.infinity : m + Foundation.log(row.map { Foundation.exp($0 - m) }.reduce(0, +)))
    }
    return NDArray(shape: Array(x.shape.dropLast()), scalars: out)
}
