// NDArray+MatMul.swift — matrix products with NumPy's rules.
//
//   matmul([M, K], [K, N])            → [M, N]
//   matmul([B, M, K], [K, N])         → [B, M, N]       batch axes broadcast
//   matmul([B, NH, T, HS], [B, NH, HS, T]) → [B, NH, T, T]  attention scores
//   matmul([K], [K, N])               → [N]             a 1-d left operand is a row…
//   matmul([M, K], [K])               → [M]             …a 1-d right operand a column
//   dot, outer                        NumPy's np.dot and np.outer
//
// Each [M, K]·[K, N] product reads its operands in place, through their row
// and column strides: a transpose (`w.T`), a slice or a broadcast batch is
// never copied first. Float and Double go to the packed, blocked, threaded
// GEMM in Kernels/GEMM.swift (one row or column of output to Kernels/GEMV.swift);
// integer types to a plain loop. When B is the same matrix for every batch
// entry and A's batch rows lie evenly in memory, the batch folds into M: one
// [B·T, C]·[C, N] product instead of B small ones. Small batched products
// (attention's [T, HS]·[HS, T] per head) run one batch entry per thread.
//
// `gemmReference` — three loops, one dot product per output, summed in order
// of p — stays beside them as the test oracle (`matmulReference`).
//
// Not here: einsum.

/// C = A·B by the definition: C[i, j] = Σ_p A[i, p]·B[p, j], summed in order of p.
@inlinable
func gemmReference<S: NDNumeric>(m: Int, n: Int, k: Int, _ a: StridedMatrix<S>, _ b: StridedMatrix<S>,
                                 _ c: UnsafeMutablePointer<S>, ldc: Int) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: S = 0
            for p in 0..<k {
                sum = S.wrappingSum(sum, S.wrappingProduct(a.base[i * a.rowStride + p * a.columnStride],
                                                           b.base[p * b.rowStride + j * b.columnStride]))
            }
            c[i * ldc + j] = sum
        }
    }
}

/// C = A·B for integer scalars: for each row i and each p, add A[i, p] times row p of B.
@inlinable
func gemmPlain<S: NDNumeric>(m: Int, n: Int, k: Int, _ a: StridedMatrix<S>, _ b: StridedMatrix<S>,
                             _ c: UnsafeMutablePointer<S>, ldc: Int) {
    for i in 0..<m {
        let cRow = c + i * ldc
        cRow.update(repeating: 0, count: n)
        for p in 0..<k {
            let aip = a.base[i * a.rowStride + p * a.columnStride], bRow = b.base + p * b.rowStride
            for j in 0..<n { cRow[j] = S.wrappingSum(cRow[j], S.wrappingProduct(aip, bRow[j * b.columnStride])) }
        }
    }
}

/// One [m, k]·[k, n] product into contiguous rows of C with the fastest kernel for `S`.
@inlinable
func gemmFastest<S: NDNumeric>(m: Int, n: Int, k: Int, _ a: StridedMatrix<S>, _ b: StridedMatrix<S>,
                               _ c: UnsafeMutablePointer<S>, ldc: Int, threads: Int) {
    if S.self == Float.self {
        gemmFloat(m: m, n: n, k: k, a.rebound(to: Float.self), b.rebound(to: Float.self),
                  UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: ldc, threads: threads)
    } else if S.self == Double.self {
        gemmDouble(m: m, n: n, k: k, a.rebound(to: Double.self), b.rebound(to: Double.self),
                   UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), ldc: ldc, threads: threads)
    } else {
        gemmPlain(m: m, n: n, k: k, a, b, c, ldc: ldc)
    }
}

extension StridedMatrix {
    /// The same matrix seen as another scalar type of the same size (the caller checked it is the same type).
    @inlinable
    func rebound<T>(to: T.Type) -> StridedMatrix<T> {
        StridedMatrix<T>(UnsafeRawPointer(base).assumingMemoryBound(to: T.self), rowStride: rowStride,
                         columnStride: columnStride)
    }
}

