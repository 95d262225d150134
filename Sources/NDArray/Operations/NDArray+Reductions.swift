// NDArray+Reductions.swift — sum, mean, max, min, argmax, argmin, prod, var, std.
//
//   x.sum()                          every element → one Scalar
//   x.sum(axis: -1)                  [B, T, C] → [B, T]
//   x.sum(axis: -1, keepDims: true)  [B, T, C] → [B, T, 1]   (broadcasts back against x)
//   x.sum(axes: [0, 1])              [B, T, C] → [C]
//
// One engine serves them all (`reduce`): the reduced axes are moved to the
// end, merged where they are contiguous, and each output element is folded
// from its runs of input. Sums add pairwise, as NumPy does, so the rounding
// error grows like log n rather than n.
//
// NaN propagates through max, min and sums; argmax and argmin return the first
// NaN if there is one, else the first of the tied extreme values — NumPy's
// rules. An empty max, min, argmax or argmin traps (there is no identity).
//
// Large reductions share their outputs among threads (each output folded
// whole by one thread, so the bits do not depend on the thread count).
// Contiguous Float and Double runs are folded a SIMD vector at a time by
// helpers in Kernels/RowKernels.swift (`pairwiseBlock`, `runExtreme`); the sum
// keeps NumPy's pairwise order exactly.
//
// Not here: cumulative sums, sorting, median and quantiles, nan-ignoring variants.

/// Folds runs of elements into one result; one reducer per reduction.
///
/// A large reduction folds different outputs on different threads, each with its own reducer:
/// a conformance must keep its state in itself (a value type) and share nothing between folds.
public protocol RunReducer {
    associatedtype Element: NDArrayScalar
    associatedtype Result: NDArrayScalar
    /// An empty fold.
    init()
    /// Takes in `count` elements at `start`, `stride` apart; `firstIndex` is the
    /// position of the first of them among all the elements being reduced.
    mutating func fold(_ start: UnsafePointer<Element>, count: Int, stride: Int, firstIndex: Int)
    /// The result after `count` elements.
    func result(count: Int) -> Result
}

extension NDArray {
    /// The reduction engine: `R` folded over `axes` (all axes when nil) for each
    /// position of the remaining axes.
    @inlinable
    public func reduce<R: RunReducer>(_ reducer: R.Type, _ operation: String, axes: [Int]?,
                                      keepDims: Bool, needsElements: Bool = false) -> NDArray<R.Result>
    where R.Element == Scalar {
        let reduced = Set(axes.map { normalizeAxes($0, ndim: ndim, shape: shape, operation: operation) }
                          ?? Array(0..<ndim))
        let kept = (0..<ndim).filter { !reduced.contains($0) }
        let reducedAxes = (0..<ndim).filter { reduced.contains($0) }
        let reducedCount = reducedAxes.reduce(1) { $0 * shape[$1] }
        let outShape = keepDims ? (0..<ndim).map { reduced.contains($0) ? 1 : shape[$0] } : kept.map { shape[$0] }
        if needsElements && reducedCount == 0 {
            shapeFailure(operation, "zero-size array to reduction operation \(operation) which has no identity "
                            + "(shape \(describe(shape)), axes \(reducedAxes))")
        }

        // The reduced elements of one output, as runs: offsets from its first element.
        let inner = StridedWalk(shape: reducedAxes.map { shape[$0] }, strides: [reducedAxes.map { strides[$0] }])
        var runOffsets: [Int] = []
        runOffsets.reserveCapacity(inner.runCount)
        inner.forEachRun(from: [0]) { runOffsets.append($0[0]) }
        let runLength = reducedCount == 0 ? 0 : inner.runLength, runStride = inner.runStride(0)

        let result = NDArray<R.Result>(uninitializedShape: outShape)
        let out = result.storage.base, base = storage.base
        let outer = StridedWalk(shape: kept.map { shape[$0] }, strides: [kept.map { strides[$0] }])
        let outerLength = outer.runLength, outerStride = outer.runStride(0)
        // One output: its runs folded in order (the same order on any thread).
        func folded(from first: UnsafePointer<Scalar>) -> R.Result {
            var fold = R()
            for (k, runOffset) in runOffsets.enumerated() {
                fold.fold(first + runOffset, count: runLength, stride: runStride, firstIndex: k * runLength)
            }
            return fold.result(count: reducedCount)
        }
        let outputs = result.count
        if outputs >= 2 && outputs * reducedCount >= 2 * reductionParallelElements && ComputeThreads.count > 1 {
            // Large: the outputs are shared among threads, each folded whole by one of them in
            // the same order as on one thread, so the bits never depend on the thread count.
            var firsts: [Int] = []
            firsts.reserveCapacity(outputs)
            outer.forEachRun(from: [offset]) { position in
                for j in 0..<outerLength { firsts.append(position[0] + j * outerStride) }
            }
            firsts.withUnsafeBufferPointer { firsts in
                parallelFor(outputs, grain: Swift.max(1, reductionParallelElements / Swift.max(reducedCount, 1))) { range in
                    for i in range { out[i] = folded(from: base + firsts[i]) }
                }
            }
            return result
        }
        var written = 0
        outer.forEachRun(from: [offset]) { position in
            for j in 0..<outerLength {
                out[written] = folded(from: base + position[0] + j * outerStride)
                written += 1
            }
        }
        return result
    }
}

