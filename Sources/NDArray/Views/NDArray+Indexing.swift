// NDArray+Indexing.swift — NumPy's basic indexing: integers, slices with
// steps, new axes and an ellipsis, as views; and assignment through them.
//
//   NumPy                 Swift
//   a[1]                  a[1]                    integer: the axis is dropped
//   a[-1]                 a[-1]                   negative counts from the end
//   a[1:3]                a[1..<3]                a range keeps the axis
//   a[1:3] (inclusive 2)  a[1...2]
//   a[::2]                a[.stride(by: 2)]
//   a[::-1]               a[.stride(by: -1)]      negative steps walk backwards
//   a[1:5:2]              a[(1..<5).stride(by: 2)]
//   a[7:2:-2]             a[.slice(7, 2, step: -2)]   NumPy's start:stop:step, exactly
//   a[:, 0]               a[.all, 0]
//   a[None]               a[.newAxis]
//   a[..., 0]             a[.ellipsis, 0]
//   a[1, 2:4] = b         a[1, 2..<4] = b         b is broadcast to the selected shape
//
// Every read returns a view (shared storage, O(1)). A write copies the storage
// first when it is shared — so, unlike NumPy, writing to a view never changes
// the array it came from.
//
// Not here: advanced indexing with integer or boolean arrays (use `take`,
// `takeAlongAxis`, `where`).

/// One entry of a subscript: an integer, a slice, a new axis or an ellipsis.
public struct NDIndex: Sendable, Equatable {
    @usableFromInline
    enum Kind: Sendable, Equatable {
        /// One position; the axis is dropped.
        case position(Int)
        /// NumPy's `start:stop:step`, with nil for an omitted bound.
        case slice(start: Int?, stop: Int?, step: Int)
        /// The elements of `lower..<upper` (NumPy bounds, nil for open), visited every
        /// `step`: from `lower` up when positive, from `upper - 1` down when negative.
        case range(lower: Int?, upper: Int?, step: Int)
        case newAxis
        case ellipsis
    }

    @usableFromInline let kind: Kind

    @inlinable init(_ kind: Kind) { self.kind = kind }

    /// Every element of the axis. NumPy: `:`.
    public static let all = NDIndex(.range(lower: nil, upper: nil, step: 1))
    /// A new axis of size 1. NumPy: `None` / `np.newaxis`.
    public static let newAxis = NDIndex(.newAxis)
    /// As many `.all` as needed to index every axis. NumPy: `...`.
    public static let ellipsis = NDIndex(.ellipsis)

    /// Every `step`-th element of the axis, backwards when `step` is negative. NumPy: `::step`.
    @inlinable
    public static func stride(by step: Int) -> NDIndex {
        NDIndex.all.stride(by: step)
    }

    /// NumPy's `start:stop:step`, bound for bound: negative bounds count from the
    /// end, nil means "from the beginning / to the end" in the direction of `step`.
    @inlinable
    public static func slice(_ start: Int?, _ stop: Int?, step: Int = 1) -> NDIndex {
        if step == 0 { shapeFailure("slice", "slice step cannot be zero") }
        return NDIndex(.slice(start: start, stop: stop, step: step))
    }

    /// The same range visited every `step`-th element; a negative step visits it
    /// from its last element down.
    @inlinable
    public func stride(by step: Int) -> NDIndex {
        if step == 0 { shapeFailure("slice", "slice step cannot be zero") }
        switch kind {
        case .range(let lower, let upper, _): return NDIndex(.range(lower: lower, upper: upper, step: step))
        case .slice(let start, let stop, _): return NDIndex(.slice(start: start, stop: stop, step: step))
        default: shapeFailure("slice", "only a range or a slice can take a step")
        }
    }
}

/// Anything that can stand in a subscript: `Int`, Swift's ranges, and ``NDIndex``.
public protocol NDIndexConvertible {
    /// This value as a subscript entry.
    var ndIndex: NDIndex { get }
}

extension NDIndex: NDIndexConvertible {
    @inlinable public var ndIndex: NDIndex { self }
}

