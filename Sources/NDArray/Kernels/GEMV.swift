// GEMV.swift — products with one row or one column of output: a token at a time.
//
//   y[j] = Σ_p x[p]·B[p, j]        x [K], B [K, N], y [N]     ([1, K]·[K, N])
//   y[i] = Σ_p A[i, p]·x[p]        A [M, K], x [K], y [M]     ([M, K]·[K, 1])
//
// The second is the first read through transposes, so one routine serves
// both. Each weight is used once, so the work is bound by memory bandwidth:
// there is nothing to gain from packing, everything from reading B once, in
// order. Two layouts, two loops:
//
//   B's rows contiguous      for each p: y[chunk] += x[p]·B[p, chunk]   (y stays in L1)
//   B's columns contiguous   y[j] = dot(x, column j of B)               (a weight [N, K] used as wᵀ)
//
// Threads take disjoint chunks of y; every y[j] is summed in the same order
// whatever the split. Any other layout goes through the blocked GEMM.

/// C [m, n] = A [m, k]·B [k, n] where m == 1 or n == 1.
@inline(__always)
func gemv<V: SIMD>(m: Int, n: Int, k: Int, _ a: StridedMatrix<V.Scalar>, _ b: StridedMatrix<V.Scalar>,
                   _ c: UnsafeMutablePointer<V.Scalar>, ldc: Int, threads: Int, vector: V.Type)
where V.Scalar: BinaryFloatingPoint {
    if m == 1 {
        vectorMatrix(k: k, n: n, x: a.base, xStride: a.columnStride, b, y: c, yStride: 1, threads: threads,
                     vector: V.self)
    } else {
        // y = A·x is yᵀ = xᵀ·Aᵀ.
        vectorMatrix(k: k, n: m, x: b.base, xStride: b.rowStride, a.transposed, y: c, yStride: ldc,
                     threads: threads, vector: V.self)
    }
}

/// Output entries per unit of work handed to a thread.
let vectorChunk = 64

/// y[j·yStride] = Σ_p x[p·xStride]·B[p, j] for j in 0..<n.
@inline(__always)
func vectorMatrix<V: SIMD>(k: Int, n: Int, x: UnsafePointer<V.Scalar>, xStride: Int, _ b: StridedMatrix<V.Scalar>,
                           y: UnsafeMutablePointer<V.Scalar>, yStride: Int, threads: Int, vector: V.Type)
where V.Scalar: BinaryFloatingPoint {
    typealias S = V.Scalar
    if b.columnStride != 1 && b.rowStride != 1 {
        // Neither layout streams: let the blocked GEMM pack it, one row of output.
        let row = UnsafeMutablePointer<S>.allocate(capacity: n)
        defer { row.deallocate() }
        blockedGEMM(m: 1, n: n, k: k, StridedMatrix(x, rowStride: 0, columnStride: xStride), b, row, ldc: n,
                    vector: V.self)
        for j in 0..<n { y[j * yStride] = row[j] }
        return
    }
    // Contiguous copies of x (and of y when it is strided) cost O(k + n), nothing beside O(k·n).
    let xs = UnsafeMutablePointer<S>.allocate(capacity: k)
    for p in 0..<k { xs[p] = x[p * xStride] }
    let ys = yStride == 1 ? y : UnsafeMutablePointer<S>.allocate(capacity: n)
    defer {
        xs.deallocate()
        if yStride != 1 {
            for j in 0..<n { y[j * yStride] = ys[j] }
            ys.deallocate()
        }
    }
    let chunks = (n + vectorChunk - 1) / vectorChunk
    let grain = Swift.max(1, gemmParallelWork / Swift.max(k * vectorChunk, 1))
    parallelFor(chunks, grain: grain, threads: threads) { range in
        let j0 = range.lowerBound * vectorChunk, j1 = Swift.min(range.upperBound * vectorChunk, n)
        if b.columnStride == 1 {
            rowsIntoChunk(k: k, x: xs, b.base, rowStride: b.rowStride, columns: j0..<j1, y: ys, vector: V.self)
        } else {
            for j in j0..<j1 { ys[j] = dotProduct(k, xs, b.base + j * b.columnStride, vector: V.self) }
        }
    }
}

/// y[columns] = Σ_p x[p]·B[p, columns], B's rows contiguous and `rowStride` apart.
/// Eight rows of B are folded into each pass over a block of y, so y is loaded
/// and stored once per eight multiply-adds while B streams by in eight rows.
/// Every y[j] still adds its terms one at a time, in order of p.
@inline(__always)
func rowsIntoChunk<V: SIMD>(k: Int, x: UnsafePointer<V.Scalar>, _ b: UnsafePointer<V.Scalar>, rowStride: Int,
                            columns: Range<Int>, y: UnsafeMutablePointer<V.Scalar>, vector: V.Type)
