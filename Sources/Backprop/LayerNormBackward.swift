// LayerNormBackward.swift — the gradients of layer normalisation, from the statistics the forward kept.
//
//   forward (LayerNorm.swift):  norm = (x − mean)·rstd,  y = norm·γ + β       rstd = 1/√(var + eps), per row of C
//   backward:                   dNorm = dY·γ
//                               dX    = rstd · (dNorm − mean(dNorm) − norm · mean(dNorm · norm))
//                               dγ    = Σ_rows dY·norm,   dβ = Σ_rows dY
//
// Every x in a row moves the row's mean and variance, so each dX gathers the
// whole row: the two means subtract the part of dNorm that only shifts or
// scales the row, which normalisation would undo anyway. The forward keeps mean
// and rstd (llm.c does the same), `x.layerNormStatistics(eps:)`.
//
// Depends on: NDArray, NN (LayerNorm).

import NDArray
import NN

/// The gradients of `layerNorm(weight:bias:eps:)` along the last axis.
/// - Parameters:
///   - dOut: dY, [..., C]
///   - input: the forward's x, [..., C]
///   - weight: γ [C], or nil
///   - mean, rstd: the forward's statistics, [...] (`input.layerNormStatistics(eps:)`)
/// - Returns: dX [..., C], dWeight [C] (nil without γ), dBias [C]
@_specialize(where S == Float)
public func layerNormBackward<S: NDFloatingPoint>(dOut: NDArray<S>, input: NDArray<S>, weight: NDArray<S>?,
                                                  mean: NDArray<S>, rstd: NDArray<S>)
    -> (dInput: NDArray<S>, dWeight: NDArray<S>?, dBias: NDArray<S>) {
    guard dOut.shape == input.shape, input.ndim >= 1, mean.shape == Array(input.shape.dropLast()),
          rstd.shape == mean.shape else {
        fatalError("layerNormBackward: dOut \(dOut.shape), input \(input.shape), mean \(mean.shape) and rstd "
                   + "\(rstd.shape) must be [..., C], [..., C], [...] and [...]")
    }
    let m = mean.expandedDims(axis: -1), r = rstd.expandedDims(axis: -1)        // [..., 1]
    let norm = (input - m) * r                                                  // the forward's norm
    let dNorm = weight.map { dOut * $0 } ?? dOut                                // dNorm = dY·γ
    let dInput = r * (dNorm - dNorm.mean(axis: -1, keepDims: true)
                      - norm * (dNorm * norm).mean(axis: -1, keepDims: true))
    let rows = Array(0..<(input.ndim - 1))
    let dWeight = weight == nil ? nil : (dOut * norm).sum(axes: rows)           // dγ = Σ dY·norm
    return (dInput, dWeight, dOut.sum(axes: rows))                              // dβ = Σ dY
}

extension LayerNorm {
    /// What `backward` needs from the forward: x and each row's mean and rstd.
    public struct Saved {
        /// x, [..., C].
        public let input: NDArray<Scalar>
        /// Each row's mean and 1/√(var + eps), [...].
        public let mean: NDArray<Scalar>, rstd: NDArray<Scalar>
    }

    /// `forward(x)`, keeping x and its statistics.
    @_specialize(where Scalar == Float)
    public func forwardSaving(_ x: NDArray<Scalar>) -> (output: NDArray<Scalar>, saved: Saved) {
        let (mean, rstd) = x.layerNormStatistics(eps: eps)
        return (forward(x), Saved(input: x, mean: mean, rstd: rstd))
    }

    /// Adds dWeight and dBias under `prefix`; returns dX [..., C].
    @_specialize(where Scalar == Float)
    public func backward(_ dOut: NDArray<Scalar>, _ saved: Saved, prefix: String = "",
                         into gradients: inout Gradients<Scalar>) -> NDArray<Scalar> {
        let (dInput, dWeight, dBias) = layerNormBackward(dOut: dOut, input: saved.input, weight: weight,
                                                         mean: saved.mean, rstd: saved.rstd)
        if let dWeight { gradients.accumulate(prefix + "weight", dWeight) }
        if bias != nil { gradients.accumulate(prefix + "bias", dBias) }
        return dInput
    }
}
