// LinearBackward.swift — the gradients of y = x·Wᵀ + b, and of a matrix product.
//
//   forward (Linear.swift):   y = matmul(x, weight.T) (+ bias)       x [N, in] (any leading axes), W [out, in]
//   backward:                 dX      = dY·W                          [N, out]·[out, in] → [N, in]
//                             dWeight = dYᵀ·X                         [out, N]·[N, in]   → [out, in]
//                             dBias   = Σ_n dY                        [out]
//
// Each output y[n, o] = Σ_i x[n, i]·W[o, i] + b[o] touches x[n, i] through W[o, i]
// for every o (so dX sums dY·W over o), and W[o, i] through x[n, i] for every n
// (so dWeight sums over the batch). The leading axes (B, T) are one batch of
// N = B·T rows: the weight is shared by all of them.
//
// Depends on: NDArray, NN (Linear), Broadcasting.swift.

import NDArray
import NN

/// The gradients of `linear`: y = x·Wᵀ + b.
/// - Parameters:
///   - dOut: dY, [..., out]
///   - input: the forward's x, [..., in]
///   - weight: W, [out, in]
///   - hasBias: whether the forward added a bias
/// - Returns: dX [..., in], dWeight [out, in], dBias [out] (nil without a bias)
@_specialize(where S == Float)
public func linearBackward<S: NDFloatingPoint>(dOut: NDArray<S>, input: NDArray<S>, weight: NDArray<S>,
                                               hasBias: Bool = true)
    -> (dInput: NDArray<S>, dWeight: NDArray<S>, dBias: NDArray<S>?) {
    let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
    guard dOut.shape.last == outFeatures, input.shape.last == inFeatures,
          Array(dOut.shape.dropLast()) == Array(input.shape.dropLast()) else {
        backpropFailure("linearBackward", "dOut \(dOut.shape), input \(input.shape) and weight \(weight.shape) must be "
                   + "[..., out], [..., in] and [out, in]")
    }
    let dY = dOut.reshaped(-1, outFeatures)                                     // [N, out]
    let x = input.reshaped(-1, inFeatures)                                      // [N, in]
    let dInput = matmul(dOut, weight)                                           // dX = dY·W
    let dWeight = matmul(dY.T, x)                                               // dW = dYᵀ·X
    let dBias = hasBias ? dY.sum(axis: 0) : nil                                 // db = Σ_n dY
    return (dInput, dWeight, dBias)
}

/// The gradients of `matmul(a, b)` for [..., M, K]·[..., K, N] (batch axes broadcast).
/// - Returns: dA [a's shape] = dC·Bᵀ and dB [b's shape] = Aᵀ·dC, summed over broadcast batch axes
@_specialize(where S == Float)
public func matmulBackward<S: NDFloatingPoint>(dOut: NDArray<S>, _ a: NDArray<S>, _ b: NDArray<S>)
    -> (dA: NDArray<S>, dB: NDArray<S>) {
    guard a.ndim >= 2, b.ndim >= 2 else { backpropFailure("matmulBackward", "a \(a.shape) and b \(b.shape) must be matrices") }
    let dA = matmul(dOut, b.swappedAxes(-1, -2))                                // [..., M, N]·[..., N, K]
    let dB = matmul(a.swappedAxes(-1, -2), dOut)                                // [..., K, M]·[..., M, N]
    return (sumToShape(dA, a.shape), sumToShape(dB, b.shape))
}

extension Linear {
    /// What `backward` needs from the forward: the input x.
    public struct Saved {
        /// x, [..., in].
        public let input: NDArray<Scalar>

        /// The saved input of a linear applied to `input` (for a caller that ran the forward itself).
        public init(input: NDArray<Scalar>) { self.input = input }
    }

    /// `forward(x)`, keeping x for the backward.
    /// - Returns: y [..., out] and what the backward needs
    @_specialize(where Scalar == Float)
    public func forwardSaving(_ x: NDArray<Scalar>) -> (output: NDArray<Scalar>, saved: Saved) {
        (forward(x), Saved(input: x))
    }

    /// Adds dWeight (and dBias) under `prefix` into `gradients`; returns dX.
    /// - Parameters:
    ///   - dOut: dY, [..., out]
    ///   - prefix: the layer's name in the model, e.g. "blocks.0.attn.proj."
    /// - Returns: dX, [..., in]
    @_specialize(where Scalar == Float)
    public func backward(_ dOut: NDArray<Scalar>, _ saved: Saved, prefix: String = "",
                         into gradients: inout Gradients<Scalar>) -> NDArray<Scalar> {
        // linearBackward's three lines, with dW added straight into the gradient's memory.
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        guard dOut.shape.last == outFeatures, Array(dOut.shape.dropLast()) == Array(saved.input.shape.dropLast()) else {
            backpropFailure("Linear.backward", "dOut \(dOut.shape) and input \(saved.input.shape) must be [..., \(outFeatures)] "
                       + "and [..., \(inFeatures)]")
        }
        let dY = dOut.reshaped(-1, outFeatures)                                 // [N, out]
        gradients.accumulateProduct(prefix + "weight", dY.T, saved.input.reshaped(-1, inFeatures))   // dW += dYᵀ·X
        if bias != nil { gradients.accumulate(prefix + "bias", dY.sum(axis: 0)) }                 // db += Σ_n dY
        return matmul(dOut, weight)                                             // dX = dY·W
    }
}
