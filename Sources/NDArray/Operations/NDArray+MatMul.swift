// NDArray+MatMul.swift — matrix products with NumPy's rules.
//
//   matmul([M, K], [K, N])            → [M, N]
//   matmul([B, M, K], [K, N])         → [B, M, N]       batch axes broadcast
//   matmul([B, NH, T, HS], [B, NH, HS, T]) → [B, NH, T, T]  attention scores
//   matmul([K], [K, N])               → [N]             a 1-d left operand is a row…
//   matmul([M, K], [K])               → [M]             …a 1-d right operand a column
//   dot, outer                        NumPy's np.dot and np.outer
//
// Each [M, K]·[K, N] product runs `gemm`: for every row i of A and every k,
// add A[i, k] times row k of B into row i of C. The inner loop walks rows of
// B and C with stride 1, so it vectorises. `gemmReference` — three loops, one
// dot product per output — stays beside it as the test oracle.
//
// Not here: packing, cache blocking and threads (the kernels issue); einsum.

/// C = A·B for row-major contiguous A [m, k], B [k, n], C [m, n].
@inlinable
func gemm<S: NDNumeric>(m: Int, n: Int, k: Int,
                        _ a: UnsafePointer<S>, _ b: UnsafePointer<S>, _ c: UnsafeMutablePointer<S>) {
    for i in 0..<m {
        let cRow = c + i * n
        cRow.initialize(repeating: 0, count: n)
        for p in 0..<k {
            let aip = a[i * k + p], bRow = b + p * n
            for j in 0..<n { cRow[j] = S.wrappingSum(cRow[j], S.wrappingProduct(aip, bRow[j])) }
        }
    }
}

/// C = A·B by the definition: C[i, j] = Σ_p A[i, p]·B[p, j], summed in order of p.
@inlinable
func gemmReference<S: NDNumeric>(m: Int, n: Int, k: Int,
                                 _ a: UnsafePointer<S>, _ b: UnsafePointer<S>, _ c: UnsafeMutablePointer<S>) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: S = 0
            for p in 0..<k { sum = S.wrappingSum(sum, S.wrappingProduct(a[i * k + p], b[p * n + j])) }
            c[i * n + j] = sum
        }
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
/// An operand that is not contiguous (a transpose such as `w.T`) is first
/// copied into contiguous memory.
@inlinable
public func matmul<S: NDNumeric>(_ a: NDArray<S>, _ b: NDArray<S>) -> NDArray<S> {
    matmul(a, b, kernel: { m, n, k, pa, pb, pc in gemm(m: m, n: n, k: k, pa, pb, pc) })
}

/// `matmul` computed with `gemmReference`: the test oracle for `matmul`.
@inlinable
public func matmulReference<S: NDNumeric>(_ a: NDArray<S>, _ b: NDArray<S>) -> NDArray<S> {
    matmul(a, b, kernel: { m, n, k, pa, pb, pc in gemmReference(m: m, n: n, k: k, pa, pb, pc) })
}

/// NumPy's matmul rules around a kernel for one contiguous [m, k]·[k, n] product.
@inlinable
func matmul<S: NDNumeric>(
    _ a: NDArray<S>, _ b: NDArray<S>,
    kernel: (Int, Int, Int, UnsafePointer<S>, UnsafePointer<S>, UnsafeMutablePointer<S>) -> Void
) -> NDArray<S> {
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

    // Contiguous operands, read through broadcast batch strides (stride 0: the same matrix reused).
    let ca = left.contiguous(), cb = right.contiguous()  // kept alive by the closure below, which reads them
    let batchA = NDArray(storage: ca.storage, shape: leftBatch, strides: Array(ca.strides.dropLast(2)), offset: ca.offset)
    let batchB = NDArray(storage: cb.storage, shape: rightBatch, strides: Array(cb.strides.dropLast(2)), offset: cb.offset)
    var result = NDArray<S>(uninitializedShape: batch + [m, n])
    let out = result.storage.base
    let walk = StridedWalk(shape: batch, strides: [broadcastStrides(batchA, to: batch), broadcastStrides(batchB, to: batch)])
    let length = walk.runLength, sa = walk.runStride(0), sb = walk.runStride(1)
    var product = 0
    walk.forEachRun(from: [ca.offset, cb.offset]) { position in
        for j in 0..<length {
            kernel(m, n, k, ca.storage.base + position[0] + j * sa, cb.storage.base + position[1] + j * sb,
                   out + product * m * n)
            product += 1
        }
    }
    if a.ndim == 1 { result = result.squeezed(axis: -2) }
    if b.ndim == 1 { result = result.squeezed(axis: -1) }
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