/// The matrix product with NumPy's rules for 1-d, 2-d and batched operands
/// (batch axes broadcast). NumPy: `np.matmul(a, b)` / `a @ b`.
///
/// - Parameters:
///   - a: `[…, M, K]`, or `[K]` (treated as one row, removed from the result)
///   - b: `[…, K, N]`, or `[K]` (treated as one column, removed from the result)
/// - Returns: `[…, M, N]`, the batch axes broadcast.
///
/// Traps when the inner sizes differ:
/// `matmul: shapes [2, 3] and [4, 5] not aligned: 3 (axis -1) != 4 (axis -2)`.
///
/// Operands are read in place whatever their strides (`x.matmul(w.T)` packs
/// `w` directly). Float and Double use every thread of `ComputeThreads.count`;
/// the result is the same bit for bit on any thread count.
@inlinable
public func matmul<S: NDNumeric>(_ a: NDArray<S>, _ b: NDArray<S>) -> NDArray<S> {
    matmul(a, b, reference: false)
}

/// c += a·b for matrices, written into c's own memory: no [M, N] result is allocated (a weight's
/// gradient, dW += dYᵀ·X, accumulated across layers and micro-batches). The same kernels as `matmul`.
/// - Parameters:
///   - a: [M, K], any strides (e.g. `dY.T`)
///   - b: [K, N], any strides
///   - c: [M, N]; made contiguous and unshared first if it is not
@_specialize(where S == Float)
@_specialize(where S == Double)
public func matmul<S: NDNumeric>(_ a: NDArray<S>, _ b: NDArray<S>, addingInto c: inout NDArray<S>) {
    guard a.ndim == 2, b.ndim == 2, a.shape[1] == b.shape[0], c.shape == [a.shape[0], b.shape[1]] else {
        shapeFailure("matmul(addingInto:)", "shapes \(describe(a.shape)) · \(describe(b.shape)) into "
                        + "\(describe(c.shape)): expected [M, K] · [K, N] into [M, N]")
    }
    guard S.self == Float.self || S.self == Double.self else {
        c += matmul(a, b)
        return
    }
    let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
    let am = StridedMatrix(UnsafePointer(a.storage.base + a.offset), rowStride: a.strides[0], columnStride: a.strides[1])
    let bm = StridedMatrix(UnsafePointer(b.storage.base + b.offset), rowStride: b.strides[0], columnStride: b.strides[1])
    withExtendedLifetime((a, b)) {
        c.withUnsafeMutableBufferPointer { out in
            guard let base = out.baseAddress else { return }
            if S.self == Float.self {
                gemmFloat(m: m, n: n, k: k, am.rebound(to: Float.self), bm.rebound(to: Float.self),
                          UnsafeMutableRawPointer(base).assumingMemoryBound(to: Float.self), ldc: n,
                          threads: ComputeThreads.count, addToC: true)
            } else {
                gemmDouble(m: m, n: n, k: k, am.rebound(to: Double.self), bm.rebound(to: Double.self),
                           UnsafeMutableRawPointer(base).assumingMemoryBound(to: Double.self), ldc: n,
                           threads: ComputeThreads.count, addToC: true)
            }
        }
    }
}

/// `matmul` computed with `gemmReference`, one thread: the test oracle for `matmul`.
@inlinable
public func matmulReference<S: NDNumeric>(_ a: NDArray<S>, _ b: NDArray<S>) -> NDArray<S> {
    matmul(a, b, reference: true)
}

