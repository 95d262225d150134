// NDArray+Views.swift — new shapes over the same storage, in O(1).
//
//   reshaped     [2, 3, 4] → [6, 4]     strides recomputed when the layout allows, else a copy
//   transposed   [2, 3, 4] → [4, 3, 2]  strides permuted: nothing moves in memory
//   squeezed     [2, 1, 4] → [2, 4]     size-1 axes dropped
//   expandedDims [2, 4]    → [2, 1, 4]  a size-1 axis inserted (stride irrelevant)
//   broadcast    [3, 1]    → [2, 3, 4]  stride 0 on stretched axes: one element read many times
//
// Each returns a view that shares storage with `self` (check with
// `sharesStorage(with:)`), except `reshaped` when the strides cannot express
// the new shape, which copies — exactly NumPy's rule.

extension NDArray {
    /// The same elements in row-major order under a new shape; one size may be
    /// -1 and is inferred. A view when the strides allow it (always for a
    /// contiguous array), else a contiguous copy. NumPy: `a.reshape(shape)`.
    ///
    /// ```swift
    /// NDArray<Float>.arange(24).reshaped([2, -1, 4]).shape   // [2, 3, 4]
    /// ```
    @inlinable
    public func reshaped(_ newShape: [Int]) -> NDArray {
        let shape = inferShape(newShape)
        if shape == self.shape { return self }
        if let strides = reshapeStrides(from: self.shape, self.strides, to: shape) {
            return NDArray(storage: storage, shape: shape, strides: strides, offset: offset)
        }
        return copy().reshaped(shape)
    }

    /// Variadic spelling of ``reshaped(_:)-(Int)``: `x.reshaped(2, -1, 4)`.
    @inlinable
    public func reshaped(_ newShape: Int...) -> NDArray {
        reshaped(newShape)
    }

    /// A 1-d array of every element in row-major order: a view when the strides
    /// allow it, else a copy. NumPy: `a.reshape(-1)` (`np.ravel` copies more often).
    /// Shape: `[B, T, C]` → `[B·T·C]`.
    @inlinable
    public func flattened() -> NDArray {
        reshaped([count])
    }

    /// `newShape` with its one -1 replaced by the size that keeps the element count.
    @inlinable
    func inferShape(_ newShape: [Int]) -> [Int] {
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        let fail = {
            shapeFailure("reshape", "cannot reshape array of shape \(describe(self.shape)) "
                            + "(\(self.count) elements) into shape \(describe(newShape))")
        }
        if unknown.count > 1 { shapeFailure("reshape", "can only infer one size, got \(describe(newShape))") }
        if newShape.contains(where: { $0 < -1 }) { fail() }
        var shape = newShape
        if let axis = unknown.first {
            if known == 0 || count % known != 0 { fail() }
            shape[axis] = count / known
        } else if known != count {
            fail()
        }
        return shape
    }

    /// The axes in reverse order: a matrix's transpose. A view. NumPy: `a.T`.
    @inlinable
    public var T: NDArray { transposed() }

    /// The axes in reverse order. A view. NumPy: `np.transpose(a)`.
    @inlinable
    public func transposed() -> NDArray {
        transposed(Array((0..<ndim).reversed()))
    }

    /// The axes rearranged: axis `i` of the result is axis `axes[i]` of `self`
    /// (negative axes allowed). A view. NumPy: `np.transpose(a, axes)`; PyTorch: `permute`.
    ///
    /// ```swift
    /// x.shape                              // [B, T, NH, HS]
    /// x.transposed([0, 2, 1, 3]).shape     // [B, NH, T, HS]
    /// ```
    @inlinable
    public func transposed(_ axes: [Int]) -> NDArray {
        if axes.count != ndim {
            shapeFailure("transpose", "axes \(axes) do not match array of shape \(describe(shape)) (ndim \(ndim))")
        }
        let order = normalizeAxes(axes, ndim: ndim, shape: shape, operation: "transpose")
        return NDArray(storage: storage, shape: order.map { shape[$0] },
                       strides: order.map { strides[$0] }, offset: offset)
    }

    /// The axes rearranged, PyTorch's spelling of ``transposed(_:)``: `x.permuted(0, 2, 1, 3)`.
    @inlinable
    public func permuted(_ axes: Int...) -> NDArray {
        transposed(axes)
    }

    /// Two axes exchanged. A view. NumPy: `np.swapaxes(a, i, j)`; PyTorch: `x.transpose(i, j)`.
    @inlinable
    public func swappedAxes(_ i: Int, _ j: Int) -> NDArray {
        var order = Array(0..<ndim)
        let a = normalizeAxis(i, ndim: ndim, shape: shape, operation: "swapaxes")
        let b = normalizeAxis(j, ndim: ndim, shape: shape, operation: "swapaxes")
        order.swapAt(a, b)
        return transposed(order)
    }