where V.Scalar: BinaryFloatingPoint {
    let w = V.scalarCount, size = MemoryLayout<V>.stride
    let block = 16384  // entries of y per pass: 64 KB of floats, in L2
    for j in stride(from: columns.lowerBound, to: columns.upperBound, by: block) {
        let end = Swift.min(j + block, columns.upperBound)
        let vectors = (end - j) / w, tail = j + vectors * w
        let out = UnsafeMutableRawPointer(y + j)
        for v in 0..<vectors { out.storeBytes(of: V(), toByteOffset: v * size, as: V.self) }
        for t in tail..<end { y[t] = 0 }
        var p = 0
        let rowBytes = rowStride * MemoryLayout<V.Scalar>.stride
        while p + 8 <= k {
            let x0 = V(repeating: x[p]), x1 = V(repeating: x[p + 1])
            let x2 = V(repeating: x[p + 2]), x3 = V(repeating: x[p + 3])
            let x4 = V(repeating: x[p + 4]), x5 = V(repeating: x[p + 5])
            let x6 = V(repeating: x[p + 6]), x7 = V(repeating: x[p + 7])
            let r0 = UnsafeRawPointer(b + p * rowStride + j)
            for v in 0..<vectors {
                let o = v * size
                var sum = out.loadUnaligned(fromByteOffset: o, as: V.self)
                sum = multiplyAdd(sum, x0, r0.loadUnaligned(fromByteOffset: o, as: V.self))
                sum = multiplyAdd(sum, x1, r0.loadUnaligned(fromByteOffset: o + rowBytes, as: V.self))
                sum = multiplyAdd(sum, x2, r0.loadUnaligned(fromByteOffset: o + 2 * rowBytes, as: V.self))
                sum = multiplyAdd(sum, x3, r0.loadUnaligned(fromByteOffset: o + 3 * rowBytes, as: V.self))
                sum = multiplyAdd(sum, x4, r0.loadUnaligned(fromByteOffset: o + 4 * rowBytes, as: V.self))
                sum = multiplyAdd(sum, x5, r0.loadUnaligned(fromByteOffset: o + 5 * rowBytes, as: V.self))
                sum = multiplyAdd(sum, x6, r0.loadUnaligned(fromByteOffset: o + 6 * rowBytes, as: V.self))
                sum = multiplyAdd(sum, x7, r0.loadUnaligned(fromByteOffset: o + 7 * rowBytes, as: V.self))
                out.storeBytes(of: sum, toByteOffset: o, as: V.self)
            }
            for q in p..<(p + 8) {
                let row = b + q * rowStride
                for t in tail..<end { y[t] += x[q] * row[t] }
            }
            p += 8
        }
        while p < k {
            let xp = V(repeating: x[p]), row = b + p * rowStride
            let input = UnsafeRawPointer(row + j)
            for v in 0..<vectors {
                let o = v * size
                let sum = multiplyAdd(out.loadUnaligned(fromByteOffset: o, as: V.self), xp,
                                      input.loadUnaligned(fromByteOffset: o, as: V.self))
                out.storeBytes(of: sum, toByteOffset: o, as: V.self)
            }
            for t in tail..<end { y[t] += x[p] * row[t] }
            p += 1
        }
    }
}

/// Σ_p x[p]·y[p], both contiguous: four vector accumulators, then a fixed-order tail.
@inline(__always)
func dotProduct<V: SIMD>(_ k: Int, _ x: UnsafePointer<V.Scalar>, _ y: UnsafePointer<V.Scalar>, vector: V.Type)
-> V.Scalar where V.Scalar: BinaryFloatingPoint {
    let w = V.scalarCount, size = MemoryLayout<V>.stride
    let px = UnsafeRawPointer(x), py = UnsafeRawPointer(y)
    var s0 = V(), s1 = V(), s2 = V(), s3 = V()
    var p = 0
    while p + 4 * w <= k {
        let o = p * MemoryLayout<V.Scalar>.stride
        s0 = multiplyAdd(s0, px.loadUnaligned(fromByteOffset: o, as: V.self), py.loadUnaligned(fromByteOffset: o, as: V.self))
        s1 = multiplyAdd(s1, px.loadUnaligned(fromByteOffset: o + size, as: V.self),
                         py.loadUnaligned(fromByteOffset: o + size, as: V.self))
        s2 = multiplyAdd(s2, px.loadUnaligned(fromByteOffset: o + 2 * size, as: V.self),
                         py.loadUnaligned(fromByteOffset: o + 2 * size, as: V.self))
        s3 = multiplyAdd(s3, px.loadUnaligned(fromByteOffset: o + 3 * size, as: V.self),
                         py.loadUnaligned(fromByteOffset: o + 3 * size, as: V.self))
        p += 4 * w
    }
    while p + w <= k {
        let o = p * MemoryLayout<V.Scalar>.stride
        s0 = multiplyAdd(s0, px.loadUnaligned(fromByteOffset: o, as: V.self), py.loadUnaligned(fromByteOffset: o, as: V.self))
        p += w
    }
    var total = ((s0 + s1) + (s2 + s3)).sum()
    while p < k {
        total += x[p] * y[p]
        p += 1
    }
    return total
}