/// Elements a reduction must cover, per thread, before its outputs are shared among threads.
@usableFromInline let reductionParallelElements = 1 << 14

// MARK: - The reducers

/// Sums pairwise: blocks of up to 128 elements with eight partial sums, halves above that (NumPy's scheme).
public struct SumReducer<S: NDNumeric>: RunReducer {
    @usableFromInline var total: S = 0
    @inlinable public init() {}
    @inlinable
    public mutating func fold(_ start: UnsafePointer<S>, count: Int, stride: Int, firstIndex: Int) {
        total = S.wrappingSum(total, pairwiseSum(start, count: count, stride: stride))
    }
    @inlinable public func result(count: Int) -> S { total }
}

/// The sum of `count` elements `stride` apart, added pairwise.
@inlinable
func pairwiseSum<S: NDNumeric>(_ x: UnsafePointer<S>, count n: Int, stride: Int) -> S {
    if n < 8 {
        var sum: S = 0
        for i in 0..<n { sum = S.wrappingSum(sum, x[i * stride]) }
        return sum
    }
    if n <= 128 && stride == 1 && (S.self == Float.self || S.self == Double.self) {
        // The same eight partial sums, as the eight lanes of one SIMD vector: the same bits.
        let raw = UnsafeRawPointer(x)
        return S.self == Float.self
            ? unsafeBitCast(pairwiseBlock(raw.assumingMemoryBound(to: Float.self), n), to: S.self)
            : unsafeBitCast(pairwiseBlock(raw.assumingMemoryBound(to: Double.self), n), to: S.self)
    }
    if n <= 128 {
        var r0 = x[0], r1 = x[stride], r2 = x[2 * stride], r3 = x[3 * stride]
        var r4 = x[4 * stride], r5 = x[5 * stride], r6 = x[6 * stride], r7 = x[7 * stride]
        var i = 8
        while i + 8 <= n {
            r0 = S.wrappingSum(r0, x[i * stride]); r1 = S.wrappingSum(r1, x[(i + 1) * stride])
            r2 = S.wrappingSum(r2, x[(i + 2) * stride]); r3 = S.wrappingSum(r3, x[(i + 3) * stride])
            r4 = S.wrappingSum(r4, x[(i + 4) * stride]); r5 = S.wrappingSum(r5, x[(i + 5) * stride])
            r6 = S.wrappingSum(r6, x[(i + 6) * stride]); r7 = S.wrappingSum(r7, x[(i + 7) * stride])
            i += 8
        }
        var sum = S.wrappingSum(S.wrappingSum(S.wrappingSum(r0, r1), S.wrappingSum(r2, r3)),
                                S.wrappingSum(S.wrappingSum(r4, r5), S.wrappingSum(r6, r7)))
        while i < n { sum = S.wrappingSum(sum, x[i * stride]); i += 1 }
        return sum
    }
    var half = n / 2
    half -= half % 8
    return S.wrappingSum(pairwiseSum(x, count: half, stride: stride),
                         pairwiseSum(x + half * stride, count: n - half, stride: stride))
}

