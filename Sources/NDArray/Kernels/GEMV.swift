// GEMV.swift — products with one row (or a few) or one column of output: a token at a time.
//
//   y[j] = Σ_p x[p]·B[p, j]        x [K], B [K, N], y [N]     ([1, K]·[K, N])
//   y[i] = Σ_p A[i, p]·x[p]        A [M, K], x [K], y [M]     ([M, K]·[K, 1])
//   C[i, j] = dot(A[i, :], W[j, :])  A [M, K], W [N, K]       ([M, K]·Wᵀ, M a few rows)
//
// The second is the first read through transposes, so one routine serves
// both. Each weight is used once, so the work is bound by memory bandwidth:
// there is nothing to gain from packing, everything from reading B once, in
// order. Two layouts, two loops:
//
//   B's rows contiguous      for each p: y[chunk] += x[p]·B[p, chunk]   (y stays in L1)
//   B's columns contiguous   y[j] = dot(x, column j of B)               (a weight [N, K] used as wᵀ)
//
// A few rows times Wᵀ (a batch of prompts or beams, one token each) reads
// each row of W once for all the rows of A: `dotTiles` computes 4 rows × 2
// columns of C per pass. (A few rows times a B with contiguous rows goes
// through the blocked GEMM, which then reads B in place.)
//
// Threads take disjoint chunks of y; every y[j] is summed in the same order
// whatever the split. Any other layout goes through the blocked GEMM.

