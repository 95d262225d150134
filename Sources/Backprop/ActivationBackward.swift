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
// Depends on: NDArray (activationGradient, Activation).

import Foundation
import NDArray

/// dY · f′(x) for one of the activations, element by element (NDArray's vectorised
/// `activationGradient`: eight Floats at a time; Double by the formulas above, for gradient checks).
/// - Parameters:
///   - dOut: dY, any shape
///   - input: the forward's x, dY's shape
/// - Returns: dX, dY's shape
@_specialize(where S == Float)
public func activationBackward<S: NDFloatingPoint>(_ activation: Activation, dOut: NDArray<S>,
                                                   input: NDArray<S>) -> NDArray<S> {
    guard dOut.shape == input.shape else {
        backpropFailure("activationBackward(\(activation))", "dOut \(dOut.shape) and input \(input.shape) must have one shape")
    }
    return activationGradient(activation, dOut: dOut, input: input)
}
