// 08-layer-norm (solution) — layer normalisation, and RMSNorm beside it
//
// Task: write `layerNormRows(_:weight:bias:eps:)` and `rmsNormRows(_:weight:eps:)` over the last
// axis (C): layer norm centres each vector and divides by its standard deviation, then scales by
// γ and shifts by β; RMSNorm only divides by the root mean square and scales.
//
//   layerNorm:  y = (x − mean) / √(var + eps) · γ + β      var = mean((x − mean)²), not n − 1
//   RMSNorm:    y = x / √(mean(x²) + eps) · γ
//   x [B, T, C], γ and β [C] → y [B, T, C]
//
// Walkthrough: chapter 4, "Block 0: queries, keys and values" (ln1) and chapter 2 (the keepDims mean).
// Notebook: Notebooks/04-softmax-and-norms.swift, lesson 4 (`swift run -c release lesson 04`).
// The library's own: Sources/NN/LayerNorm.swift and Sources/NN/RMSNorm.swift (NDArray's `layerNorm` row kernel).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 08-layer-norm`.

import CourseKit
import Foundation
import NDArray
import NN

/// Layer normalisation over the last axis.
/// - Parameters:
///   - x: [B, T, C]
///   - weight: γ, [C]
///   - bias: β, [C]
/// - Returns: [B, T, C]
func layerNormRows(_ x: NDArray<Float>, weight: NDArray<Float>, bias: NDArray<Float>, eps: Float) -> NDArray<Float> {
    let c = x.shape.last!, values = x.scalars, gamma = weight.scalars, beta = bias.scalars
    var out = [Float](repeating: 0, count: values.count)
    for start in stride(from: 0, to: values.count, by: c) {
        let row = values[start..<(start + c)]
        let mean = row.reduce(0, +) / Float(c)
        let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(c)    // two passes: no cancellation
        let rstd = 1 / (variance + eps).squareRoot()
        for j in 0..<c { out[start + j] = (values[start + j] - mean) * rstd * gamma[j] + beta[j] }
    }
    return NDArray(shape: x.shape, scalars: out)
}

/// RMSNorm over the last axis.
/// - Parameters:
///   - x: [B, T, C]
///   - weight: γ, [C]
/// - Returns: [B, T, C]
func rmsNormRows(_ x: NDArray<Float>, weight: NDArray<Float>, eps: Float) -> NDArray<Float> {
    let c = x.shape.last!, values = x.scalars, gamma = weight.scalars
    var out = [Float](repeating: 0, count: values.count)
    for start in stride(from: 0, to: values.count, by: c) {
        let meanSquare = values[start..<(start + c)].map { $0 * $0 }.reduce(0, +) / Float(c)
        let root = (meanSquare + eps).squareRoot()
        for j in 0..<c { out[start + j] = values[start + j] / root * gamma[j] }
    }
    return NDArray(shape: x.shape, scalars: out)
}
