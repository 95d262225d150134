// GELU.swift — the Gaussian error linear unit: x weighted by how likely a
// standard normal is to be below it.
//
//   exact:  y = x·Φ(x) = x/2 · (1 + erf(x/√2))
//   tanh:   y = x/2 · (1 + tanh(√(2/π)·(x + 0.044715·x³)))       (GPT-2's form)
//   x: any shape  →  y: the same shape
//
// The two differ by less than 5e-4 anywhere, but a checkpoint trained with one
// should be run with the same one. `forward` calls NDArray's vectorised `gelu`;
// `forwardReference` spells each formula out in whole-array operations.
// (LiteTorch's 'gelu' is the tanh form; PyTorch's default is the exact one.)
//
// Depends on: NDArray, Layer.swift.
// Not here: the derivative (Backprop).

import NDArray

/// x·Φ(x) element by element, exact or in the tanh form. PyTorch: `nn.GELU(approximate='none' | 'tanh')`
/// (here `GELU()` and `GELU(approximate: true)`).
public final class GELU<Scalar: NDFloatingPoint>: Layer {
    /// false: exact (erf); true: GPT-2's tanh form (`Activation.geluTanh`).
    public let approximate: Bool
    /// GELU has no dropout; the flag is kept for the protocol.
    public var isTraining = true

    /// GELU in the exact form (PyTorch's default), or with `approximate: true` GPT-2's tanh form
    /// (PyTorch: `nn.GELU(approximate='tanh')`).
    public init(approximate: Bool = false) { self.approximate = approximate }

    /// None: this layer has no parameters.
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {}

    /// - Parameter x: any shape, such as [B, T, 4C]
    /// - Returns: the same shape
    @inlinable public func forward(_ x: NDArray<Scalar>) -> NDArray<Scalar> { gelu(x, approximate: approximate) }

    /// The same as `forward(_:)`.
    @inlinable public func callAsFunction(_ x: NDArray<Scalar>) -> NDArray<Scalar> { forward(x) }

    /// The formula in whole-array operations: the test oracle for `forward`.
    @inlinable
    public func forwardReference(_ x: NDArray<Scalar>) -> NDArray<Scalar> {
        if approximate {
            let c = Scalar((2 / Double.pi).squareRoot())
            return 0.5 * x * (1 + tanh(c * (x + 0.044715 * x * x * x)))
        }
        return 0.5 * x * (1 + erf(x / Scalar(2).squareRoot()))
    }
}
