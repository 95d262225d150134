// Activations.swift — tanh, erf and the neural-network activations on whole
// SIMD vectors, on every thread.
//
//   sigmoid(x) = 1 / (1 + e^−x)            silu(x) = x · sigmoid(x)
//              = e^x / (1 + e^x)           (x < 0, so e^−x cannot overflow)
//   tanh(x)    = 1 − 2 / (e^2x + 1)         (|x| ≥ 0.625; a polynomial below)
//   erf(x)     = 1 − erfc(x)                (|x| ≥ 0.5;   a series below)
//   gelu(x)    = x · Φ(x) = x/2 · (1 + erf(x/√2))
//   geluTanh(x) = x/2 · (1 + tanh(u)) = x · sigmoid(2u)   u = √(2/π)(x + 0.044715x³)
//
// Float runs eight lanes at a time with `vectorExp` (VectorMath.swift); Double
// calls Foundation per element (its precision is what Double is here for:
// gradient checks). Small |x| avoids the cancellation in 1 − 2/(e^2x + 1) and
// 1 − erfc(x): tanh uses Cephes' odd polynomial on |x| < 0.625, erf the Taylor
// series x·(2/√π)·Σ (−x²)^n / (n!(2n+1)) on |x| < 0.5, and erfc elsewhere the
// Chebyshev fit of Numerical Recipes (relative error below 1.2e-7):
//   erfc(z) ≈ t·exp(−z² − 1.26551223 + t·(1.00002368 + …)),  t = 1/(1 + z/2).
// gelu's 1 + erf(x/√2) for negative x is erfc(|x|/√2) itself, never 1 minus
// something close to 1. The tests measure every function against Foundation
// in Double and report the error.
//
// Each element is computed alone, so any split across threads gives the same
// bits. The public functions are in Operations/NDArray+Activations.swift,
// each with a reference twin composed from + − × ÷ and Foundation.
//
// Not here: log vectorised; Float16.

import Foundation

/// The element-wise functions with a vectorised kernel.
@usableFromInline
enum UnaryOperation: Sendable {
    case tanh, erf, sigmoid, silu, relu, gelu, geluTanh
}

/// Elements per thread below which a unary kernel stays on one thread.
@usableFromInline let unaryGrain = 1 << 15

@usableFromInline
func runUnaryKernel(_ op: UnaryOperation, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
    parallelFor(count, grain: unaryGrain) { range in
        let x = x + range.lowerBound, out = out + range.lowerBound, n = range.count
        switch op {
        case .tanh: floatRun(x, out, n, vectorTanh)
        case .erf: floatRun(x, out, n, vectorErf)
        case .sigmoid: floatRun(x, out, n, vectorSigmoid)
        case .silu: floatRun(x, out, n) { $0 * vectorSigmoid($0) }
        case .relu: floatRun(x, out, n) { $0.replacing(with: 0, where: $0 .< 0) }
        case .gelu: floatRun(x, out, n, vectorGELU)
        case .geluTanh: floatRun(x, out, n, vectorGELUTanh)
        }
    }
}

@usableFromInline
func runUnaryKernel(_ op: UnaryOperation, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int) {
    parallelFor(count, grain: unaryGrain / 4) { range in
        for i in range { out[i] = unaryScalar(op, x[i]) }
    }
}

/// One element by the definition, in Foundation's functions: the Double kernel.
@inlinable
func unaryScalar(_ op: UnaryOperation, _ x: Double) -> Double {
    switch op {
    case .tanh: return Foundation.tanh(x)
    case .erf: return Foundation.erf(x)
    case .sigmoid: return 1 / (1 + Foundation.exp(-x))
    case .silu: return x / (1 + Foundation.exp(-x))
    case .relu: return x < 0 ? 0 : x
    case .gelu: return 0.5 * x * Foundation.erfc(-x * 0.70710678118654752)
    case .geluTanh:  // x/2 · (1 + tanh u) as x / (1 + e^−2u): no cancellation for negative u
        let u = 0.79788456080286536 * (x + 0.044715 * x * x * x)
        return x / (1 + Foundation.exp(-2 * u))
    }
}

/// `f` over `n` floats: whole vectors, then the tail through a padded vector.
@inline(__always)
func floatRun(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
              _ f: (SIMD8<Float>) -> SIMD8<Float>) {
    var i = 0
    while i + 8 <= n {
        store(f(load(x + i, as: SIMD8<Float>.self)), out + i)
        i += 8
    }
    if i < n {
        var v = SIMD8<Float>(repeating: 0)
        for j in 0..<(n - i) { v[j] = x[i + j] }
        let r = f(v)
        for j in 0..<(n - i) { out[i + j] = r[j] }
    }
}

/// 1/(1 + e^−x) for x ≥ 0 and e^x/(1 + e^x) below, so that e^−|x| never overflows
/// and a tiny result (x = −90 gives 8e-40) is still correct to the last bit.
@inline(__always)
func vectorSigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let e = Float.vectorExp(-magnitude(x))
    let s = 1 / (1 + e)
    return s.replacing(with: e * s, where: x .< 0)
}

