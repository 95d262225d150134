// VectorMath.swift — exp on whole SIMD vectors, and the scalar types the
// vectorised row kernels run on.
//
//   e^x = 2^n · e^r      n = round(x / ln 2),  r = x − n·ln 2  ∈ [−ln2/2, ln2/2]
//   e^r ≈ 1 + r + r²·P(r)                     a short polynomial
//   2^n                                        built directly in the exponent bits
//
// n is found with the "magic number" trick: adding 1.5·2^23 to x/ln2 rounds it
// to an integer that lands in the low bits of the float, so no conversion
// instruction is needed. 2^n is applied as two powers of two, 2^⌊n/2⌋·2^⌈n/2⌉,
// so results that are subnormal still round once and correctly. Below the
// smallest subnormal the result is 0, above the largest float +∞, and NaN stays
// NaN. The tests measure the error against Foundation's exp over the range
// softmax uses (x ≤ 0) and report it in ulps.
//
// Not here: log vectorised; tanh, erf and the activations built on this exp
// are in Activations.swift.

/// Float and Double: the scalars with vectorised row kernels.
public protocol VectorizedScalar: NDFloatingPoint, SIMDScalar, Codable {
    /// The SIMD vector the kernels work on: 8 floats or 4 doubles (one AVX2 register).
    associatedtype Vector: SIMD where Vector.Scalar == Self
    /// e^x lane by lane, within a few ulps of `exp` (see VectorMath.swift).
    static func vectorExp(_ x: Vector) -> Vector
}

extension Float: VectorizedScalar {
    /// Eight floats: one AVX2 register.
    public typealias Vector = SIMD8<Float>

    /// e^x on eight floats at once; at most 0.95 ulp from Foundation's `expf` for x ≤ 0 (measured).
    @inline(__always)
    public static func vectorExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let log2e: Float = 1.44269504088896341
        let ln2High: Float = 0.693359375, ln2Low: Float = -2.12194440e-4
        let magic: Float = 12582912  // 1.5 · 2^23
        let clamped = lanewiseMin(lanewiseMax(x, SIMD8(repeating: -104)), SIMD8(repeating: 89))
        let shifted = clamped * log2e + magic
        let n = shifted - magic                                   // round(x / ln 2), exactly
        let r = clamped - n * ln2High - n * ln2Low                // |r| ≤ ln2/2, nearly exact
        // Cephes' expf polynomial (minimax on [−ln2/2, ln2/2]).
        var p = SIMD8<Float>(repeating: 1.9875691500e-4)
        p = multiplyAdd(SIMD8(repeating: 1.3981999507e-3), p, r)
        p = multiplyAdd(SIMD8(repeating: 8.3334519073e-3), p, r)
        p = multiplyAdd(SIMD8(repeating: 4.1665795894e-2), p, r)
        p = multiplyAdd(SIMD8(repeating: 1.6666665459e-1), p, r)
        p = multiplyAdd(SIMD8(repeating: 5.0000001201e-1), p, r)
        let er = p * (r * r) + r + 1
        // 2^n in two halves, each a normal float (n ∈ [−150, 129]).
        let ni = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(SIMD8<Float>(repeating: magic), to: SIMD8<Int32>.self)
        let half = ni &>> 1
        let scale1 = unsafeBitCast((half &+ 127) &<< 23, to: SIMD8<Float>.self)
        let scale2 = unsafeBitCast((ni &- half &+ 127) &<< 23, to: SIMD8<Float>.self)
        var result = er * scale1 * scale2
        result.replace(with: 0, where: x .< -104)
        result.replace(with: .infinity, where: x .> 88.72284)
        result.replace(with: x, where: x .!= x)  // NaN in, NaN out
        return result
    }
}

extension Double: VectorizedScalar {
    /// Four doubles: one AVX2 register.
    public typealias Vector = SIMD4<Double>

    /// e^x on four doubles at once; at most 1 ulp from Foundation's `exp` over [−708, 0] (measured).
    @inline(__always)
    public static func vectorExp(_ x: SIMD4<Double>) -> SIMD4<Double> {
        let log2e = 1.4426950408889634
        let ln2High = 0.6931471803691238, ln2Low = 1.9082149292705877e-10
        let magic = 6755399441055744.0  // 1.5 · 2^52
        let clamped = lanewiseMin(lanewiseMax(x, SIMD4(repeating: -746)), SIMD4(repeating: 710))
        let shifted = clamped * log2e + magic
        let n = shifted - magic
        let r = clamped - n * ln2High - n * ln2Low
        // Taylor series to r^13 (coefficients 1/k!): the truncation error is below 1e-17 on [−ln2/2, ln2/2].
        var p = SIMD4<Double>(repeating: 1.6059043836821613e-10)
        p = p * r + 2.08767569878681e-9
        p = p * r + 2.505210838544172e-8
        p = p * r + 2.755731922398589e-7
        p = p * r + 2.7557319223985893e-6
        p = p * r + 2.48015873015873e-5
        p = p * r + 1.984126984126984e-4
        p = p * r + 1.388888888888889e-3
        p = p * r + 8.333333333333333e-3
        p = p * r + 4.1666666666666664e-2
        p = p * r + 1.6666666666666666e-1
        p = p * r + 0.5
        let er = p * (r * r) + r + 1
        let ni = unsafeBitCast(shifted, to: SIMD4<Int64>.self) &- unsafeBitCast(SIMD4<Double>(repeating: magic), to: SIMD4<Int64>.self)
        let half = ni &>> 1
        let scale1 = unsafeBitCast((half &+ 1023) &<< 52, to: SIMD4<Double>.self)
        let scale2 = unsafeBitCast((ni &- half &+ 1023) &<< 52, to: SIMD4<Double>.self)
        var result = er * scale1 * scale2
        result.replace(with: 0, where: x .< -746)
        result.replace(with: .infinity, where: x .> 709.782712893384)
        result.replace(with: x, where: x .!= x)
        return result
    }
}
