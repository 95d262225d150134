// RMSNorm.swift — scale each vector by the inverse of its root mean square.
//
//   y = x / √(mean(x²) + eps) · γ                over the last axis; no centring, no β
//   x: [B, T, C]  →  y: [B, T, C]
//
// LayerNorm without the mean: cheaper, and what LLaMA uses. The default eps
// is LLaMA's 1e-6 (PyTorch's default is the element type's machine epsilon).
//
// Depends on: NDArray, Layer.swift.
// Not here: normalising over several trailing axes.

import NDArray

/// Root-mean-square normalisation over the last axis. PyTorch: `nn.RMSNorm(normalized_shape, eps)`.
public final class RMSNorm<Scalar: NDFloatingPoint>: Layer {
    /// γ: [C], initialised to ones; nil without an elementwise affine.
    public var weight: NDArray<Scalar>?
    /// Added to the mean square before the square root.
    public let eps: Scalar
    /// C, the size of the normalised axis.
    public let normalizedShape: Int
    /// RMSNorm has no dropout; the flag is kept for the protocol.
    public var isTraining = true

    /// γ = 1, or no γ with `elementwiseAffine: false`.
    public init(normalizedShape: Int, eps: Scalar = 1e-6, elementwiseAffine: Bool = true) {
        if normalizedShape <= 0 { layerFailure("RMSNorm", "normalizedShape (\(normalizedShape)) must be positive") }
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? .ones([normalizedShape]) : nil
    }

    /// Each parameter under `prefix`, in the order listed here (see Layer.swift).
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {
        if weight != nil { try body(prefix + "weight", &weight!) }
    }

    /// Divides each vector along the last axis by its root mean square.
    /// - Parameter x: [B, T, C] (any leading axes)
    /// - Returns: [B, T, C]
    @inlinable
    public func forward(_ x: NDArray<Scalar>) -> NDArray<Scalar> {
        forwardWithRoot(x).output
    }

    /// `forward`, also returning each row's root √(mean(x²) + eps): what a backward pass keeps.
    /// - Parameter x: [B, T, C]
    /// - Returns: the output [B, T, C] and the root [B, T, 1]
    @inlinable
    public func forwardWithRoot(_ x: NDArray<Scalar>) -> (output: NDArray<Scalar>, root: NDArray<Scalar>) {
        checkInput(x)
        let meanSquare = (x * x).mean(axis: -1, keepDims: true)   // [B, T, 1]
        let root = sqrt(meanSquare + eps)                         // [B, T, 1]
        let y = x / root                                          // [B, T, C]
        return (weight.map { y * $0 } ?? y, root)
    }

    /// The same as `forward(_:)`.
    @inlinable public func callAsFunction(_ x: NDArray<Scalar>) -> NDArray<Scalar> { forward(x) }

    /// Stops, naming the layer and both shapes, unless x's last axis is `normalizedShape` (x: [..., C]).
    @inlinable
    public func checkInput(_ x: NDArray<Scalar>) {
        if x.shape.last != normalizedShape {
            layerFailure("RMSNorm", "input of shape \(x.shape) does not match normalizedShape \(normalizedShape): "
                            + "\(x.shape.last ?? 0) (axis -1) != \(normalizedShape)")
        }
    }
}
