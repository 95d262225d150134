// ActivationBackward.swift — the gradients of the element-wise activations: dX = dY · f′(x).
//
//   ReLU      f = max(x, 0)                    f′ = 1 if x > 0, else 0
//   GELU      f = x·Φ(x)                       f′ = Φ(x) + x·φ(x)         Φ, φ: the normal CDF and density
//   GELU tanh f = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³)
//                                              f′ = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²)
//   SiLU      f = x·σ(x)                       f′ = σ(x)·(1 + x(1 − σ(x)))
//   sigmoid   f = σ(x)                         f′ = σ(x)(1 − σ(x))
//   tanh      f = tanh x                       f′ = 1 − tanh²x
//
// Each output depends only on the input at the same place, so the backward is
// the product of dY with the derivative there, computed from the forward's
// input x (kept by the forward). GLU and SwiGLU are products of these with a
// second branch: their gradients follow from the product rule (FeedForward's
// backward).
//
// Depends on: NDArray.

import Foundation
import NDArray

/// dY · f′(x) for one of the activations, element by element.
/// - Parameters:
///   - dOut: dY, any shape
///   - input: the forward's x, dY's shape
/// - Returns: dX, dY's shape
@_specialize(where S == Float)
public func activationBackward<S: NDFloatingPoint>(_ activation: ActivationKind, dOut: NDArray<S>,
                                                   input: NDArray<S>) -> NDArray<S> {
    guard dOut.shape == input.shape else {
        fatalError("activationBackward(\(activation)): dOut \(dOut.shape) and input \(input.shape) must have one shape")
    }
    let dY = dOut.contiguous().scalars, x = input.contiguous().scalars.map(Double.init)
    let derivative: (Double) -> Double
    switch activation {
    case .relu:
        derivative = { $0 > 0 ? 1 : 0 }
    case .gelu:
        derivative = { x in 0.5 * (1 + Foundation.erf(x / 2.0.squareRoot())) + x * Foundation.exp(-x * x / 2) / (2 * Double.pi).squareRoot() }
    case .geluTanh:
        let c = (2 / Double.pi).squareRoot()
        derivative = { x in
            let t = Foundation.tanh(c * (x + 0.044715 * x * x * x))
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
        }
    case .silu:
        derivative = { x in let s = 1 / (1 + Foundation.exp(-x)); return s * (1 + x * (1 - s)) }
    case .sigmoid:
        derivative = { x in let s = 1 / (1 + Foundation.exp(-x)); return s * (1 - s) }
    case .tanh:
        derivative = { x in let t = Foundation.tanh(x); return 1 - t * t }
    }
    return NDArray(shape: input.shape, scalars: zip(dY, x).map { S(Double($0) * derivative($1)) })
}

/// The activations whose backward `activationBackward` knows.
public enum ActivationKind: String, Sendable, CaseIterable {
    /// max(x, 0).
    case relu
    /// x·Φ(x), the exact GELU.
    case gelu
    /// GELU in its tanh form (GPT-2's).
    case geluTanh
    /// x·σ(x).
    case silu
    /// σ(x).
    case sigmoid
    /// tanh x.
    case tanh
}
