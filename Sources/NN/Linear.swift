// Linear.swift — a fully connected layer: y = x·Wᵀ + b.
//
//   y[…, o] = Σ_i x[…, i] · W[o, i] + b[o]
//   x: [B, T, in] (any leading axes)  →  y: [B, T, out]
//
// The weight is stored [out, in], as in PyTorch, so `matmul(x, weight.T)` reads
// it through a transposed view: no copy, and NDArray's GEMM packs it directly.
// GPT-2 checkpoints store the same matrix [in, out] (Conv1D); the GPT module's
// importer transposes it.
//
// Depends on: NDArray, Layer.swift.
// Not here: the backward pass (Backprop), quantised or sparse weights.

import NDArray

/// A fully connected layer. PyTorch: `nn.Linear(in_features, out_features, bias=True)`.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let proj = Linear<Float>(inFeatures: 768, outFeatures: 2304, using: &rng)
/// let qkv = proj(x)            // [B, T, 768] → [B, T, 2304]
/// ```
public final class Linear<Scalar: NDFloatingPoint>: Layer {
    /// W: [out, in].
    public var weight: NDArray<Scalar>
    /// b: [out], or nil for a layer without bias.
    public var bias: NDArray<Scalar>?
    /// Linear has no dropout; the flag is kept for the protocol.
    public var isTraining = true

    /// The size of the last axis of the input.
    @inlinable public var inFeatures: Int { weight.shape[1] }
    /// The size of the last axis of the output.
    @inlinable public var outFeatures: Int { weight.shape[0] }

    /// A layer with W drawn by `weightInit` (Xavier uniform by default) and b zero.
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true,
                weightInit: Initialization<Scalar> = .xavierUniform, using generator: inout SeededGenerator) {
        if inFeatures <= 0 || outFeatures <= 0 {
            layerFailure("Linear", "inFeatures (\(inFeatures)) and outFeatures (\(outFeatures)) must be positive")
        }
        weight = weightInit.makeArray([outFeatures, inFeatures], using: &generator)
        self.bias = bias ? .zeros([outFeatures]) : nil
    }

    /// A layer with the given weight [out, in] and bias [out].
    public init(weight: NDArray<Scalar>, bias: NDArray<Scalar>?) {
        if weight.ndim != 2 { layerFailure("Linear", "the weight must be [out, in], got shape \(weight.shape)") }
        if let bias, bias.shape != [weight.shape[0]] {
            layerFailure("Linear", "bias of shape \(bias.shape) does not match weight of shape \(weight.shape)")
        }
        self.weight = weight
        self.bias = bias
    }

    /// Each parameter under `prefix`, in the order listed here (see Layer.swift).
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {
        try body(prefix + "weight", &weight)
        if bias != nil { try body(prefix + "bias", &bias!) }
    }

    /// y = x·Wᵀ + b.
    /// - Parameter x: [B, T, in] (or any leading axes: [N, in], [in])
    /// - Returns: [B, T, out]
    @inlinable
    public func forward(_ x: NDArray<Scalar>) -> NDArray<Scalar> {
        if x.shape.last != inFeatures {
            layerFailure("Linear", "input of shape \(x.shape) does not match weight of shape \(weight.shape): "
                            + "\(x.shape.last ?? 0) (axis -1) != \(inFeatures) (in features)")
        }
        var y = matmul(x, weight.T)      // [B, T, in]·[in, out] → [B, T, out]
        if let bias { y += bias }        // [B, T, out] + [out], in place
        return y
    }

    /// The same as `forward(_:)`.
    @inlinable public func callAsFunction(_ x: NDArray<Scalar>) -> NDArray<Scalar> { forward(x) }
}
