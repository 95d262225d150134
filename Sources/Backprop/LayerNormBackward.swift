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
        backpropFailure("layerNormBackward", "dOut \(dOut.shape), input \(input.shape), mean \(mean.shape) and rstd "
                   + "\(rstd.shape) must be [..., C], [..., C], [...] and [...]")
    }
    // Per row of C, with norm = (x − mean)·rstd and dNorm = dY·γ:
    //   dX = rstd·(dNorm − mean(dNorm) − norm·mean(dNorm·norm))
    //   dγ = Σ_rows dY·norm        dβ = Σ_rows dY
    let c = input.shape[input.ndim - 1], rows = input.count / Swift.max(c, 1)
    let x = input.contiguous(), dY = dOut.contiguous(), mu = mean.contiguous(), rs = rstd.contiguous()
    let gamma = weight?.contiguous()
    var dWeight = NDArray<S>.zeros([c]), dBias = NDArray<S>.zeros([c])
    let dInput = NDArray<S>(unsafeUninitializedShape: input.shape) { out in
        guard c > 0, rows > 0 else { return }
        x.withUnsafeBufferPointer { xb in dY.withUnsafeBufferPointer { db in
        mu.withUnsafeBufferPointer { mb in rs.withUnsafeBufferPointer { rb in
        dWeight.withUnsafeMutableBufferPointer { gw in dBias.withUnsafeMutableBufferPointer { gb in
            let (xp, dp, mp, rp, op) = (xb.baseAddress!, db.baseAddress!, mb.baseAddress!, rb.baseAddress!, out.baseAddress!)
            let g = gamma.map { $0.withUnsafeBufferPointer { Array($0) } } ?? [S](repeating: 1, count: c)
            let inverseC = 1 / S(c)
            ComputeThreads.forEachRange(rows, grain: Swift.max(1, 16384 / c)) { range in
                for row in range {
                    let (xr, dr, or) = (xp + row * c, dp + row * c, op + row * c)
                    let (m, r) = (mp[row], rp[row])
                    var sumD: S = 0, sumDN: S = 0
                    for j in 0..<c {
                        let dNorm = dr[j] * g[j]
                        sumD += dNorm
                        sumDN += dNorm * (xr[j] - m) * r
                    }
                    let (a, b) = (sumD * inverseC, sumDN * inverseC)
                    for j in 0..<c { or[j] = r * (dr[j] * g[j] - a - (xr[j] - m) * r * b) }
                }
            }
            // The parameters' gradients sum over rows in order, on one thread: the same on any thread count.
            for row in 0..<rows {
                let (xr, dr) = (xp + row * c, dp + row * c)
                let (m, r) = (mp[row], rp[row])
                for j in 0..<c {
                    gw[j] += dr[j] * (xr[j] - m) * r
                    gb[j] += dr[j]
                }
            }
        } }
        } }
        } }
    }
    return (dInput, weight == nil ? nil : dWeight, dBias)
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
        let (y, mean, rstd) = forwardWithStatistics(x)                          // LayerNorm's own forward, one pass
        return (y, Saved(input: x, mean: mean, rstd: rstd))
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