extension NDIndexConvertible where Self == NDIndex {
    /// Every element of the axis. NumPy: `:`.
    @inlinable public static var all: NDIndex { NDIndex.all }
    /// A new axis of size 1. NumPy: `None`.
    @inlinable public static var newAxis: NDIndex { NDIndex.newAxis }
    /// As many `.all` as needed. NumPy: `...`.
    @inlinable public static var ellipsis: NDIndex { NDIndex.ellipsis }
    /// Every `step`-th element. NumPy: `::step`.
    @inlinable public static func stride(by step: Int) -> NDIndex { NDIndex.stride(by: step) }
    /// NumPy's `start:stop:step`.
    @inlinable public static func slice(_ start: Int?, _ stop: Int?, step: Int = 1) -> NDIndex {
        NDIndex.slice(start, stop, step: step)
    }
}

/// Swift's ranges in a subscript: they keep the axis, and can take a step.
public protocol NDRangeExpression: NDIndexConvertible {}

extension NDRangeExpression {
    /// This range visited every `step`-th element, from the top when `step` is negative:
    /// `x[(1..<5).stride(by: 2)]` is NumPy's `x[1:5:2]`.
    @inlinable public func stride(by step: Int) -> NDIndex { ndIndex.stride(by: step) }
}

extension Int: NDIndexConvertible {
    @inlinable public var ndIndex: NDIndex { NDIndex(.position(self)) }
}

extension Range: NDIndexConvertible, NDRangeExpression where Bound == Int {
    @inlinable public var ndIndex: NDIndex { NDIndex(.range(lower: lowerBound, upper: upperBound, step: 1)) }
}

extension ClosedRange: NDIndexConvertible, NDRangeExpression where Bound == Int {
    // `a[-3...-1]` runs to the last element: an upper bound of -1 means "through the end".
    @inlinable public var ndIndex: NDIndex {
        NDIndex(.range(lower: lowerBound, upper: upperBound == -1 ? nil : upperBound + 1, step: 1))
    }
}

extension PartialRangeFrom: NDIndexConvertible, NDRangeExpression where Bound == Int {
    @inlinable public var ndIndex: NDIndex { NDIndex(.range(lower: lowerBound, upper: nil, step: 1)) }
}

extension PartialRangeUpTo: NDIndexConvertible, NDRangeExpression where Bound == Int {
    @inlinable public var ndIndex: NDIndex { NDIndex(.range(lower: nil, upper: upperBound, step: 1)) }
}

extension PartialRangeThrough: NDIndexConvertible, NDRangeExpression where Bound == Int {
    @inlinable public var ndIndex: NDIndex {
        NDIndex(.range(lower: nil, upper: upperBound == -1 ? nil : upperBound + 1, step: 1))
    }
}

// MARK: - Resolving a subscript into a view

/// The first position and the number of positions an index entry selects on an axis of `size`.
@inlinable
func resolveSlice(_ kind: NDIndex.Kind, size: Int) -> (start: Int, count: Int, step: Int) {
    switch kind {
    case .slice(let start, let stop, let step):
        // Python's slice.indices: clamp to the axis, defaults depend on the direction.
        func clamp(_ bound: Int?, _ low: Int, _ high: Int, _ fallback: Int) -> Int {
            guard var b = bound else { return fallback }
            if b < 0 { b += size }
            return Swift.min(Swift.max(b, low), high)
        }
        if step > 0 {
            let first = clamp(start, 0, size, 0), end = clamp(stop, 0, size, size)
            return (first, end > first ? (end - first + step - 1) / step : 0, step)
        } else {
            let first = clamp(start, -1, size - 1, size - 1), end = clamp(stop, -1, size - 1, -1)
            return (first, first > end ? (first - end - step - 1) / -step : 0, step)
        }
    case .range(let lower, let upper, let step):
        func clamp(_ bound: Int?, _ fallback: Int) -> Int {
            guard var b = bound else { return fallback }
            if b < 0 { b += size }
            return Swift.min(Swift.max(b, 0), size)
        }
        let low = clamp(lower, 0), high = clamp(upper, size)
        let length = Swift.max(high - low, 0)
        let magnitude = Swift.abs(step)
        let count = (length + magnitude - 1) / magnitude
        return (step > 0 ? low : high - 1, count, step)
    default:
        shapeFailure("resolveSlice", "an integer, a new axis or an ellipsis is not a slice")  // unreachable: callers pass slices only
    }
}