/// Multiplies in order.
public struct ProductReducer<S: NDNumeric>: RunReducer {
    @usableFromInline var total: S = 1
    @inlinable public init() {}
    @inlinable
    public mutating func fold(_ start: UnsafePointer<S>, count: Int, stride: Int, firstIndex: Int) {
        for i in 0..<count { total = S.wrappingProduct(total, start[i * stride]) }
    }
    @inlinable public func result(count: Int) -> S { total }
}

/// Keeps the largest (or, with `Smallest`, the smallest) element and its index; NaN and then the first tie win.
public struct ExtremeReducer<S: NDNumeric, Order: ExtremeOrder>: RunReducer {
    @usableFromInline var best: S? = nil
    @usableFromInline var bestIndex = 0
    /// Whether `bestIndex` is wanted (argmax, argmin); without it, contiguous
    /// Float and Double runs are folded a SIMD vector at a time.
    @usableFromInline var tracksIndex = false
    @inlinable public init() {}
    @inlinable
    public mutating func fold(_ start: UnsafePointer<S>, count: Int, stride: Int, firstIndex: Int) {
        if !tracksIndex && stride == 1 && count >= 16 && (S.self == Float.self || S.self == Double.self) {
            let largest = Order.self == Largest.self
            let raw = UnsafeRawPointer(start)
            let run: S = S.self == Float.self
                ? unsafeBitCast(runExtreme(raw.assumingMemoryBound(to: Float.self), count, largest: largest), to: S.self)
                : unsafeBitCast(runExtreme(raw.assumingMemoryBound(to: Double.self), count, largest: largest), to: S.self)
            if let current = best {
                best = largest ? propagatingMax(current, run) : propagatingMin(current, run)
            } else {
                best = run
            }
            return
        }
        for i in 0..<count {
            let x = start[i * stride]
            guard let current = best else { best = x; bestIndex = firstIndex + i; continue }
            if current.isNaNValue { return }
            if x.isNaNValue || Order.isBetter(x, than: current) {
                best = x
                bestIndex = firstIndex + i
            }
        }
    }
    @inlinable public func result(count: Int) -> S { best! }
}

/// Which extreme an `ExtremeReducer` keeps.
public protocol ExtremeOrder {
    static func isBetter<S: Comparable>(_ x: S, than current: S) -> Bool
}
/// Keep the largest.
public enum Largest: ExtremeOrder {
    @inlinable public static func isBetter<S: Comparable>(_ x: S, than current: S) -> Bool { x > current }
}
/// Keep the smallest.
public enum Smallest: ExtremeOrder {
    @inlinable public static func isBetter<S: Comparable>(_ x: S, than current: S) -> Bool { x < current }
}

/// An `ExtremeReducer` that reports the index instead of the value.
public struct ArgExtremeReducer<S: NDNumeric, Order: ExtremeOrder>: RunReducer {
    @usableFromInline var extreme = ExtremeReducer<S, Order>()
    @inlinable public init() { extreme.tracksIndex = true }
    @inlinable
    public mutating func fold(_ start: UnsafePointer<S>, count: Int, stride: Int, firstIndex: Int) {
        extreme.fold(start, count: count, stride: stride, firstIndex: firstIndex)
    }
    @inlinable public func result(count: Int) -> Int { extreme.bestIndex }
}

// MARK: - The reductions

