// NDArray+Activations.swift — erf, sigmoid and the activations of neural
// networks, element by element.
//
//   relu(x)  = max(x, 0)                     sigmoid(x) = 1 / (1 + e^−x)
//   silu(x)  = x · sigmoid(x)                erf(x)     = 2/√π ∫₀ˣ e^−t² dt
//   gelu(x)  = x/2 · (1 + erf(x/√2))         gelu(x, approximate: .tanh)
//            = x/2 · (1 + tanh(√(2/π)(x + 0.044715x³)))
//
// Float arrays run the vectorised, threaded kernels of Kernels/Activations.swift
// (within a few ulps of Foundation, measured by the tests); Double computes each
// element with Foundation. `tanh` (NDArray+Arithmetic.swift's `np.tanh`) uses the
// same kernel. The layers in the NN module (ReLU, GELU, SiLU, Sigmoid) call these.
//
// Not here: softplus, ELU, leaky ReLU; derivatives (the Backprop module).

import Foundation

/// How GELU computes Φ(x), the standard normal's distribution function.
/// PyTorch: `approximate='none'` and `approximate='tanh'`.
public enum GELUApproximation: String, Sendable, CaseIterable {
    /// The exact form, x·Φ(x) = x/2 · (1 + erf(x/√2)) (BERT, PyTorch's default).
    case exact
    /// The tanh form GPT-2 was trained with: x/2 · (1 + tanh(√(2/π)(x + 0.044715x³))).
    case tanh
}

/// `op` on every element: the vectorised kernel for Float, Foundation per element for Double (threaded, both)
/// and for any other scalar type (through Double).
@inlinable
func applyUnary<S: NDFloatingPoint>(_ op: UnaryOperation, _ x: NDArray<S>) -> NDArray<S> {
    guard S.self == Float.self || S.self == Double.self else {
        return x.map { S(unaryScalar(op, Double($0))) }
    }
    let source = x.contiguous()
    let result = NDArray<S>(uninitializedShape: x.shape)
    let input = UnsafeRawPointer(source.storage.base + source.offset), output = UnsafeMutableRawPointer(result.storage.base)
    if S.self == Float.self {
        runUnaryKernel(op, input.assumingMemoryBound(to: Float.self), output.assumingMemoryBound(to: Float.self),
                       count: x.count)
    } else {
        runUnaryKernel(op, input.assumingMemoryBound(to: Double.self), output.assumingMemoryBound(to: Double.self),
                       count: x.count)
    }
    return result
}

/// The error function of each element. SciPy: `scipy.special.erf`; PyTorch: `torch.erf`.
/// Shape: unchanged.
@inlinable public func erf<S: NDFloatingPoint>(_ x: NDArray<S>) -> NDArray<S> { applyUnary(.erf, x) }

/// 1 / (1 + e^−x) for each element, in (0, 1). SciPy: `scipy.special.expit`; PyTorch: `torch.sigmoid`.
/// Shape: unchanged.
@inlinable public func sigmoid<S: NDFloatingPoint>(_ x: NDArray<S>) -> NDArray<S> { applyUnary(.sigmoid, x) }

/// max(x, 0) for each element (−0 and NaN pass through unchanged). PyTorch: `torch.relu`.
/// Shape: unchanged.
@inlinable public func relu<S: NDFloatingPoint>(_ x: NDArray<S>) -> NDArray<S> { applyUnary(.relu, x) }

/// x · sigmoid(x) for each element ("swish"). PyTorch: `torch.nn.functional.silu`.
/// Shape: unchanged.
@inlinable public func silu<S: NDFloatingPoint>(_ x: NDArray<S>) -> NDArray<S> { applyUnary(.silu, x) }

/// The Gaussian error linear unit x·Φ(x) of each element, exact or in its tanh form.
/// PyTorch: `torch.nn.functional.gelu(x, approximate=…)`. Shape: unchanged (`[B, T, 4C]` → `[B, T, 4C]`).
@inlinable
public func gelu<S: NDFloatingPoint>(_ x: NDArray<S>, approximate: GELUApproximation = .exact) -> NDArray<S> {
    applyUnary(approximate == .exact ? .gelu : .geluTanh, x)
}
