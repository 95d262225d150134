// RMSNormBackward.swift — the gradients of RMSNorm: layer norm without the mean.
//
//   forward:   r = 1/√(mean(x²) + eps)        n = x·r        y = n·γ              over the last axis (C)
//   backward:  dN = dY·γ
//              dX = r·(dN − n·mean(dN·n))     (the mean's term of layer norm is gone: nothing was centred)
//              dγ = Σ_rows dY·n
//
// n depends on x twice, directly and through r; mean(dN·n) is the second path,
// as in LayerNormBackward.swift.
//
// Depends on: NDArray, NN (RMSNorm), Gradients.swift.

import NDArray
import NN

/// The gradients of RMSNorm along the last axis.
/// - Parameters:
///   - dOut: dY, [..., C]
///   - input: the forward's x, [..., C]
///   - weight: γ [C], or nil
///   - rstd: the forward's 1/√(mean(x²) + eps), [..., 1]
/// - Returns: dX [..., C] and dWeight [C] (nil without γ)
@_specialize(where S == Float)
public func rmsNormBackward<S: NDFloatingPoint>(dOut: NDArray<S>, input: NDArray<S>, weight: NDArray<S>?,
                                                rstd: NDArray<S>) -> (dInput: NDArray<S>, dWeight: NDArray<S>?) {
    guard dOut.shape == input.shape, input.ndim >= 1, rstd.shape == Array(input.shape.dropLast()) + [1] else {
        backpropFailure("rmsNormBackward", "dOut \(dOut.shape), input \(input.shape) and rstd \(rstd.shape) must be "
                   + "[..., C], [..., C] and [..., 1]")
    }
    let norm = input * rstd                                                     // n = x·r
    let dNorm = weight.map { dOut * $0 } ?? dOut                                // dN = dY·γ
    let dInput = rstd * (dNorm - norm * (dNorm * norm).mean(axis: -1, keepDims: true))
    let rows = Array(0..<(input.ndim - 1))
    return (dInput, weight == nil ? nil : (dOut * norm).sum(axes: rows))        // dγ = Σ dY·n
}

extension RMSNorm {
    /// What `backward` needs from the forward: x and each row's 1/√(mean(x²) + eps).
    public struct Saved {
        /// x, [..., C].
        public let input: NDArray<Scalar>
        /// r, [..., 1].
        public let rstd: NDArray<Scalar>
    }

    /// `forward(x)`, keeping x and r.
    @_specialize(where Scalar == Float)
    public func forwardSaving(_ x: NDArray<Scalar>) -> (output: NDArray<Scalar>, saved: Saved) {
        let (y, root) = forwardWithRoot(x)                                     // RMSNorm's own forward; root [..., 1]
        return (y, Saved(input: x, rstd: 1 / root))
    }

    /// Adds dWeight under `prefix`; returns dX [..., C].
    @_specialize(where Scalar == Float)
    public func backward(_ dOut: NDArray<Scalar>, _ saved: Saved, prefix: String = "",
                         into gradients: inout Gradients<Scalar>) -> NDArray<Scalar> {
        let (dInput, dWeight) = rmsNormBackward(dOut: dOut, input: saved.input, weight: weight, rstd: saved.rstd)
        if let dWeight { gradients.accumulate(prefix + "weight", dWeight) }
        return dInput
    }
}
