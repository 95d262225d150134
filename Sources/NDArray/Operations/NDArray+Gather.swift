// NDArray+Gather.swift — picking elements by integer indices: take,
// takeAlongAxis and oneHot.
//
//   wte.take(ids, axis: 0)            [V, C] with ids [B, T] → [B, T, C]   an embedding lookup
//   logits.takeAlongAxis(t, axis: -1) [N, V] with t [N, 1]  → [N, 1]      the logit of each target
//   NDArray<Float>.oneHot(ids, depth: V)  ids [B, T]        → [B, T, V]
//
// Indices are any integer array; negative indices count from the end (take and
// takeAlongAxis). An index out of range traps, naming the index and the axis.

extension NDArray {
    /// The slices at `indices` along `axis` (the whole array flattened when nil).
    /// NumPy: `np.take(a, indices, axis)`.
    ///
    /// - Parameter indices: any shape `I`; each entry in `-n..<n` where `n` is the size of `axis`
    /// - Returns: `shape[..<axis] + I + shape[(axis+1)...]`
    @inlinable
    public func take<Index: NDNumeric & FixedWidthInteger>(_ indices: NDArray<Index>, axis: Int? = nil) -> NDArray {
        guard let axis else { return flattened().take(indices, axis: 0) }
        let a = normalizeAxis(axis, ndim: ndim, shape: shape, operation: "take")
        let source = contiguous()
        let size = shape[a]
        let outer = shape[..<a].reduce(1, *), inner = shape[(a + 1)...].reduce(1, *)
        let ids = indices.scalars
        let result = NDArray(uninitializedShape: Array(shape[..<a]) + indices.shape + Array(shape[(a + 1)...]))
        var out = result.storage.base
        withExtendedLifetime(source) {  // the copy must outlive the pointer into it
            let base = source.storage.base + source.offset
            for o in 0..<outer {
                for id in ids {
                    let i = normalizeIndex(Int(id), size: size, axis: a, shape: shape, operation: "take")
                    out.initialize(from: base + (o * size + i) * inner, count: inner)  // one contiguous slice
                    out += inner
                }
            }
        }
        return result
    }

    /// The elements at `indices` along `axis`, matched position by position on
    /// the other axes (which broadcast). NumPy: `np.take_along_axis(a, indices, axis)`;
    /// PyTorch: `torch.gather(a, axis, indices)`.
    ///
    /// - Parameter indices: the same number of axes as `self`; entries in `-n..<n`
    /// - Returns: the broadcast of the two shapes, with `indices.shape[axis]` on `axis`
    @inlinable
    public func takeAlongAxis<Index: NDNumeric & FixedWidthInteger>(_ indices: NDArray<Index>, axis: Int) -> NDArray {
        let a = normalizeAxis(axis, ndim: ndim, shape: shape, operation: "take_along_axis")
        if indices.ndim != ndim {
            shapeFailure("take_along_axis", "indices of shape \(describe(indices.shape)) must have as many axes "
                            + "as the array of shape \(describe(shape))")
        }
        // Broadcast every axis but `axis`; on `axis` the indices decide the size.
        for i in 0..<ndim where i != a && shape[i] != indices.shape[i] && shape[i] != 1 && indices.shape[i] != 1 {
            shapeFailure("take_along_axis", "shapes \(describe(shape)) and \(describe(indices.shape)) (the indices) cannot "
                            + "be broadcast together outside axis \(a): \(shape[i]) (axis \(i)) != \(indices.shape[i]) (axis \(i))")
        }
        var mine = shape, theirs = indices.shape
        mine[a] = 1
        theirs[a] = 1
        var outShape = broadcastShapesOrTrap(mine, theirs, operation: "take_along_axis")
        outShape[a] = indices.shape[a]
        let along = NDArray(storage: storage, shape: mine, strides: strides, offset: offset)  // axis `a` pinned at 0
        var sourceStrides = broadcastStrides(along, to: outShape)
        sourceStrides[a] = 0
        let size = shape[a], axisStride = strides[a]
        let result = NDArray(uninitializedShape: outShape)
        let out = result.storage.base, base = storage.base, ids = indices.storage.base
        let walk = StridedWalk(shape: outShape, strides: [sourceStrides, broadcastStrides(indices, to: outShape)])
        let length = walk.runLength, ss = walk.runStride(0), si = walk.runStride(1)
        var written = 0
        walk.forEachRun(from: [offset, indices.offset]) { position in
            for j in 0..<length {
                let i = normalizeIndex(Int(ids[position[1] + j * si]), size: size, axis: a, shape: shape,
                                       operation: "take_along_axis")
                out[written] = base[position[0] + j * ss + i * axisStride]
                written += 1
            }
        }
        return result
    }
}

extension NDArray where Scalar: NDNumeric {
    /// One-hot rows: 1 at each index, 0 elsewhere. Indices must lie in `0..<depth`.
    /// PyTorch: `F.one_hot(indices, depth)`; NumPy: `np.eye(depth)[indices]`.
    ///
    /// - Parameter indices: any shape `I`
    /// - Returns: `I + [depth]`
    @inlinable
    public static func oneHot<Index: NDNumeric & FixedWidthInteger>(_ indices: NDArray<Index>, depth: Int) -> NDArray {
        var result = zeros(indices.shape + [depth])
        let ids = indices.scalars
        result.withUnsafeMutableBufferPointer { out in
            for (row, id) in ids.enumerated() {
                if id < 0 || Int(id) >= depth {
                    shapeFailure("oneHot", "index \(id) is out of range for depth \(depth) "
                                    + "(indices of shape \(describe(indices.shape)))")
                }
                out[row * depth + Int(id)] = 1
            }
        }
        return result
    }
}