extension NDArray {
    /// The view selected by `indices`, NumPy's basic indexing.
    @inlinable
    func view(at indices: [NDIndex]) -> NDArray {
        let ellipses = indices.filter { $0.kind == .ellipsis }.count
        if ellipses > 1 { shapeFailure("subscript", "an index can only have a single ellipsis") }
        let consuming = indices.filter {
            if case .newAxis = $0.kind { return false }
            if case .ellipsis = $0.kind { return false }
            return true
        }.count
        if consuming > ndim {
            shapeFailure("subscript", "too many indices for array: array of shape \(describe(shape)) "
                            + "is \(ndim)-dimensional, but \(consuming) were indexed")
        }
        var newShape: [Int] = [], newStrides: [Int] = []
        var position = offset
        var axis = 0
        func keepAxes(_ n: Int) {
            for _ in 0..<n {
                newShape.append(shape[axis]); newStrides.append(strides[axis]); axis += 1
            }
        }
        for index in indices {
            switch index.kind {
            case .position(let i):
                position += normalizeIndex(i, size: shape[axis], axis: axis, shape: shape,
                                           operation: "subscript") * strides[axis]
                axis += 1
            case .newAxis:
                newShape.append(1); newStrides.append(0)
            case .ellipsis:
                keepAxes(ndim - consuming)
            case .slice, .range:
                let (start, count, step) = resolveSlice(index.kind, size: shape[axis])
                if count > 0 { position += start * strides[axis] }
                newShape.append(count); newStrides.append(strides[axis] * step)
                axis += 1
            }
        }
        keepAxes(ndim - axis)  // a missing trailing ellipsis
        return NDArray(storage: storage, shape: newShape, strides: newStrides, offset: position)
    }

    /// The view selected by NumPy's basic indexing, or assignment through it.
    ///
    /// Reading returns a view that shares storage. Writing broadcasts the new
    /// value to the selected shape and copies the storage first if it is shared,
    /// so other arrays never see the write. NumPy: `a[…]`, `a[…] = b`.
    ///
    /// ```swift
    /// var a = NDArray<Float>.zeros([3, 5])
    /// a[1, 2..<4] = [7, 8]          // row 1, columns 2 and 3
    /// a[.all, 0] = 1                // a column, broadcast from a 0-d array
    /// let r = a[.stride(by: -1)]    // the rows reversed: a view
    /// let v = a[1, 2].item()        // one element as a number
    /// ```
    ///
    /// Write `a[i, j] = v`, not `a[i][j] = v`: the chained form reads row `i` as
    /// a view, copies it (its storage is shared with `a`), writes, and assigns
    /// the row back. NumPy's `x[1:-1]` is `x[.slice(1, -1)]`: Swift's own
    /// `1..<(-1)` traps, since a range may not run backwards.
    @inlinable
    public subscript(_ indices: any NDIndexConvertible...) -> NDArray {
        get { view(at: indices.map(\.ndIndex)) }
        set {
            makeWritable()
            assignElements(newValue, to: view(at: indices.map(\.ndIndex)), operation: "subscript assignment")
        }
    }

    /// The view selected by a list of index entries built at run time, or
    /// assignment through it. NumPy: `a[tuple(entries)]`.
    ///
    /// ```swift
    /// var entries = [NDIndex](repeating: .all, count: x.ndim - 1)
    /// entries.append(.stride(by: -1))
    /// let flipped = x[indices: entries]    // the last axis reversed
    /// ```
    @inlinable
    public subscript(indices entries: [NDIndex]) -> NDArray {
        get { view(at: entries) }
        set {
            makeWritable()
            assignElements(newValue, to: view(at: entries), operation: "subscript assignment")
        }
    }
}
