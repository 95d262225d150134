// NDArray+Activations.swift — erf, sigmoid and the activations of neural
// networks, element by element.
//
//   relu(x)  = max(x, 0)                     sigmoid(x) = 1 / (1 + e^−x)
//   silu(x)  = x · sigmoid(x)                erf(x)     = 2/√π ∫₀ˣ e^−t² dt
//   gelu(x)  = x/2 · (1 + erf(x/√2))         gelu(x, approximate: true)
//            = x/2 · (1 + tanh(√(2/π)(x + 0.044715x³)))
//
// Float arrays run the vectorised, threaded kernels of Kernels/Activations.swift
// (within a few ulps of Foundation, measured by the tests); Double computes each
// element with Foundation. `tanh` (NDArray+Arithmetic.swift's `np.tanh`) uses the
// same kernel. The layers in the NN module (ReLU, GELU, SiLU, Sigmoid) call these.
//
// Not here: softplus, ELU, leaky ReLU; derivatives (the Backprop module).

import Foundation

/// The element-wise activations, one enum for the whole library: the forward (`apply`), the
/// derivative (`activationGradient`, Backprop's `activationBackward`) and the feed-forward layers'
/// choice (NN's `FeedForward(activation:)`, GPTConfig's `activation`, saved in config.json by raw value).
/// LiteTorch: `activation='relu' | 'gelu'` (its 'gelu' is `.geluTanh`); PyTorch: `nn.ReLU`, `nn.GELU`, …
public enum Activation: String, Sendable, CaseIterable, Codable {
    /// max(x, 0). LiteTorch's default.
    case relu
    /// x·Φ(x), exact (PyTorch's `nn.GELU()`, BERT).
    case gelu
    /// x·Φ(x) in GPT-2's tanh form (PyTorch's `nn.GELU(approximate='tanh')`, LiteTorch's 'gelu').
    case geluTanh
    /// x·σ(x) ("swish").
    case silu
    /// σ(x) = 1 / (1 + e^−x).
    case sigmoid
    /// tanh x.
    case tanh

    /// The activation applied element by element; the shape is kept.
    @inlinable
    public func apply<S: NDFloatingPoint>(_ x: NDArray<S>) -> NDArray<S> { activate(self, x) }
}

/// `activation` applied to `x` (outside the enum, where its cases would hide the functions' names).
@inlinable
func activate<S: NDFloatingPoint>(_ activation: Activation, _ x: NDArray<S>) -> NDArray<S> {
    switch activation {
    case .relu: return relu(x)
    case .gelu: return gelu(x)
    case .geluTanh: return gelu(x, approximate: true)
    case .silu: return silu(x)
    case .sigmoid: return sigmoid(x)
    case .tanh: return tanh(x)
    }
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

/// The Gaussian error linear unit x·Φ(x) of each element: exact (erf), or with `approximate: true` in
/// GPT-2's tanh form, x/2 · (1 + tanh(√(2/π)(x + 0.044715x³))) (`Activation.geluTanh`).
/// PyTorch: `torch.nn.functional.gelu(x, approximate='none' | 'tanh')`. Shape: unchanged (`[B, T, 4C]` → `[B, T, 4C]`).
@inlinable
public func gelu<S: NDFloatingPoint>(_ x: NDArray<S>, approximate: Bool = false) -> NDArray<S> {
    applyUnary(approximate ? .geluTanh : .gelu, x)
}
