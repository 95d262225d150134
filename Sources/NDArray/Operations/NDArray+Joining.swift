// NDArray+Joining.swift — concatenate, stack and split.
//
//   concatenate([[2, 3], [4, 3]], axis: 0)  → [6, 3]     along an existing axis
//   stack([[2, 3], [2, 3]], axis: 0)        → [2, 2, 3]  along a new axis
//   split([4, 6], sections: 3, axis: 1)     → three [4, 2] views
//
// concatenate and stack copy into one new contiguous array; split returns views.

/// The arrays joined along an existing axis; every other size must match.
/// NumPy: `np.concatenate(arrays, axis)`.
///
/// - Parameter arrays: `[…, Dᵢ, …]` each, equal except along `axis`
/// - Returns: `[…, ΣDᵢ, …]`
@inlinable
public func concatenate<S>(_ arrays: [NDArray<S>], axis: Int = 0) -> NDArray<S> {
    guard let first = arrays.first else { shapeFailure("concatenate", "need at least one array to concatenate") }
    if first.ndim == 0 { shapeFailure("concatenate", "zero-dimensional arrays cannot be concatenated") }
    let axis = normalizeAxis(axis, ndim: first.ndim, shape: first.shape, operation: "concatenate")
    for (i, array) in arrays.enumerated() {
        if array.ndim != first.ndim {
            shapeFailure("concatenate", "all the input arrays must have the same number of dimensions, but "
                            + "array 0 has shape \(describe(first.shape)) and array \(i) has shape \(describe(array.shape))")
        }
        for d in 0..<first.ndim where d != axis && array.shape[d] != first.shape[d] {
            shapeFailure("concatenate", "shapes \(describe(first.shape)) (array 0) and \(describe(array.shape)) "
                            + "(array \(i)) differ on axis \(d): \(first.shape[d]) != \(array.shape[d])")
        }
    }
    var shape = first.shape
    shape[axis] = arrays.reduce(0) { $0 + $1.shape[axis] }
    let result = NDArray<S>(uninitializedShape: shape)
    var start = 0
    for array in arrays {
        // The slab of the result this array fills: a view with the result's strides.
        var slabShape = shape
        slabShape[axis] = array.shape[axis]
        let slab = NDArray(storage: result.storage, shape: slabShape, strides: result.strides,
                           offset: start * result.strides[axis])
        assignElements(array, to: slab, operation: "concatenate")
        start += array.shape[axis]
    }
    return result
}

/// The arrays, all of one shape, joined along a new axis. NumPy: `np.stack(arrays, axis)`.
///
/// - Parameter arrays: `[D₀, D₁, …]` each
/// - Returns: the shape with `arrays.count` inserted at `axis`
@inlinable
public func stack<S>(_ arrays: [NDArray<S>], axis: Int = 0) -> NDArray<S> {
    guard let first = arrays.first else { shapeFailure("stack", "need at least one array to stack") }
    for (i, array) in arrays.enumerated() where array.shape != first.shape {
        shapeFailure("stack", "all input arrays must have the same shape, but array 0 has shape "
                        + "\(describe(first.shape)) and array \(i) has shape \(describe(array.shape))")
    }
    if axis < -(first.ndim + 1) || axis > first.ndim {
        shapeFailure("stack", "axis \(axis) is out of bounds for the result of ndim \(first.ndim + 1) "
                        + "(arrays of shape \(describe(first.shape)))")
    }
    return concatenate(arrays.map { $0.expandedDims(axis: axis) }, axis: axis)
}

/// `sections` equal views along `axis`; traps when the size does not divide.
/// NumPy: `np.split(array, sections, axis)`.
/// Shape: each part has `size / sections` on `axis` (`[B, T, 3C]` in 3 along -1 → three `[B, T, C]`).
@inlinable
public func split<S>(_ array: NDArray<S>, sections: Int, axis: Int = 0) -> [NDArray<S>] {
    let a = normalizeAxis(axis, ndim: array.ndim, shape: array.shape, operation: "split")
    let size = array.shape[a]
    if sections <= 0 || size % sections != 0 {
        shapeFailure("split", "array split does not result in an equal division: axis \(axis) of size \(size) "
                        + "(shape \(describe(array.shape))) into \(sections) sections")
    }
    return split(array, indices: (1..<sections).map { $0 * (size / sections) }, axis: axis)
}

/// Views between the given positions along `axis`: `[0, i₀)`, `[i₀, i₁)`, …, `[iₙ, end)`.
/// Positions past the end give empty views, as in NumPy. NumPy: `np.split(array, indices, axis)`.
/// Shape: part `i` has `indices[i] - indices[i-1]` on `axis` (clamped to the axis).
@inlinable
public func split<S>(_ array: NDArray<S>, indices: [Int], axis: Int = 0) -> [NDArray<S>] {
    let a = normalizeAxis(axis, ndim: array.ndim, shape: array.shape, operation: "split")
    let bounds: [Int?] = [nil] + indices.map { Optional($0) } + [nil]
    return (0..<(bounds.count - 1)).map { i in
        var index = [NDIndex](repeating: .all, count: a)
        index.append(NDIndex(.range(lower: bounds[i], upper: bounds[i + 1], step: 1)))
        return array.view(at: index)
    }
}