    /// Every axis of size 1 removed. A view. NumPy: `np.squeeze(a)`.
    /// Shape: `[B, 1, C]` → `[B, C]`.
    @inlinable
    public func squeezed() -> NDArray {
        squeezed(axes: shape.indices.filter { shape[$0] == 1 })
    }

    /// The size-1 axis `axis` removed; traps if its size is not 1. A view. NumPy: `np.squeeze(a, axis)`.
    /// Shape: `[B, T, 1]` → `[B, T]` for axis -1.
    @inlinable
    public func squeezed(axis: Int) -> NDArray {
        squeezed(axes: [axis])
    }

    /// The size-1 axes `axes` removed. A view. NumPy: `np.squeeze(a, axes)`.
    /// Shape: `[1, T, 1]` → `[T]` for axes `[0, 2]`.
    @inlinable
    public func squeezed(axes: [Int]) -> NDArray {
        let drop = Set(normalizeAxes(axes, ndim: ndim, shape: shape, operation: "squeeze"))
        for axis in drop where shape[axis] != 1 {
            shapeFailure("squeeze", "cannot select an axis to squeeze out which has size not equal to one: "
                            + "axis \(axis) has size \(shape[axis]) in shape \(describe(shape))")
        }
        let keep = (0..<ndim).filter { !drop.contains($0) }
        return NDArray(storage: storage, shape: keep.map { shape[$0] },
                       strides: keep.map { strides[$0] }, offset: offset)
    }

    /// A new axis of size 1 inserted at `axis` (which may be negative, counted in
    /// the result's axes). A view. NumPy: `np.expand_dims(a, axis)`; PyTorch: `unsqueeze`.
    /// Shape: `[B, T]` → `[B, 1, T]` for axis 1, `[B, T, 1]` for axis -1.
    @inlinable
    public func expandedDims(axis: Int) -> NDArray {
        if axis < -(ndim + 1) || axis > ndim {
            shapeFailure("expand_dims", "axis \(axis) is out of bounds for the result of ndim \(ndim + 1) "
                            + "(array of shape \(describe(shape)))")
        }
        let position = axis < 0 ? axis + ndim + 1 : axis
        var newShape = shape, newStrides = strides
        newShape.insert(1, at: position)
        newStrides.insert(0, at: position)
        return NDArray(storage: storage, shape: newShape, strides: newStrides, offset: offset)
    }

    /// This array read as `shape` by NumPy's broadcasting rule: stretched axes get
    /// stride 0, so nothing is copied. Writing to the result copies it first.
    /// Traps when the shapes do not broadcast. NumPy: `np.broadcast_to(a, shape)`.
    @inlinable
    public func broadcast(to newShape: [Int]) -> NDArray {
        checkShape("broadcast_to", newShape)
        let joint = broadcastShapesOrTrap(shape, newShape, operation: "broadcast_to")
        if joint != newShape {
            shapeFailure("broadcast_to", "cannot broadcast array of shape \(describe(shape)) to shape \(describe(newShape))")
        }
        return NDArray(storage: storage, shape: newShape, strides: broadcastStrides(self, to: newShape), offset: offset)
    }
}

/// Strides that read an array of `oldShape` / `oldStrides` as `newShape` (same
/// element count) without copying, or nil when no strides can (NumPy's
/// `_attempt_nocopy_reshape`).
///
/// Size-1 axes are ignored; the remaining axes are matched in groups with equal
/// products. Each old group must be contiguous within itself; the new axes of
/// the group then step through it from its innermost stride.
@inlinable
func reshapeStrides(from oldShape: [Int], _ oldStrides: [Int], to newShape: [Int]) -> [Int]? {
    if shapeCount(newShape) == 0 { return contiguousStrides(newShape) }
    let kept = oldShape.indices.filter { oldShape[$0] != 1 }
    let sizes = kept.map { oldShape[$0] }, steps = kept.map { oldStrides[$0] }
    var newStrides = [Int](repeating: 1, count: newShape.count)
    var oi = 0, ni = 0
    while oi < sizes.count && ni < newShape.count {
        var oj = oi + 1, nj = ni + 1
        var oldProduct = sizes[oi], newProduct = newShape[ni]
        while oldProduct != newProduct {
            if newProduct < oldProduct {
                newProduct *= newShape[nj]; nj += 1
            } else {
                oldProduct *= sizes[oj]; oj += 1
            }
        }
        for k in oi..<(oj - 1) where steps[k] != sizes[k + 1] * steps[k + 1] {
            return nil  // the old group has a gap: these axes cannot be merged
        }
        newStrides[nj - 1] = steps[oj - 1]
        for k in stride(from: nj - 1, to: ni, by: -1) {
            newStrides[k - 1] = newStrides[k] * newShape[k]
        }
        oi = oj
        ni = nj
    }
    return newStrides
}