extension NDArray where Scalar: NDNumeric {
    /// The sum of every element (0 for an empty array). NumPy: `a.sum()`.
    @inlinable public func sum() -> Scalar { reduce(SumReducer.self, "sum", axes: nil, keepDims: false).item() }
    /// Sums along `axis`. NumPy: `a.sum(axis, keepdims)`.
    /// Shape: `axis` is removed (`[B, T, C]` → `[B, T]` for axis -1), or kept as 1 with `keepDims` (`[B, T, 1]`).
    @inlinable public func sum(axis: Int, keepDims: Bool = false) -> NDArray { sum(axes: [axis], keepDims: keepDims) }
    /// Sums along several axes. NumPy: `a.sum(axis=(…), keepdims)`.
    /// Shape: each of `axes` is removed (`[B, T, C]` → `[C]` for axes `[0, 1]`), or kept as 1 with `keepDims`.
    ///
    /// Summing leading axes of an array whose trailing axes are contiguous (a
    /// bias gradient: `[B, T, C]` over axes `[0, 1]` → `[C]`) adds whole rows in
    /// memory order; everything else goes through the reduction engine.
    @inlinable public func sum(axes: [Int], keepDims: Bool = false) -> NDArray {
        sumByRows(axes: axes, keepDims: keepDims) ?? reduce(SumReducer.self, "sum", axes: axes, keepDims: keepDims)
    }

    /// The sum over the leading axes `axes`, adding one contiguous row of the
    /// remaining axes at a time (NumPy's order for such sums), or nil when the
    /// axes are not leading or the rows are not contiguous. A large sum shares
    /// the columns among threads, in pieces of whole cache lines; each column
    /// is still summed down the rows in order, so the bits never depend on the
    /// thread count.
    @inlinable
    func sumByRows(axes: [Int], keepDims: Bool) -> NDArray? {
        let reduced = normalizeAxes(axes, ndim: ndim, shape: shape, operation: "sum").sorted()
        guard !reduced.isEmpty, reduced.count < ndim, reduced == Array(0..<reduced.count) else { return nil }
        let keptShape = Array(shape[reduced.count...])
        let row = StridedWalk(shape: keptShape, strides: [Array(strides[reduced.count...])])
        let rowLength = shapeCount(keptShape)
        guard row.runCount == 1, row.runStride(0) == 1 || rowLength <= 1 else { return nil }
        let outShape = keepDims ? reduced.map { _ in 1 } + keptShape : keptShape
        var result = NDArray.zeros(outShape)
        let rows = StridedWalk(shape: Array(shape[..<reduced.count]), strides: [Array(strides[..<reduced.count])])
        let rowsPerRun = rows.runLength, rowStep = rows.runStride(0), base = storage.base
        let rowCount = shapeCount(Array(shape[..<reduced.count]))
        let piece = Swift.max(1, 64 / MemoryLayout<Scalar>.stride)  // columns per cache line
        let pieces = (rowLength + piece - 1) / piece
        result.withUnsafeMutableBufferPointer { out in
            parallelFor(pieces, grain: Swift.max(1, reductionParallelElements / Swift.max(rowCount * piece, 1))) { range in
                let first = range.lowerBound * piece, end = Swift.min(range.upperBound * piece, rowLength)
                rows.forEachRun(from: [offset]) { position in
                    for r in 0..<rowsPerRun {
                        let x = base + position[0] + r * rowStep
                        for j in first..<end { out[j] = Scalar.wrappingSum(out[j], x[j]) }
                    }
                }
            }
        }
        return result
    }

    /// The product of every element (1 for an empty array). NumPy: `a.prod()`.
    @inlinable public func prod() -> Scalar { reduce(ProductReducer.self, "prod", axes: nil, keepDims: false).item() }
    /// Products along `axis`. NumPy: `a.prod(axis, keepdims)`.
    /// Shape: `axis` is removed (`[B, T, C]` → `[B, T]` for axis -1), or kept as 1 with `keepDims` (`[B, T, 1]`).
    @inlinable public func prod(axis: Int, keepDims: Bool = false) -> NDArray { prod(axes: [axis], keepDims: keepDims) }
    /// Products along several axes. NumPy: `a.prod(axis=(…), keepdims)`.
    /// Shape: each of `axes` is removed (`[B, T, C]` → `[C]` for axes `[0, 1]`), or kept as 1 with `keepDims`.
    @inlinable public func prod(axes: [Int], keepDims: Bool = false) -> NDArray {
        reduce(ProductReducer.self, "prod", axes: axes, keepDims: keepDims)
    }