/// NumPy's matmul rules around the products of each batch entry.
@inlinable
func matmul<S: NDNumeric>(_ a: NDArray<S>, _ b: NDArray<S>, reference: Bool) -> NDArray<S> {
    if a.ndim == 0 || b.ndim == 0 {
        shapeFailure("matmul", "shapes \(describe(a.shape)) and \(describe(b.shape)): "
                        + "a 0-d operand does not have enough dimensions (use *)")
    }
    // A 1-d operand becomes a matrix: a row on the left, a column on the right.
    let left = a.ndim == 1 ? a.expandedDims(axis: 0) : a      // [K] → [1, K]
    let right = b.ndim == 1 ? b.expandedDims(axis: -1) : b    // [K] → [K, 1]
    let (m, k) = (left.shape[left.ndim - 2], left.shape[left.ndim - 1])
    let (k2, n) = (right.shape[right.ndim - 2], right.shape[right.ndim - 1])
    if k != k2 {
        shapeFailure("matmul", "shapes \(describe(a.shape)) and \(describe(b.shape)) not aligned: "
                        + "\(k) (axis -1) != \(k2) (axis \(b.ndim == 1 ? -1 : -2))")
    }
    let leftBatch = Array(left.shape.dropLast(2)), rightBatch = Array(right.shape.dropLast(2))
    guard let batch = try? broadcastShapes(leftBatch, rightBatch) else {
        // Name the first batch axis, counted from the end of the operands, whose sizes clash.
        let clash = (1...Swift.max(leftBatch.count, rightBatch.count)).first { f in
            let x = f <= leftBatch.count ? leftBatch[leftBatch.count - f] : 1
            let y = f <= rightBatch.count ? rightBatch[rightBatch.count - f] : 1
            return x != y && x != 1 && y != 1
        }!
        shapeFailure("matmul", "batch axes of shapes \(describe(a.shape)) and \(describe(b.shape)) cannot be "
                        + "broadcast together: \(leftBatch[leftBatch.count - clash]) (axis \(-clash - 2)) != "
                        + "\(rightBatch[rightBatch.count - clash]) (axis \(-clash - 2))")
    }

    var result = NDArray<S>(uninitializedShape: batch + [m, n])
    let out = result.storage.base
    // Each operand's batch strides, with stride 0 on broadcast axes; its matrix strides.
    let lead = left.ndim - 2, rightLead = right.ndim - 2
    let aBatchStrides = broadcastStrides(shape: leftBatch, strides: Array(left.strides.prefix(lead)), to: batch)
    let bBatchStrides = broadcastStrides(shape: rightBatch, strides: Array(right.strides.prefix(rightLead)), to: batch)
    let (ars, acs) = (left.strides[lead], left.strides[lead + 1])
    let (brs, bcs) = (right.strides[rightLead], right.strides[rightLead + 1])
    let pa = UnsafePointer(left.storage.base + left.offset), pb = UnsafePointer(right.storage.base + right.offset)
    let product = { (m: Int, aOffset: Int, bOffset: Int, rows: Int, cOffset: Int, threads: Int) in
        let am = StridedMatrix(pa + aOffset, rowStride: rows, columnStride: acs)
        let bm = StridedMatrix(pb + bOffset, rowStride: brs, columnStride: bcs)
        if reference {
            gemmReference(m: m, n: n, k: k, am, bm, out + cOffset, ldc: n)
        } else {
            gemmFastest(m: m, n: n, k: k, am, bm, out + cOffset, ldc: n, threads: threads)
        }
    }
    let threads = reference ? 1 : ComputeThreads.count
    let batchCount = shapeCount(batch)

    // B shared by every batch entry, and A's rows evenly spaced: one tall product.
    if batchCount > 1 && bBatchStrides.allSatisfy({ $0 == 0 }) {
        let rows = StridedWalk(shape: batch + [m], strides: [aBatchStrides + [ars]])
        if rows.shape.count == 1 {
            product(batchCount * m, 0, 0, rows.runStride(0), 0, threads)
            return finishMatmul(result, a, b)
        }
    }
    // Otherwise one product per batch entry: entries across threads when each is small.
    var aOffsets = [Int](repeating: 0, count: batchCount), bOffsets = aOffsets
    for t in 0..<batchCount {
        var rest = t
        for axis in stride(from: batch.count - 1, through: 0, by: -1) {
            let i = rest % batch[axis]
            rest /= batch[axis]
            aOffsets[t] += i * aBatchStrides[axis]
            bOffsets[t] += i * bBatchStrides[axis]
        }
    }
    let work = m * n * k
    if batchCount > 1 && threads > 1 && work < 2 * gemmParallelWork {
        parallelFor(batchCount, grain: Swift.max(1, gemmParallelWork / Swift.max(work, 1)), threads: threads) { range in
            for t in range { product(m, aOffsets[t], bOffsets[t], ars, t * m * n, 1) }
        }
    } else {
        for t in 0..<batchCount { product(m, aOffsets[t], bOffsets[t], ars, t * m * n, threads) }
    }
    result = finishMatmul(result, a, b)
    return result
}

