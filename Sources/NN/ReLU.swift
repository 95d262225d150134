// ReLU.swift — the rectified linear unit: keep positives, zero the rest.
//
//   y = max(x, 0)
//   x: any shape  →  y: the same shape
//
// Depends on: NDArray (`relu`, a vectorised kernel), Layer.swift.
// Not here: leaky ReLU, ReLU6.

import NDArray

/// max(x, 0) element by element. PyTorch: `nn.ReLU()`.
public final class ReLU<Scalar: NDFloatingPoint>: Layer {
    /// ReLU has no dropout; the flag is kept for the protocol.
    public var isTraining = true

    /// The activation; it has no parameters.
    public init() {}

    /// None: this layer has no parameters.
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {}

    /// - Parameter x: any shape, such as [B, T, 4C]
    /// - Returns: the same shape
    @inlinable public func forward(_ x: NDArray<Scalar>) -> NDArray<Scalar> { relu(x) }

    /// The same as `forward(_:)`.
    @inlinable public func callAsFunction(_ x: NDArray<Scalar>) -> NDArray<Scalar> { forward(x) }
}