    /// The largest element (NaN if any is NaN); traps on an empty array. NumPy: `a.max()`.
    @inlinable public func max() -> Scalar {
        reduce(ExtremeReducer<Scalar, Largest>.self, "maximum", axes: nil, keepDims: false, needsElements: true).item()
    }
    /// The largest element along `axis`. NumPy: `a.max(axis, keepdims)`.
    /// Shape: `axis` is removed (`[B, T, C]` → `[B, T]` for axis -1), or kept as 1 with `keepDims` (`[B, T, 1]`).
    @inlinable public func max(axis: Int, keepDims: Bool = false) -> NDArray { max(axes: [axis], keepDims: keepDims) }
    /// The largest element along several axes. NumPy: `a.max(axis=(…), keepdims)`.
    /// Shape: each of `axes` is removed (`[B, T, C]` → `[C]` for axes `[0, 1]`), or kept as 1 with `keepDims`.
    @inlinable public func max(axes: [Int], keepDims: Bool = false) -> NDArray {
        reduce(ExtremeReducer<Scalar, Largest>.self, "maximum", axes: axes, keepDims: keepDims, needsElements: true)
    }

    /// The smallest element (NaN if any is NaN); traps on an empty array. NumPy: `a.min()`.
    @inlinable public func min() -> Scalar {
        reduce(ExtremeReducer<Scalar, Smallest>.self, "minimum", axes: nil, keepDims: false, needsElements: true).item()
    }
    /// The smallest element along `axis`. NumPy: `a.min(axis, keepdims)`.
    /// Shape: `axis` is removed (`[B, T, C]` → `[B, T]` for axis -1), or kept as 1 with `keepDims` (`[B, T, 1]`).
    @inlinable public func min(axis: Int, keepDims: Bool = false) -> NDArray { min(axes: [axis], keepDims: keepDims) }
    /// The smallest element along several axes. NumPy: `a.min(axis=(…), keepdims)`.
    /// Shape: each of `axes` is removed (`[B, T, C]` → `[C]` for axes `[0, 1]`), or kept as 1 with `keepDims`.
    @inlinable public func min(axes: [Int], keepDims: Bool = false) -> NDArray {
        reduce(ExtremeReducer<Scalar, Smallest>.self, "minimum", axes: axes, keepDims: keepDims, needsElements: true)
    }

    /// The row-major position of the largest element; the first one wins ties,
    /// and the first NaN wins over everything. NumPy: `a.argmax()`.
    @inlinable public func argmax() -> Int {
        reduce(ArgExtremeReducer<Scalar, Largest>.self, "argmax", axes: nil, keepDims: false, needsElements: true).item()
    }
    /// The index of the largest element along `axis` (first wins ties). NumPy: `a.argmax(axis, keepdims)`.
    /// Shape: `axis` is removed (`[B, T, C]` → `[B, T]` for axis -1), or kept as 1 with `keepDims` (`[B, T, 1]`).
    @inlinable public func argmax(axis: Int, keepDims: Bool = false) -> NDArray<Int> {
        reduce(ArgExtremeReducer<Scalar, Largest>.self, "argmax", axes: [axis], keepDims: keepDims, needsElements: true)
    }

    /// The row-major position of the smallest element; the first one wins ties. NumPy: `a.argmin()`.
    @inlinable public func argmin() -> Int {
        reduce(ArgExtremeReducer<Scalar, Smallest>.self, "argmin", axes: nil, keepDims: false, needsElements: true).item()
    }
    /// The index of the smallest element along `axis` (first wins ties). NumPy: `a.argmin(axis, keepdims)`.
    /// Shape: `axis` is removed (`[B, T, C]` → `[B, T]` for axis -1), or kept as 1 with `keepDims` (`[B, T, 1]`).
    @inlinable public func argmin(axis: Int, keepDims: Bool = false) -> NDArray<Int> {
        reduce(ArgExtremeReducer<Scalar, Smallest>.self, "argmin", axes: [axis], keepDims: keepDims, needsElements: true)
    }
}

