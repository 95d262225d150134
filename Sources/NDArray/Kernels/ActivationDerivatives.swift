// ActivationDerivatives.swift — dY · f′(x) for the activations, on whole SIMD vectors, on every thread.
//
//   relu      f′ = 1 if x > 0, else 0
//   gelu      f′ = Φ(x) + x·φ(x)                    Φ(x) = ½(1 + erf(x/√2)),  φ(x) = e^(−x²/2)/√(2π)
//   geluTanh  f′ = s + 2x·s(1 − s)·√(2/π)(1 + 3·0.044715x²)     s = sigmoid(2u) = ½(1 + tanh u)
//   silu      f′ = s(1 + x(1 − s))                  s = sigmoid(x)
//   sigmoid   f′ = s(1 − s)
//   tanh      f′ = 1 − tanh²x
//
// The backward of an activation is one multiply per element, but the
// derivative needs erf, exp or tanh: computed here eight Floats at a time
// with the forward kernels' pieces (Activations.swift), in one pass that reads
// dY and x and writes dX. Double goes through Foundation per element, by the
// formulas above: its precision is what gradient checks need.
//
// Depends on: Activations.swift, VectorMath.swift, Threads.swift.

import Foundation

/// dY · f′(x), element by element: the backward of an activation.
/// - Parameters:
///   - dOut: dY, any shape
///   - input: the forward's x, dY's shape
/// - Returns: dX, dY's shape
@_specialize(where S == Float)
public func activationGradient<S: NDFloatingPoint>(_ kind: Activation, dOut: NDArray<S>, input: NDArray<S>) -> NDArray<S> {
    if dOut.shape != input.shape {
        shapeFailure("activationGradient(\(kind))", "dOut \(dOut.shape) and input \(input.shape) must have one shape")
    }
    let dY = dOut.contiguous(), x = input.contiguous()
    return NDArray(unsafeUninitializedShape: input.shape) { out in
        dY.withUnsafeBufferPointer { dy in
            x.withUnsafeBufferPointer { xs in
                guard let o = out.baseAddress, let d = dy.baseAddress, let v = xs.baseAddress else { return }
                if S.self == Float.self {
                    derivativeKernel(kind, UnsafeRawPointer(d).assumingMemoryBound(to: Float.self),
                                     UnsafeRawPointer(v).assumingMemoryBound(to: Float.self),
                                     UnsafeMutableRawPointer(o).assumingMemoryBound(to: Float.self), count: out.count)
                } else {
                    parallelFor(out.count, grain: unaryGrain / 4) { range in
                        for i in range { o[i] = S(Double(d[i]) * derivativeScalar(kind, Double(v[i]))) }
                    }
                }
            }
        }
    }
}

