// Layouts.swift — the same values in every internal layout.
//
// An operation must not care how its input sits in storage. `everyLayout`
// builds arrays of one shape whose elements are laid out six ways, in the
// spirit of swift-collections' `withEveryDeque`:
//
//   contiguous     row-major, no gaps
//   transposed     stored in reverse axis order, read through a transpose
//   stepped        every second element of a wider storage along the last axis
//   reversed       stored backwards along the last axis, read with step -1
//   offset         rows 1… of a taller storage: a non-zero offset
//   broadcast      one row read again and again through stride 0
//
// Each layout comes with the values it should hold in row-major order,
// computed here without the library, so tests can build their expectations
// from plain arrays.

import NDArray

struct Layout<S: NDArrayScalar> {
    let name: String
    /// Builds the array anew: its storage is then held by nothing but the result,
    /// so writes to it can take the in-place paths.
    let fresh: () -> NDArray<S>
    /// The elements the array must hold, row-major.
    let values: [S]
    /// One array of this layout, kept (so its storage is shared with `array`'s copies).
    let array: NDArray<S>

    init(name: String, array build: @escaping () -> NDArray<S>, values: [S]) {
        self.name = name
        self.fresh = build
        self.values = values
        self.array = build()
    }
}

/// The value at row-major position `i` for the general layouts: varied, with ties.
func layoutValue(_ i: Int) -> Double { Double((i * 7) % 11) - 4.5 + Double(i % 3) * 0.25 }

/// Every layout of an array of `shape` (at least one axis).
func everyLayout<S: NDArrayScalar>(_ shape: [Int], _ make: (Double) -> S) -> [Layout<S>] {
    let count = shape.reduce(1, *)
    let values = (0..<count).map { make(layoutValue($0)) }
    let last = shape.count - 1
    var layouts: [Layout<S>] = []

    layouts.append(Layout(name: "contiguous", array: { NDArray(shape: shape, scalars: values) }, values: values))

    // Transposed: storage[reversed index] = value[index].
    let reversedShape = Array(shape.reversed())
    var transposedStorage = values
    for i in 0..<count {
        let index = unravel(i, shape)
        transposedStorage[ravel(Array(index.reversed()), reversedShape)] = values[i]
    }
    layouts.append(Layout(name: "transposed",
                          array: { NDArray(shape: reversedShape, scalars: transposedStorage).transposed() },
                          values: values))

    // Stepped: the values at even positions of a last axis twice as long.
    var wide = shape
    wide[last] *= 2
    var steppedStorage = [S](repeating: values[0], count: count * 2)
    for i in 0..<count {
        var index = unravel(i, shape)
        index[last] *= 2
        steppedStorage[ravel(index, wide)] = values[i]
    }
    var everySecond = [NDIndex](repeating: .all, count: last)
    everySecond.append(.stride(by: 2))
    layouts.append(Layout(name: "stepped", array: { NDArray(shape: wide, scalars: steppedStorage)[indices: everySecond] },
                          values: values))

    // Reversed: stored backwards along the last axis.
    var reversedStorage = values
    for i in 0..<count {
        var index = unravel(i, shape)
        index[last] = shape[last] - 1 - index[last]
        reversedStorage[ravel(index, shape)] = values[i]
    }
    var backwards = [NDIndex](repeating: .all, count: last)
    backwards.append(.stride(by: -1))
    layouts.append(Layout(name: "reversed", array: { NDArray(shape: shape, scalars: reversedStorage)[indices: backwards] },
                          values: values))

    // Offset: one extra leading row in storage.
    var tall = shape
    tall[0] += 1
    let rowSize = count / shape[0]
    let filler = [S](repeating: values[count - 1], count: rowSize)
    layouts.append(Layout(name: "offset", array: { NDArray(shape: tall, scalars: filler + values)[1...] },
                          values: values))

    // Broadcast: the first row, read for every row.
    let row = Array(values.prefix(rowSize))
    var rowShape = shape
    rowShape[0] = 1
    layouts.append(Layout(name: "broadcast", array: { NDArray(shape: rowShape, scalars: row).broadcast(to: shape) },
                          values: (0..<shape[0]).flatMap { _ in row }))
    return layouts
}

/// Every layout of a Double array of `shape`.
func everyLayout(_ shape: [Int]) -> [Layout<Double>] {
    everyLayout(shape) { (value: Double) -> Double in value }
}

/// The multi-index of row-major position `i`.
func unravel(_ i: Int, _ shape: [Int]) -> [Int] {
    var rest = i
    var index = [Int](repeating: 0, count: shape.count)
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        index[axis] = rest % shape[axis]
        rest /= shape[axis]
    }
    return index
}

/// The row-major position of a multi-index.
func ravel(_ index: [Int], _ shape: [Int]) -> Int {
    zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
}

/// A reduction computed the plain way: `combine` applied to the elements of
/// `values` (row-major, of `shape`) that share every index outside `axes`.
func referenceReduce(_ values: [Double], shape: [Int], axes: [Int], keepDims: Bool,
                     _ combine: ([Double]) -> Double) -> NDArray<Double> {
    let reduced = Set(axes.map { $0 < 0 ? $0 + shape.count : $0 })
    let outShape = shape.indices.filter { !reduced.contains($0) }.map { shape[$0] }
    var groups = [[Double]](repeating: [], count: outShape.reduce(1, *))
    for (i, value) in values.enumerated() {
        let index = unravel(i, shape)
        let kept = shape.indices.filter { !reduced.contains($0) }.map { index[$0] }
        groups[ravel(kept, outShape)].append(value)
    }
    let keptShape = keepDims ? shape.indices.map { reduced.contains($0) ? 1 : shape[$0] } : outShape
    return NDArray(shape: keptShape, scalars: groups.map(combine))
}
