// Dropout.swift — while training, zero each element with probability p and
// scale the survivors by 1/(1 − p); in evaluation, pass the input through.
//
//   y = x · m / (1 − p)        m ~ Bernoulli(1 − p), one draw per element ("inverted" dropout)
//   x: any shape  →  y: the same shape
//
// Scaling during training keeps E[y] = x, so evaluation needs no scaling at
// all. The layer owns its random stream, split from the generator it was built
// with: the same seed gives the same masks on every platform. Each element
// takes 32 random bits (two per `next()`), compared with p·2³².
//
// Depends on: NDArray, Layer.swift.
// Not here: dropout of whole channels (Dropout2d), alpha dropout.

import NDArray

/// Inverted dropout. PyTorch: `nn.Dropout(p)`.
///
/// ```swift
/// let drop = Dropout<Float>(p: 0.1, using: &rng)
/// let y = drop(x)      // training: about 10% zeros, the rest × 1/0.9
/// drop.eval()
/// drop(x) == x         // evaluation: the identity
/// ```
public final class Dropout<Scalar: NDFloatingPoint>: Layer {
    /// The probability of zeroing an element, in [0, 1].
    public let p: Double
    /// True (the default, as in PyTorch): drop. False: the identity.
    public var isTraining = true
    /// The layer's own random stream.
    public var generator: SeededGenerator

    /// A dropout layer whose stream is split from `generator` (one draw from it); it works on any shape.
    public init(p: Double = 0.5, using generator: inout SeededGenerator) {
        if !(0...1).contains(p) { layerFailure("Dropout", "p must be in [0, 1], got \(p)") }
        self.p = p
        self.generator = SeededGenerator(seed: generator.next())
    }

    /// None: this layer has no parameters.
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {}

    /// x with each element zeroed with probability p and the rest scaled by 1/(1 − p); x itself in evaluation.
    /// - Parameter x: any shape, such as [B, T, C] or [B, NH, T, T]
    /// - Returns: the same shape
    @inlinable
    public func forward(_ x: NDArray<Scalar>) -> NDArray<Scalar> {
        forwardWithMask(x).output
    }

    /// `forward`, also returning the factor each element was multiplied by: 0 or 1/(1 − p), the same
    /// shape as x (nil in evaluation or with p = 0, when nothing changes). A backward multiplies the
    /// output's gradient by it.
    @inlinable
    public func forwardWithMask(_ x: NDArray<Scalar>) -> (output: NDArray<Scalar>, mask: NDArray<Scalar>?) {
        if !isTraining || p == 0 { return (x, nil) }
        if p == 1 { return (.zeros(x.shape), .zeros(x.shape)) }
        let threshold = UInt32(Swift.min(p * 4294967296, 4294967295))
        let scale = Scalar(1 / (1 - p))
        var y = x.contiguous()
        var mask = NDArray<Scalar>(unsafeUninitializedShape: x.shape) { _ in }
        var bits: UInt64 = 0
        mask.withUnsafeMutableBufferPointer { factors in
            y.withUnsafeMutableBufferPointer { values in
                for i in values.indices {
                    if i & 1 == 0 { bits = generator.next() }
                    let draw = UInt32(truncatingIfNeeded: i & 1 == 0 ? bits : bits >> 32)
                    factors[i] = draw < threshold ? 0 : scale
                    values[i] *= factors[i]
                }
            }
        }
        return (y, mask)
    }

    /// The same as `forward(_:)`.
    @inlinable public func callAsFunction(_ x: NDArray<Scalar>) -> NDArray<Scalar> { forward(x) }
}
