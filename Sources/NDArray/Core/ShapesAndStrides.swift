// ShapesAndStrides.swift — shapes, strides and broadcasting, as plain functions on [Int].
//
// Broadcasting (NumPy's rule): align the two shapes on the right; each pair of
// sizes must be equal or one of them 1; a missing axis counts as 1. The result
// takes the size of each pair that is not 1 (so [0, 3] and [1, 3] give [0, 3]).
// A stretched axis gets stride 0, so the
// same element is read again and nothing is copied.
//
//   [2, 1, 4]          [2, 1, 4]
//      [3, 1]   →   [1, 3, 1]   →   [2, 3, 4]
//
// Also here: `StridedWalk`, which visits the elements of several arrays of one
// shape in row-major order without building an index per element.

/// The number of elements in `shape` (1 for the empty shape of a 0-d array).
@inlinable
func shapeCount(_ shape: [Int]) -> Int {
    shape.reduce(1, *)
}

/// Row-major strides for `shape`: the last axis has stride 1.
@inlinable
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var step = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[axis] = step
        step *= Swift.max(shape[axis], 1)
    }
    return strides
}

/// The index [i, j, …] of flat position `flat` in a row-major array of `shape`.
/// NumPy: `np.unravel_index(flat, shape)`.
///
/// ```swift
/// unravelIndex(5, shape: [2, 3])   // [1, 2]
/// ```
public func unravelIndex(_ flat: Int, shape: [Int]) -> [Int] {
    var rest = flat, index = [Int](repeating: 0, count: shape.count)
    for axis in shape.indices.reversed() where shape[axis] > 0 {
        (rest, index[axis]) = (rest / shape[axis], rest % shape[axis])
    }
    return index
}

/// The shape two arrays broadcast to, following NumPy's rule. NumPy: `np.broadcast_shapes`.
///
/// ```swift
/// try broadcastShapes([2, 1, 4], [3, 1])   // [2, 3, 4]
/// try broadcastShapes([2, 3], [4])          // throws: 3 (axis -1) != 4 (axis -1)
/// ```
public func broadcastShapes(_ a: [Int], _ b: [Int], operation: String = "broadcast") throws(ShapeError) -> [Int] {
    let ndim = Swift.max(a.count, b.count)
    var result = [Int](repeating: 1, count: ndim)
    for fromEnd in stride(from: 1, through: ndim, by: 1) {
        let sa = fromEnd <= a.count ? a[a.count - fromEnd] : 1
        let sb = fromEnd <= b.count ? b[b.count - fromEnd] : 1
        if sa != sb && sa != 1 && sb != 1 {
            throw ShapeError(operation: operation,
                             detail: "shapes \(describe(a)) and \(describe(b)) cannot be broadcast together: "
                                 + "\(sa) (axis -\(fromEnd)) != \(sb) (axis -\(fromEnd))")
        }
        result[ndim - fromEnd] = sa == 1 ? sb : sa
    }
    return result
}

/// The broadcast shape, or a trap naming `operation`.
@inlinable
func broadcastShapesOrTrap(_ a: [Int], _ b: [Int], operation: String) -> [Int] {
    do {
        return try broadcastShapes(a, b, operation: operation)
    } catch {
        shapeFailure(error.operation, error.detail)
    }
}

/// The strides that read `array` as if it had `shape`: stretched and missing axes get stride 0.
/// `shape` must be a broadcast of the array's shape.
@inlinable
func broadcastStrides<S>(_ array: NDArray<S>, to shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 0, count: shape.count)
    let lead = shape.count - array.ndim
    for axis in 0..<array.ndim where array.shape[axis] != 1 {
        strides[lead + axis] = array.strides[axis]
    }
    return strides
}

/// A row-major walk over one shape, keeping one storage position per operand.
///
/// Axes of size 1 are dropped and neighbouring axes are merged when every
/// operand steps through them as one (a contiguous array becomes a single
/// axis). The last remaining axis is the inner run that kernels loop over;
/// `forEachRun` advances the outer axes like an odometer.
@usableFromInline
struct StridedWalk {
    /// Sizes of the merged axes; at least one axis.
    @usableFromInline var shape: [Int]
    /// `strides[operand][axis]` for the merged axes.
    @usableFromInline var strides: [[Int]]

    @inlinable
    init(shape fullShape: [Int], strides fullStrides: [[Int]]) {
        var shape: [Int] = []
        var strides = [[Int]](repeating: [], count: fullStrides.count)
        for axis in 0..<fullShape.count where fullShape[axis] != 1 {
            if let last = shape.last,
               fullStrides.indices.allSatisfy({ strides[$0].last! == fullStrides[$0][axis] * fullShape[axis] }) {
                // The previous axis steps exactly over this whole axis: merge them.
                shape[shape.count - 1] = last * fullShape[axis]
                for k in fullStrides.indices { strides[k][strides[k].count - 1] = fullStrides[k][axis] }
            } else {
                shape.append(fullShape[axis])
                for k in fullStrides.indices { strides[k].append(fullStrides[k][axis]) }
            }
        }
        if shape.isEmpty {
            shape = [1]
            for k in fullStrides.indices { strides[k] = [0] }
        }
        self.shape = shape
        self.strides = strides
    }

    /// The length of each inner run.
    @inlinable var runLength: Int { shape[shape.count - 1] }
    /// The step along the inner run for `operand`.
    @inlinable func runStride(_ operand: Int) -> Int { strides[operand][shape.count - 1] }
    /// The number of runs.
    @inlinable var runCount: Int { shape.dropLast().reduce(1, *) }

    /// Calls `body` once per inner run with the storage position of its first element
    /// for each operand, starting from `start`.
    @inlinable
    func forEachRun(from start: [Int], _ body: ([Int]) -> Void) {
        forEachRun(runs: 0..<runCount, from: start, body)
    }

    /// Calls `body` for the runs numbered `runs` (row-major order) only: a thread's share.
    @inlinable
    func forEachRun(runs: Range<Int>, from start: [Int], _ body: ([Int]) -> Void) {
        let outer = shape.count - 1
        var index = [Int](repeating: 0, count: outer)
        var position = start
        // Unravel the first run's number into the odometer.
        if runs.isEmpty { return }
        var rest = runs.lowerBound
        for axis in stride(from: outer - 1, through: 0, by: -1) where rest > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
            for k in position.indices { position[k] += index[axis] * strides[k][axis] }
        }
        for _ in runs {
            body(position)
            var axis = outer - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] {
                    for k in position.indices { position[k] += strides[k][axis] }
                    break
                }
                for k in position.indices { position[k] -= strides[k][axis] * (shape[axis] - 1) }
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
