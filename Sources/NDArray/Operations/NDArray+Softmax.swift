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
// Each function runs a vectorised row kernel (Kernels/RowKernels.swift) on
// the rows along `axis`, spread over threads; the `…Reference` twins beside
// them compose the same result from primitives and serve as test oracles.

extension NDArray where Scalar: NDFloatingPoint {
    /// Runs `kernel` on each row along `axis` (Kernels/RowKernels.swift); the
    /// result has the shape of `self`, with `axis` removed when `reducing`.
    /// Returns nil for scalar types without vectorised kernels.
    @inlinable
    func applyRowKernel(_ kernel: RowKernel<Scalar>, _ operation: String, axis: Int, reducing: Bool,
                        keepDims: Bool = false) -> NDArray? {
        guard Scalar.self == Float.self || Scalar.self == Double.self else { return nil }
        let axis = normalizeAxis(axis, ndim: ndim, shape: shape, operation: operation)
        let length = shape[axis]
        var order = (0..<ndim).filter { $0 != axis }
        order.append(axis)
        let moved = transposed(order)  // the row axis last: a view
        let outer = Array(moved.shape.dropLast())
        let result = NDArray(uninitializedShape: reducing ? outer : moved.shape)
        // Where each row starts: one offset per row, no index per element.
        var offsets: [Int] = []
        offsets.reserveCapacity(shapeCount(outer))
        let walk = StridedWalk(shape: outer, strides: [Array(moved.strides.dropLast())])
        let runLength = walk.runLength, runStride = walk.runStride(0)
        walk.forEachRun(from: [offset]) { position in
            for j in 0..<runLength { offsets.append(position[0] + j * runStride) }
        }
        if shapeCount(outer) == 0 { offsets = [] }
        let rows = RowBatch(input: UnsafePointer(storage.base), offsets: offsets, length: length,
                            step: strides[axis], output: result.storage.base, outputStep: reducing ? 1 : length)
        if Scalar.self == Float.self {
            runRowKernel(unsafeBitCast(kernel, to: RowKernel<Float>.self),
                         unsafeBitCast(rows, to: RowBatch<Float>.self))
        } else {
            runRowKernel(unsafeBitCast(kernel, to: RowKernel<Double>.self),
                         unsafeBitCast(rows, to: RowBatch<Double>.self))
        }
        if reducing {
            return keepDims ? result.expandedDims(axis: axis) : result
        }
        // Put the axis back where it was; copy only when it was not already last.
        var inverse = [Int](repeating: 0, count: ndim)
        for (i, a) in order.enumerated() { inverse[a] = i }
        return axis == ndim - 1 ? result : result.transposed(inverse).contiguous()
    }

    /// The probabilities along `axis`: exponentials normalised to sum to 1.
    /// A row of −∞ gives zeros. PyTorch: `torch.softmax(x, dim)`.
    /// Shape: unchanged (`[B, NH, T, T]` → `[B, NH, T, T]`).
    ///
    /// ```swift
    /// let p = scores.softmax(axis: -1)   // [B, NH, T, T], each row sums to 1
    /// ```
    ///
    /// Float and Double rows run a vectorised kernel on every thread;
    /// `softmaxReference` is the same function built from whole-array operations.
    @inlinable
    public func softmax(axis: Int = -1) -> NDArray {
        applyRowKernel(.softmax, "softmax", axis: axis, reducing: false) ?? softmaxReference(axis: axis)
    }

    /// The logarithms of the softmax, computed without forming it: `x − logSumExp(x)`.
    /// A row of −∞ gives −∞. PyTorch: `torch.log_softmax(x, dim)`.
    /// Shape: unchanged (`[B, T, V]` → `[B, T, V]`).
    @inlinable
    public func logSoftmax(axis: Int = -1) -> NDArray {
        applyRowKernel(.logSoftmax, "log_softmax", axis: axis, reducing: false) ?? logSoftmaxReference(axis: axis)
    }

    /// `log Σ exp(x)` along `axis`, computed stably; −∞ for a row of −∞.
    /// SciPy: `scipy.special.logsumexp(x, axis, keepdims)`; PyTorch: `torch.logsumexp`.
    /// Shape: `axis` is removed (`[B, T, V]` → `[B, T]`), or kept as 1 with `keepDims`.
    @inlinable
    public func logSumExp(axis: Int = -1, keepDims: Bool = false) -> NDArray {
        applyRowKernel(.logSumExp, "logsumexp", axis: axis, reducing: true, keepDims: keepDims)
            ?? logSumExpReference(axis: axis, keepDims: keepDims)
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