/// C [m, n] = A [m, k]·B [k, n] where m == 1 or n == 1.
@inline(__always)
func gemv<V: GEMMVector>(m: Int, n: Int, k: Int, _ a: StridedMatrix<V.Scalar>, _ b: StridedMatrix<V.Scalar>,
                         _ c: UnsafeMutablePointer<V.Scalar>, ldc: Int, threads: Int, vector: V.Type) {
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
func vectorMatrix<V: GEMMVector>(k: Int, n: Int, x: UnsafePointer<V.Scalar>, xStride: Int, _ b: StridedMatrix<V.Scalar>,
                                 y: UnsafeMutablePointer<V.Scalar>, yStride: Int, threads: Int, vector: V.Type) {
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
        while p + 8 <= k {
            let rows = UnsafeRawPointer(b + p * rowStride + j)
            addEightRows(x + p, rows, rowBytes: rowStride * MemoryLayout<V.Scalar>.stride, into: out, vectors: vectors,
                         vector: V.self)
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

/// out[v] += Σ_{q < 8} x[q]·row_q[v] for the first `vectors` vectors of eight rows
/// `rowBytes` apart, each vector's terms added in order of q. A function of its
/// own so the loop has the registers to itself: inlined into the loops around
/// it, it spilled its row pointers to the stack and ran 4% slower.
@inline(never)
func addEightRows<V: SIMD>(_ x: UnsafePointer<V.Scalar>, _ rows: UnsafeRawPointer, rowBytes step: Int,
                           into out: UnsafeMutableRawPointer, vectors: Int, vector: V.Type)
where V.Scalar: BinaryFloatingPoint {
    let size = MemoryLayout<V>.stride
    let x0 = V(repeating: x[0]), x1 = V(repeating: x[1]), x2 = V(repeating: x[2]), x3 = V(repeating: x[3])
    let x4 = V(repeating: x[4]), x5 = V(repeating: x[5]), x6 = V(repeating: x[6]), x7 = V(repeating: x[7])
    // Eight row pointers walked side by side: no index arithmetic in the loop.
    var r0 = rows, r1 = rows + step, r2 = rows + 2 * step, r3 = rows + 3 * step
    var r4 = rows + 4 * step, r5 = rows + 5 * step, r6 = rows + 6 * step, r7 = rows + 7 * step
    var o = out
    for _ in 0..<vectors {
        var sum = o.loadUnaligned(as: V.self)
        sum = multiplyAdd(sum, x0, r0.loadUnaligned(as: V.self))
        sum = multiplyAdd(sum, x1, r1.loadUnaligned(as: V.self))
        sum = multiplyAdd(sum, x2, r2.loadUnaligned(as: V.self))
        sum = multiplyAdd(sum, x3, r3.loadUnaligned(as: V.self))
        sum = multiplyAdd(sum, x4, r4.loadUnaligned(as: V.self))
        sum = multiplyAdd(sum, x5, r5.loadUnaligned(as: V.self))
        sum = multiplyAdd(sum, x6, r6.loadUnaligned(as: V.self))
        sum = multiplyAdd(sum, x7, r7.loadUnaligned(as: V.self))
        o.storeBytes(of: sum, as: V.self)
        o += size; r0 += size; r1 += size; r2 += size; r3 += size
        r4 += size; r5 += size; r6 += size; r7 += size
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

/// Rows of A that `dotTiles` takes at once.
let dotTileRows = 4

/// C [m, n] (row stride `ldc`) = A [m, k]·Wᵀ, W [n, k] with rows `wRowStride` apart and contiguous.
/// A is copied first into rows padded with zeros to a multiple of 4; then for each
/// pair of W's rows and each 4 rows of A, eight dot products run side by side.
/// Each C[i, j] is summed lane-wise over p, the lanes added by `sum()`, then the
/// last k mod w terms in order: the same for every split among threads.
@inline(__always)
func dotTiles<V: GEMMVector>(m: Int, n: Int, k: Int, _ a: StridedMatrix<V.Scalar>, w: UnsafePointer<V.Scalar>,
                             wRowStride: Int, _ c: UnsafeMutablePointer<V.Scalar>, ldc: Int, threads: Int,
                             vector: V.Type) {
    typealias S = V.Scalar
    let rows = roundUp(m, dotTileRows)
    let packed = UnsafeMutablePointer<S>.allocate(capacity: rows * k)
    defer { packed.deallocate() }
    for i in 0..<rows {
        let row = packed + i * k
        if i < m {
            for p in 0..<k { row[p] = a.base[i * a.rowStride + p * a.columnStride] }
        } else {
            row.update(repeating: 0, count: k)
        }
    }
    let pairs = (n + 1) / 2
    let grain = Swift.max(1, gemmParallelWork / Swift.max(2 * k * rows, 1))
    let aRows = UnsafePointer(packed)
    parallelFor(pairs, grain: grain, threads: threads) { range in
        withUnsafeTemporaryAllocation(of: S.self, capacity: 2 * dotTileRows) { out in
            for pair in range {
                let j = 2 * pair, columns = Swift.min(2, n - j)
                let w0 = w + j * wRowStride, w1 = columns == 2 ? w0 + wRowStride : w0
                for i0 in stride(from: 0, to: m, by: dotTileRows) {
                    dotTile(k, aRows + i0 * k, w0, w1, out.baseAddress!, vector: V.self)
                    for i in i0..<Swift.min(i0 + dotTileRows, m) {
                        for jj in 0..<columns { c[i * ldc + j + jj] = out[(i - i0) * 2 + jj] }
                    }
                }
            }
        }
    }
}

/// out[2i + j] = dot(row i of a, w_j) for i < 4, j < 2; `a` holds 4 contiguous rows of k.
@inline(__always)
func dotTile<V: GEMMVector>(_ k: Int, _ a: UnsafePointer<V.Scalar>, _ w0: UnsafePointer<V.Scalar>,
                            _ w1: UnsafePointer<V.Scalar>, _ out: UnsafeMutablePointer<V.Scalar>, vector: V.Type) {
    let lanes = V.scalarCount, size = MemoryLayout<V.Scalar>.stride
    let a0 = UnsafeRawPointer(a), a1 = UnsafeRawPointer(a + k), a2 = UnsafeRawPointer(a + 2 * k)
    let a3 = UnsafeRawPointer(a + 3 * k)
    let b0 = UnsafeRawPointer(w0), b1 = UnsafeRawPointer(w1)
    var s00 = V(), s01 = V(), s10 = V(), s11 = V(), s20 = V(), s21 = V(), s30 = V(), s31 = V()
    let vectorEnd = k / lanes * lanes
    var o = 0
    while o < vectorEnd * size {
        let x0 = b0.loadUnaligned(fromByteOffset: o, as: V.self), x1 = b1.loadUnaligned(fromByteOffset: o, as: V.self)
        var r = a0.loadUnaligned(fromByteOffset: o, as: V.self)
        s00 = multiplyAdd(s00, r, x0); s01 = multiplyAdd(s01, r, x1)
        r = a1.loadUnaligned(fromByteOffset: o, as: V.self)
        s10 = multiplyAdd(s10, r, x0); s11 = multiplyAdd(s11, r, x1)
        r = a2.loadUnaligned(fromByteOffset: o, as: V.self)
        s20 = multiplyAdd(s20, r, x0); s21 = multiplyAdd(s21, r, x1)
        r = a3.loadUnaligned(fromByteOffset: o, as: V.self)
        s30 = multiplyAdd(s30, r, x0); s31 = multiplyAdd(s31, r, x1)
        o += lanes * size
    }
    out[0] = s00.sum(); out[1] = s01.sum(); out[2] = s10.sum(); out[3] = s11.sum()
    out[4] = s20.sum(); out[5] = s21.sum(); out[6] = s30.sum(); out[7] = s31.sum()
    for p in vectorEnd..<k {
        for i in 0..<dotTileRows {
            out[2 * i] += a[i * k + p] * w0[p]
            out[2 * i + 1] += a[i * k + p] * w1[p]
        }
    }
}
