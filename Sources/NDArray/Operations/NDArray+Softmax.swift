// NDArray+Softmax.swift — softmax, logSoftmax and logSumExp along an axis.
//
//   softmax(x)_i    = exp(x_i − m) / Σ_j exp(x_j − m)        m = max_j x_j
//   logSumExp(x)    = m + log Σ_j exp(x_j − m)
//   logSoftmax(x)_i = (x_i − m) − log Σ_j exp(x_j − m)
//
// Subtracting the row maximum m keeps every exponent ≤ 0, so logits of ±1e4
// stay finite. A row masked entirely with −∞ (m = −∞) has no mass at all: its
// softmax is 0 everywhere, its logSoftmax and logSumExp −∞ — never NaN.
// (A naive softmax, NumPy-style or torch.softmax, gives NaN there; attention
// over a fully padded row needs 0. torch.logsumexp also gives −∞.)
//
// Each function walks the rows along `axis` with a direct loop; the
// `…Reference` twins beside them compose the same result from primitives and
// serve as test oracles.

extension NDArray where Scalar: NDFloatingPoint {
    /// Calls `body(input, stride, output)` for each row along `axis`; `output` is
    /// contiguous and the result has the shape of `self` (with `axis` removed
    /// when `reducing`).
    @inlinable
    func mapRows(_ operation: String, axis: Int, reducing: Bool, keepDims: Bool = false,
                 _ body: (_ input: UnsafePointer<Scalar>, _ length: Int, _ stride: Int,
                          _ output: UnsafeMutablePointer<Scalar>) -> Void) -> NDArray {
        let axis = normalizeAxis(axis, ndim: ndim, shape: shape, operation: operation)
        let length = shape[axis]
        var order = (0..<ndim).filter { $0 != axis }
        order.append(axis)
        let moved = transposed(order)  // the row axis last: a view
        let outer = Array(moved.shape.dropLast())
        let result = NDArray(uninitializedShape: reducing ? outer : moved.shape)
        let walk = StridedWalk(shape: outer, strides: [Array(moved.strides.dropLast())])
        let runLength = walk.runLength, runStride = walk.runStride(0), rowStride = strides[axis]
        let base = storage.base, out = result.storage.base, outStep = reducing ? 1 : length
        var row = 0
        walk.forEachRun(from: [offset]) { position in
            for j in 0..<runLength {
                body(base + position[0] + j * runStride, length, rowStride, out + row * outStep)
                row += 1
            }
        }
        if reducing {
            return keepDims ? result.expandedDims(axis: axis) : result
        }
        // Put the axis back where it was; copy only when it was not already last.
        var inverse = [Int](repeating: 0, count: ndim)
        for (i, a) in order.enumerated() { inverse[a] = i }
        return axis == ndim - 1 ? result : result.transposed(inverse).contiguous()
    }

    /// The largest element of a row; −∞ for a row of −∞ and NaN if the row holds a NaN.
    @inlinable
    static func rowMax(_ x: UnsafePointer<Scalar>, _ n: Int, _ stride: Int) -> Scalar {
        var m = -Scalar.infinity
        for i in 0..<n { m = propagatingMax(m, x[i * stride]) }
        return m
    }

    /// The probabilities along `axis`: exponentials normalised to sum to 1.
    /// A row of −∞ gives zeros. PyTorch: `torch.softmax(x, dim)`.
    /// Shape: unchanged (`[B, NH, T, T]` → `[B, NH, T, T]`).
    ///
    /// ```swift
    /// let p = scores.softmax(axis: -1)   // [B, NH, T, T], each row sums to 1
    /// ```
    @inlinable
    public func softmax(axis: Int = -1) -> NDArray {
        mapRows("softmax", axis: axis, reducing: false) { x, n, stride, out in
            let m = Self.rowMax(x, n, stride)
            if m == -Scalar.infinity {
                for i in 0..<n { out[i] = 0 }  // nothing to attend to
                return
            }
            var total: Scalar = 0
            for i in 0..<n {
                let e = Scalar.exp(x[i * stride] - m)
                out[i] = e
                total += e
            }
            let scale: Scalar = 1 / total
            for i in 0..<n { out[i] *= scale }
        }
    }

    /// The logarithms of the softmax, computed without forming it: `x − logSumExp(x)`.
    /// A row of −∞ gives −∞. PyTorch: `torch.log_softmax(x, dim)`.
    /// Shape: unchanged (`[B, T, V]` → `[B, T, V]`).
    @inlinable
    public func logSoftmax(axis: Int = -1) -> NDArray {
        mapRows("log_softmax", axis: axis, reducing: false) { x, n, stride, out in
            let m = Self.rowMax(x, n, stride)
            if m == -Scalar.infinity {
                for i in 0..<n { out[i] = -Scalar.infinity }
                return
            }
            var total: Scalar = 0
            for i in 0..<n { total += Scalar.exp(x[i * stride] - m) }
            let logTotal = Scalar.log(total)
            for i in 0..<n { out[i] = (x[i * stride] - m) - logTotal }
        }
    }

    /// `log Σ exp(x)` along `axis`, computed stably; −∞ for a row of −∞.
    /// SciPy: `scipy.special.logsumexp(x, axis, keepdims)`; PyTorch: `torch.logsumexp`.
    /// Shape: `axis` is removed (`[B, T, V]` → `[B, T]`), or kept as 1 with `keepDims`.
    @inlinable
    public func logSumExp(axis: Int = -1, keepDims: Bool = false) -> NDArray {
        mapRows("logsumexp", axis: axis, reducing: true, keepDims: keepDims) { x, n, stride, out in
            let m = Self.rowMax(x, n, stride)
            if !m.isFinite {
                out[0] = m  // −∞ for an empty or fully masked row, +∞ or NaN as they come
                return
            }
            var total: Scalar = 0
            for i in 0..<n { total += Scalar.exp(x[i * stride] - m) }
            out[0] = m + Scalar.log(total)
        }
    }

    // MARK: Reference twins (test oracles)

    /// `softmax` composed from primitives: max, where, exp, sum, divide.
    @inlinable
    public func softmaxReference(axis: Int = -1) -> NDArray {
        let m = max(axis: axis, keepDims: true)
        let shift = NDArray.where(m .== -Scalar.infinity, 0, m)  // a row of −∞ shifts by 0
        let e = exp(self - shift)
        let total = e.sum(axis: axis, keepDims: true)
        return NDArray.where(total .== 0, 0, e / total)
    }

    /// `logSumExp` composed from primitives.
    @inlinable
    public func logSumExpReference(axis: Int = -1, keepDims: Bool = false) -> NDArray {
        let m = max(axis: axis, keepDims: true)
        let finite = NDArray.where(isFinite(m), m, 0)
        let result = NDArray.where(isFinite(m), finite + log(exp(self - finite).sum(axis: axis, keepDims: true)), m)
        return keepDims ? result : result.squeezed(axis: axis)
    }

    /// `logSoftmax` composed from primitives.
    @inlinable
    public func logSoftmaxReference(axis: Int = -1) -> NDArray {
        let lse = logSumExpReference(axis: axis, keepDims: true)
        return NDArray.where(lse .== -Scalar.infinity, lse, self - lse)
    }
}
