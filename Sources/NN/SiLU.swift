// SiLU.swift — the sigmoid linear unit ("swish"): x gated by its own sigmoid.
//
//   y = x · sigmoid(x) = x / (1 + e^−x)
//   x: any shape  →  y: the same shape
//
// Used inside SwiGLU (FeedForward.swift). Depends on: NDArray (`silu`), Layer.swift.
// Not here: swish with a learned β.

import NDArray

/// x·sigmoid(x) element by element. PyTorch: `nn.SiLU()`.
public final class SiLU<Scalar: NDFloatingPoint>: Layer {
    /// SiLU has no dropout; the flag is kept for the protocol.
    public var isTraining = true

    /// The activation; it has no parameters.
    public init() {}

    /// None: this layer has no parameters.
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {}

    /// - Parameter x: any shape, such as [B, T, 4C]
    /// - Returns: the same shape
    @inlinable public func forward(_ x: NDArray<Scalar>) -> NDArray<Scalar> { silu(x) }

    /// The same as `forward(_:)`.
    @inlinable public func callAsFunction(_ x: NDArray<Scalar>) -> NDArray<Scalar> { forward(x) }
}
