// ALiBi.swift — attention with linear biases: instead of position vectors, each
// head penalises a key by its distance from the query.
//
//   bias[h, i, j] = −m_h · |pos(i) − j|       m_h = 2^(−8(h+1)/NH)  (NH a power of two)
//   (queries Tq, keys Tk)  →  [NH, Tq, Tk]    added to the scores, like a mask
//
// Head h looks back over about 1/m_h tokens: the slopes form a geometric
// sequence from 2^(−8/NH) down to 2^−8. For NH not a power of two, the slopes
// of the power of two below it are followed by every other slope of the next
// power of two (Press et al.). Query i sits at position Tk − Tq + i (the last Tq
// of the keys, as with a KV cache). In a causal model only j ≤ pos(i) survive
// the mask, where the bias is −m_h·(pos(i) − j): the paper's. Combine with a
// mask by adding: `mask + alibi.bias(...)` broadcasts to [B, NH, Tq, Tk].
//
// Depends on: NDArray, Layer.swift.
// Not here: learned slopes.

import Foundation
import NDArray

/// ALiBi's per-head distance penalties. (Press, Smith & Lewis, 2022; BLOOM, MPT.)
public final class ALiBi<Scalar: NDFloatingPoint>: Layer {
    /// m_h for each head: [NH].
    public let slopes: [Double]
    /// No parameters, no dropout; the flag is kept for the protocol.
    public var isTraining = true

    /// The slopes for `numHeads` heads: [NH].
    public init(numHeads: Int) {
        if numHeads <= 0 { layerFailure("ALiBi", "numHeads (\(numHeads)) must be positive") }
        func powerOfTwoSlopes(_ n: Int) -> [Double] {
            (1...n).map { Foundation.pow(2, -8 * Double($0) / Double(n)) }
        }
        var lower = 1
        while lower * 2 <= numHeads { lower *= 2 }
        var slopes = powerOfTwoSlopes(lower)
        if lower < numHeads {
            slopes += powerOfTwoSlopes(2 * lower).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
                .prefix(numHeads - lower)
        }
        self.slopes = slopes
    }

    /// None: this layer has no parameters.
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {}

    /// The biases for Tq queries (the last Tq positions) against Tk keys.
    /// - Returns: [NH, Tq, Tk]
    @inlinable
    public func bias(queryLength: Int, keyLength: Int) -> NDArray<Scalar> {
        if queryLength < 0 || keyLength < queryLength {
            layerFailure("ALiBi", "queryLength \(queryLength) and keyLength \(keyLength): need 0 ≤ queryLength ≤ keyLength")
        }
        let past = keyLength - queryLength
        var values = [Scalar](repeating: 0, count: slopes.count * queryLength * keyLength)
        var k = 0
        for slope in slopes {
            for i in 0..<queryLength {
                for j in 0..<keyLength {
                    values[k] = Scalar(-slope * Double(Swift.abs(past + i - j)))
                    k += 1
                }
            }
        }
        return NDArray(shape: [slopes.count, queryLength, keyLength], scalars: values)
    }

    /// The same as `bias(queryLength:keyLength:)`: [NH, Tq, Tk].
    @inlinable
    public func forward(queryLength: Int, keyLength: Int) -> NDArray<Scalar> {
        bias(queryLength: queryLength, keyLength: keyLength)
    }

    /// The same as `bias(queryLength:keyLength:)`: [NH, Tq, Tk].
    @inlinable
    public func callAsFunction(queryLength: Int, keyLength: Int) -> NDArray<Scalar> {
        bias(queryLength: queryLength, keyLength: keyLength)
    }
}