@inline(__always)
func vectorTanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let a = magnitude(x)
    // Large |x|: 1 − 2/(e^2|x| + 1), with the sign put back.
    let large = 1 - 2 / (Float.vectorExp(2 * a) + 1)
    // Small |x|: x + x³·P(x²) (Cephes tanhf).
    let z = x * x
    var p = SIMD8<Float>(repeating: -5.70498872745e-3)
    p = p * z + 2.06390887954e-2
    p = p * z - 5.37397155531e-2
    p = p * z + 1.33314422036e-1
    p = p * z - 3.33332819422e-1
    let small = p * z * x + x
    var result = copySign(large, x)
    result.replace(with: small, where: a .< 0.625)
    result.replace(with: x, where: x .!= x)
    return result
}

/// erfc(z) for z ≥ 0.5 (Numerical Recipes' fit; relative error < 1.2e-7).
@inline(__always)
func vectorErfcLarge(_ z: SIMD8<Float>) -> SIMD8<Float> {
    let t = 1 / (1 + 0.5 * z)
    var p = SIMD8<Float>(repeating: 0.17087277)
    p = multiplyAdd(SIMD8(repeating: -0.82215223), p, t)
    p = multiplyAdd(SIMD8(repeating: 1.48851587), p, t)
    p = multiplyAdd(SIMD8(repeating: -1.13520398), p, t)
    p = multiplyAdd(SIMD8(repeating: 0.27886807), p, t)
    p = multiplyAdd(SIMD8(repeating: -0.18628806), p, t)
    p = multiplyAdd(SIMD8(repeating: 0.09678418), p, t)
    p = multiplyAdd(SIMD8(repeating: 0.37409196), p, t)
    p = multiplyAdd(SIMD8(repeating: 1.00002368), p, t)
    p = multiplyAdd(SIMD8(repeating: -1.26551223), p, t)
    return t * Float.vectorExp(p - z * z)
}

/// erf(x) for |x| < 0.5: the Taylor series to x^15 (relative error < 3e-11).
@inline(__always)
func vectorErfSmall(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let z = x * x
    var p = SIMD8<Float>(repeating: -1.0 / 75600)
    p = multiplyAdd(SIMD8(repeating: 1.0 / 9360), p, z)
    p = multiplyAdd(SIMD8(repeating: -1.0 / 1320), p, z)
    p = multiplyAdd(SIMD8(repeating: 1.0 / 216), p, z)
    p = multiplyAdd(SIMD8(repeating: -1.0 / 42), p, z)
    p = multiplyAdd(SIMD8(repeating: 1.0 / 10), p, z)
    p = multiplyAdd(SIMD8(repeating: -1.0 / 3), p, z)
    p = multiplyAdd(SIMD8(repeating: 1), p, z)
    return 1.1283791670955126 * x * p  // 2/√π
}

@inline(__always)
func vectorErf(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let a = magnitude(x)
    var result = copySign(1 - vectorErfcLarge(lanewiseMax(a, SIMD8(repeating: 0.5))), x)
    result.replace(with: vectorErfSmall(x), where: a .< 0.5)
    result.replace(with: x, where: x .!= x)
    return result
}

/// x/2 · (1 + erf(x/√2)), with 1 + erf(z) taken as 2 − erfc(z), erfc(−z) or 1 + erf(z) by the sign and size of z.
@inline(__always)
func vectorGELU(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let z = x * 0.70710678118654752
    let a = magnitude(z)
    let erfc = vectorErfcLarge(lanewiseMax(a, SIMD8(repeating: 0.5)))
    var onePlusErf = 2 - erfc                                   // z ≥ 0.5
    onePlusErf.replace(with: erfc, where: z .< 0)              // z ≤ −0.5: erfc(|z|)
    onePlusErf.replace(with: 1 + vectorErfSmall(z), where: a .< 0.5)
    var result = 0.5 * x * onePlusErf
    result.replace(with: x, where: x .!= x)
    return result
}

/// x · sigmoid(2u): the same as x/2 · (1 + tanh(u)), without the cancellation for negative u.
@inline(__always)
func vectorGELUTanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let u = 0.79788456080286536 * (x + 0.044715 * x * x * x)
    var result = x / (1 + Float.vectorExp(-2 * u))
    // Far below zero e^−2u overflows: x / ∞ is −0, which is the limit.
    result.replace(with: x, where: x .!= x)
    return result
}

@inline(__always)
func magnitude(_ x: SIMD8<Float>) -> SIMD8<Float> {
    unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: SIMD8<Float>.self)
}

/// `magnitude` with the sign bit of `sign`.
@inline(__always)
func copySign(_ magnitude: SIMD8<Float>, _ sign: SIMD8<Float>) -> SIMD8<Float> {
    let m = unsafeBitCast(magnitude, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF
    let s = unsafeBitCast(sign, to: SIMD8<UInt32>.self) & 0x8000_0000
    return unsafeBitCast(m | s, to: SIMD8<Float>.self)
}
