// Sigmoid.swift — the logistic function: squash any number into (0, 1).
//
//   y = 1 / (1 + e^−x)
//   x: any shape  →  y: the same shape
//
// Used inside GLU (FeedForward.swift). Depends on: NDArray (`sigmoid`), Layer.swift.
// Not here: hard sigmoid.

import NDArray

/// 1/(1 + e^−x) element by element. PyTorch: `nn.Sigmoid()`.
public final class Sigmoid<Scalar: NDFloatingPoint>: Layer {
    /// Sigmoid has no dropout; the flag is kept for the protocol.
    public var isTraining = true

    /// The activation; it has no parameters.
    public init() {}

    /// None: this layer has no parameters.
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {}

    /// - Parameter x: any shape
    /// - Returns: the same shape, every element in (0, 1)
    @inlinable public func forward(_ x: NDArray<Scalar>) -> NDArray<Scalar> { sigmoid(x) }

    /// The same as `forward(_:)`.
    @inlinable public func callAsFunction(_ x: NDArray<Scalar>) -> NDArray<Scalar> { forward(x) }
}