extension NDArray where Scalar: NDFloatingPoint {
    /// The mean of every element (NaN for an empty array). NumPy: `a.mean()`.
    @inlinable public func mean() -> Scalar { sum() / Scalar(count) }
    /// Means along `axis`. NumPy: `a.mean(axis, keepdims)`.
    /// Shape: `axis` is removed (`[B, T, C]` → `[B, T]` for axis -1), or kept as 1 with `keepDims` (`[B, T, 1]`).
    @inlinable public func mean(axis: Int, keepDims: Bool = false) -> NDArray { mean(axes: [axis], keepDims: keepDims) }
    /// Means along several axes. NumPy: `a.mean(axis=(…), keepdims)`.
    /// Shape: each of `axes` is removed (`[B, T, C]` → `[C]` for axes `[0, 1]`), or kept as 1 with `keepDims`.
    @inlinable public func mean(axes: [Int], keepDims: Bool = false) -> NDArray {
        let n = reducedCount(axes, operation: "mean")  // checks the axes under this function's name
        return sum(axes: axes, keepDims: keepDims) / Scalar(n)
    }

    /// The variance of every element: the mean squared deviation from the mean,
    /// divided by `count - ddof` instead of `count` when `ddof` is given
    /// (`ddof: 1` is the unbiased estimate). NumPy: `a.var(ddof=…)`.
    @inlinable public func `var`(ddof: Int = 0) -> Scalar { self.var(axes: Array(0..<ndim), ddof: ddof).item() }
    /// Variances along `axis`. NumPy: `a.var(axis, ddof, keepdims)`.
    /// Shape: `axis` is removed (`[B, T, C]` → `[B, T]` for axis -1), or kept as 1 with `keepDims` (`[B, T, 1]`).
    @inlinable public func `var`(axis: Int, ddof: Int = 0, keepDims: Bool = false) -> NDArray {
        self.var(axes: [axis], ddof: ddof, keepDims: keepDims)
    }
    /// Variances along several axes, computed as NumPy does: the deviations
    /// from the mean, squared, summed, divided by `max(n - ddof, 0)`.
    /// Shape: each of `axes` is removed (`[B, T, C]` → `[C]` for axes `[0, 1]`), or kept as 1 with `keepDims`.
    @inlinable public func `var`(axes: [Int], ddof: Int = 0, keepDims: Bool = false) -> NDArray {
        let n = reducedCount(axes, operation: "var")
        let deviation = self - mean(axes: axes, keepDims: true)
        // NumPy divides by max(n − ddof, 0): too large a ddof gives infinity, never a negative variance.
        return (deviation * deviation).sum(axes: axes, keepDims: keepDims) / Scalar(Swift.max(n - ddof, 0))
    }

    /// The standard deviation of every element: the square root of `var`. NumPy: `a.std(ddof=…)`.
    @inlinable public func std(ddof: Int = 0) -> Scalar { self.var(ddof: ddof).squareRoot() }
    /// Standard deviations along `axis`. NumPy: `a.std(axis, ddof, keepdims)`.
    /// Shape: `axis` is removed (`[B, T, C]` → `[B, T]` for axis -1), or kept as 1 with `keepDims` (`[B, T, 1]`).
    @inlinable public func std(axis: Int, ddof: Int = 0, keepDims: Bool = false) -> NDArray {
        sqrt(self.var(axes: [axis], ddof: ddof, keepDims: keepDims))
    }
    /// Standard deviations along several axes. NumPy: `a.std(axis=(…), ddof, keepdims)`.
    /// Shape: each of `axes` is removed (`[B, T, C]` → `[C]` for axes `[0, 1]`), or kept as 1 with `keepDims`.
    @inlinable public func std(axes: [Int], ddof: Int = 0, keepDims: Bool = false) -> NDArray {
        sqrt(self.var(axes: axes, ddof: ddof, keepDims: keepDims))
    }

    /// How many elements each output of a reduction over `axes` combines.
    @inlinable
    func reducedCount(_ axes: [Int], operation: String) -> Int {
        normalizeAxes(axes, ndim: ndim, shape: shape, operation: operation).reduce(1) { $0 * shape[$1] }
    }
}