/// dY · gelu′(x) given the forward's output y = x·Φ(x) as well: Φ(x) = y/x is read back instead of
/// computed again, so only φ(x) = e^(−x²/2)/√(2π) costs an exp (the backward of a GELU layer that
/// kept its output for the next product's weight gradient). Double uses the definition.
/// - Parameters:
///   - dOut: dY, any shape
///   - input: x, dY's shape
///   - output: gelu(x) as the forward computed it, dY's shape
/// - Returns: dX = dY·(Φ(x) + x·φ(x)), dY's shape
@_specialize(where S == Float)
public func geluGradient<S: NDFloatingPoint>(dOut: NDArray<S>, input: NDArray<S>, output: NDArray<S>) -> NDArray<S> {
    if dOut.shape != input.shape || output.shape != input.shape {
        shapeFailure("geluGradient", "dOut \(dOut.shape), input \(input.shape) and output \(output.shape) must have one shape")
    }
    guard S.self == Float.self else { return activationGradient(.gelu, dOut: dOut, input: input) }
    let dY = dOut.contiguous(), x = input.contiguous(), y = output.contiguous()
    return NDArray(unsafeUninitializedShape: input.shape) { out in
        dY.withUnsafeBufferPointer { db in x.withUnsafeBufferPointer { xb in y.withUnsafeBufferPointer { yb in
            guard let o = out.baseAddress else { return }
            let (d, v, g) = (UnsafeRawPointer(db.baseAddress!).assumingMemoryBound(to: Float.self),
                             UnsafeRawPointer(xb.baseAddress!).assumingMemoryBound(to: Float.self),
                             UnsafeRawPointer(yb.baseAddress!).assumingMemoryBound(to: Float.self))
            let result = UnsafeMutableRawPointer(o).assumingMemoryBound(to: Float.self)
            parallelFor(out.count, grain: unaryGrain) { range in
                var i = range.lowerBound
                func vector(_ x: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> {
                    var cdf = y / x                                               // Φ(x) = gelu(x)/x
                    cdf.replace(with: 0.5, where: magnitude(x) .< 1e-30)            // x → 0: Φ → ½
                    return cdf + x * Float.vectorExp(-0.5 * x * x) * 0.39894228040143268
                }
                while i + 8 <= range.upperBound {
                    store(load(d + i, as: SIMD8<Float>.self)
                          * vector(load(v + i, as: SIMD8<Float>.self), load(g + i, as: SIMD8<Float>.self)), result + i)
                    i += 8
                }
                if i < range.upperBound {
                    var dv = SIMD8<Float>(repeating: 0), xv = SIMD8<Float>(repeating: 1), yv = SIMD8<Float>(repeating: 0.5)
                    for j in 0..<(range.upperBound - i) { (dv[j], xv[j], yv[j]) = (d[i + j], v[i + j], g[i + j]) }
                    let r = dv * vector(xv, yv)
                    for j in 0..<(range.upperBound - i) { result[i + j] = r[j] }
                }
            }
        } } }
    }
}

/// f′(x) by the definition, in Double (the Double path, and the reference for the Float kernels).
func derivativeScalar(_ kind: Activation, _ x: Double) -> Double {
    switch kind {
    case .relu: return x > 0 ? 1 : 0
    case .gelu: return 0.5 * Foundation.erfc(-x * 0.70710678118654752) + x * Foundation.exp(-0.5 * x * x) * 0.39894228040143268
    case .geluTanh:
        let c = 0.79788456080286536
        let t = Foundation.tanh(c * (x + 0.044715 * x * x * x))
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
    case .silu: let s = 1 / (1 + Foundation.exp(-x)); return s * (1 + x * (1 - s))
    case .sigmoid: let s = 1 / (1 + Foundation.exp(-x)); return s * (1 - s)
    case .tanh: let t = Foundation.tanh(x); return 1 - t * t
    }
}

func derivativeKernel(_ kind: Activation, _ dY: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                      _ out: UnsafeMutablePointer<Float>, count: Int) {
    parallelFor(count, grain: unaryGrain) { range in
        let lo = range.lowerBound
        switch kind {
        case .relu: productRun(dY + lo, x + lo, out + lo, range.count) { SIMD8(repeating: 1).replacing(with: 0, where: $0 .<= 0) }
        case .gelu: productRun(dY + lo, x + lo, out + lo, range.count, vectorGELUDerivative)
        case .geluTanh: productRun(dY + lo, x + lo, out + lo, range.count, vectorGELUTanhDerivative)
        case .silu:
            productRun(dY + lo, x + lo, out + lo, range.count) { x in let s = vectorSigmoid(x); return s * (1 + x * (1 - s)) }
        case .sigmoid: productRun(dY + lo, x + lo, out + lo, range.count) { x in let s = vectorSigmoid(x); return s * (1 - s) }
        case .tanh: productRun(dY + lo, x + lo, out + lo, range.count) { x in let t = vectorTanh(x); return 1 - t * t }
        }
    }
}

/// Φ(x) + x·φ(x), with Φ from the forward's 1 + erf (no cancellation for negative x).
@inline(__always)
func vectorGELUDerivative(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let z = x * 0.70710678118654752
    let a = magnitude(z)
    let erfc = vectorErfcLarge(lanewiseMax(a, SIMD8(repeating: 0.5)))
    var onePlusErf = 2 - erfc
    onePlusErf.replace(with: erfc, where: z .< 0)
    onePlusErf.replace(with: 1 + vectorErfSmall(z), where: a .< 0.5)
    return 0.5 * onePlusErf + x * Float.vectorExp(-0.5 * x * x) * 0.39894228040143268
}

/// s + 2x·s(1 − s)·√(2/π)(1 + 0.134145x²), s = sigmoid(2u): ½(1 + tanh u) without cancellation.
@inline(__always)
func vectorGELUTanhDerivative(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let u = 0.79788456080286536 * (x + 0.044715 * x * x * x)
    let s = vectorSigmoid(2 * u)
    return s + 2 * x * s * (1 - s) * 0.79788456080286536 * (1 + 0.134145 * x * x)
}

/// out = dY · f′(x) over `n` floats: whole vectors, then the tail through padded vectors.
@inline(__always)
func productRun(_ dY: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
                _ derivative: (SIMD8<Float>) -> SIMD8<Float>) {
    var i = 0
    while i + 8 <= n {
        store(load(dY + i, as: SIMD8<Float>.self) * derivative(load(x + i, as: SIMD8<Float>.self)), out + i)
        i += 8
    }
    if i < n {
        var d = SIMD8<Float>(repeating: 0), v = SIMD8<Float>(repeating: 0)
        for j in 0..<(n - i) { (d[j], v[j]) = (dY[i + j], x[i + j]) }
        let r = d * derivative(v)
        for j in 0..<(n - i) { out[i + j] = r[j] }
    }
}
