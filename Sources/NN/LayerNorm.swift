// LayerNorm.swift — normalise each vector to mean 0 and variance 1, then scale and shift.
//
//   y = (x − mean(x)) / √(var(x) + eps) · γ + β        over the last axis, var without Bessel's correction
//   x: [B, T, C]  →  y: [B, T, C]
//
// The statistics are over the last axis only (`normalized_shape` of one size,
// as every transformer uses it). NDArray's `layerNorm` runs the row kernel;
// `forwardReference` spells the formula out in whole-array operations.
//
// Depends on: NDArray, Layer.swift.
// Not here: normalising over several trailing axes; batch or group norm.

import NDArray

/// Layer normalisation over the last axis. PyTorch: `nn.LayerNorm(normalized_shape, eps=1e-5)`.
public final class LayerNorm<Scalar: NDFloatingPoint>: Layer {
    /// γ (gamma): [C], initialised to ones; nil without an elementwise affine.
    public var weight: NDArray<Scalar>?
    /// β (beta): [C], initialised to zeros; nil without bias or affine.
    public var bias: NDArray<Scalar>?
    /// Added to the variance before the square root.
    public let eps: Scalar
    /// C, the size of the normalised axis.
    public let normalizedShape: Int
    /// LayerNorm has no dropout; the flag is kept for the protocol.
    public var isTraining = true

    /// γ, by LiteTorch's name.
    @inlinable public var gamma: NDArray<Scalar>? { weight }
    /// β, by LiteTorch's name.
    @inlinable public var beta: NDArray<Scalar>? { bias }

    /// γ = 1 and β = 0; `elementwiseAffine: false` has neither, `bias: false` no β.
    public init(normalizedShape: Int, eps: Scalar = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        if normalizedShape <= 0 { layerFailure("LayerNorm", "normalizedShape (\(normalizedShape)) must be positive") }
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? .ones([normalizedShape]) : nil
        self.bias = elementwiseAffine && bias ? .zeros([normalizedShape]) : nil
    }

    /// Each parameter under `prefix`, in the order listed here (see Layer.swift).
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {
        if weight != nil { try body(prefix + "weight", &weight!) }
        if bias != nil { try body(prefix + "bias", &bias!) }
    }

    /// Normalises each vector along the last axis.
    /// - Parameter x: [B, T, C] (any leading axes)
    /// - Returns: [B, T, C]
    @inlinable
    public func forward(_ x: NDArray<Scalar>) -> NDArray<Scalar> {
        checkInput(x)
        return x.layerNorm(weight: weight, bias: bias, eps: eps)
    }

    /// The same as `forward(_:)`.
    @inlinable public func callAsFunction(_ x: NDArray<Scalar>) -> NDArray<Scalar> { forward(x) }

    /// `forward`, also returning each row's statistics (the same kernel, in the same pass): what a
    /// backward pass keeps (llm.c's ln mean and rstd).
    /// - Parameter x: [B, T, C]
    /// - Returns: the output [B, T, C], the mean [B, T] and rstd = 1/√(var + eps) [B, T]
    @inlinable
    public func forwardWithStatistics(_ x: NDArray<Scalar>)
        -> (output: NDArray<Scalar>, mean: NDArray<Scalar>, rstd: NDArray<Scalar>) {
        checkInput(x)
        return x.layerNormWithStatistics(weight: weight, bias: bias, eps: eps)
    }

    /// The formula in whole-array operations (NDArray's `layerNormReference`): the test oracle for `forward`.
    @inlinable
    public func forwardReference(_ x: NDArray<Scalar>) -> NDArray<Scalar> {
        checkInput(x)
        return x.layerNormReference(weight: weight, bias: bias, eps: eps)
    }

    /// Stops, naming the layer and both shapes, unless x's last axis is `normalizedShape` (x: [..., C]).
    @inlinable
    public func checkInput(_ x: NDArray<Scalar>) {
        if x.shape.last != normalizedShape {
            layerFailure("LayerNorm", "input of shape \(x.shape) does not match normalizedShape \(normalizedShape): "
                            + "\(x.shape.last ?? 0) (axis -1) != \(normalizedShape)")
        }
    }
}