/// Removes the axes that 1-d operands gained.
@inlinable
func finishMatmul<S>(_ result: NDArray<S>, _ a: NDArray<S>, _ b: NDArray<S>) -> NDArray<S> {
    var result = result
    if a.ndim == 1 { result = result.squeezed(axis: -2) }
    if b.ndim == 1 { result = result.squeezed(axis: -1) }
    return result
}

/// Strides reading an array of `shape` and `strides` as if it had the broadcast shape `target`.
@inlinable
func broadcastStrides(shape: [Int], strides: [Int], to target: [Int]) -> [Int] {
    var result = [Int](repeating: 0, count: target.count)
    let lead = target.count - shape.count
    for axis in 0..<shape.count where shape[axis] != 1 { result[lead + axis] = strides[axis] }
    return result
}

/// NumPy's `np.dot`: the product of two scalars, the inner product of two
/// vectors, the matrix product of two matrices, and for N-d operands a sum
/// over the last axis of `a` and the second-to-last of `b`:
/// `dot(a, b)[i, j, k, m] = Σ a[i, j, :] · b[k, :, m]`.
///
/// - Parameters:
///   - a: `[…, K]`
///   - b: `[K]` or `[…, K, N]`
/// - Returns: `a.shape[..<-1] + b.shape[..<-2] + [N]`
@inlinable
public func dot<S: NDNumeric>(_ a: NDArray<S>, _ b: NDArray<S>) -> NDArray<S> {
    if a.ndim == 0 || b.ndim == 0 { return a * b }
    if b.ndim == 1 || a.ndim == 1 || (a.ndim == 2 && b.ndim == 2) { return dotMatmul(a, b) }
    let k = a.shape[a.ndim - 1]
    if k != b.shape[b.ndim - 2] {
        shapeFailure("dot", "shapes \(describe(a.shape)) and \(describe(b.shape)) not aligned: "
                        + "\(k) (axis -1) != \(b.shape[b.ndim - 2]) (axis -2)")
    }
    // [P, K] · [K, Q·N]: the leading axes of a are rows, b's other axes are columns.
    var order = Array(0..<b.ndim)
    order.remove(at: b.ndim - 2)
    let bColumns = b.transposed([b.ndim - 2] + order).reshaped([k, -1])  // [K, …, N] → [K, Q·N]
    let product = matmul(a.reshaped([-1, k]), bColumns)                   // [P, Q·N]
    return product.reshaped(Array(a.shape.dropLast()) + Array(b.shape.dropLast(2)) + [b.shape[b.ndim - 1]])
}

/// `matmul` for the cases where it agrees with `dot`, with `dot` named in the message.
@inlinable
func dotMatmul<S: NDNumeric>(_ a: NDArray<S>, _ b: NDArray<S>) -> NDArray<S> {
    let k = a.shape[a.ndim - 1], bk = b.shape[Swift.max(b.ndim - 2, 0)]
    if k != bk {
        shapeFailure("dot", "shapes \(describe(a.shape)) and \(describe(b.shape)) not aligned: "
                        + "\(k) (axis -1) != \(bk) (axis \(b.ndim == 1 ? -1 : -2))")
    }
    return matmul(a, b)
}

/// The outer product: `outer(a, b)[i, j] = a[i]·b[j]`, both flattened first. NumPy: `np.outer`.
///
/// - Returns: `[a.count, b.count]`
@inlinable
public func outer<S: NDNumeric>(_ a: NDArray<S>, _ b: NDArray<S>) -> NDArray<S> {
    a.flattened().expandedDims(axis: 1) * b.flattened()  // [M, 1] * [N] → [M, N]
}
