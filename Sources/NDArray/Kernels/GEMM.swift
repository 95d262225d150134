// GEMM.swift — C = A·B for Float and Double, packed, cache-blocked, register-tiled.
//
//   C[i, j] = Σ_p A[i, p]·B[p, j]        A [M, K], B [K, N], C [M, N]
//
// The loops, from the outside in (the layout of BLIS and of llm.c's matmul):
//
//   for each NC-wide column panel of B and C                   (L3)
//     for each KC-deep slice of K
//       for each MC-tall row block:     pack A[MC, KC]         (L2)
//         for each NR-wide micro-panel of B: pack it           (L1)
//           for each MR-tall micro-panel of the packed A
//             micro-kernel: C[MR, NR] += A[MR, KC]·B[KC, NR]   (registers)
//
// Packing copies a block into the order the micro-kernel reads it, so the
// kernel walks both operands with stride 1. It also absorbs the layout: A and
// B are read through a row and a column stride, so a transpose (`w.T`), a
// slice or a broadcast batch is packed directly, never copied first. A
// transposed B (x·Wᵀ with a weight stored [out, in], as Linear stores it) is
// packed by transposing squares of vectors in registers. Edges are padded with
// zeros and the spare lanes of the last tile are dropped. Each micro-panel of B
// is packed just before its first use, on its way into L1.
//
// When B's rows are contiguous, packing it can be skipped: the kernel reads a
// strip of B where it lies. That pays when each value of B is used by few row
// tiles: always for a few rows of A (a handful of tokens), and for a single
// block of rows (a GPT's 128 tokens) as long as the row stride spreads a
// strip over enough cache sets (`stripFitsInL2`) and a strip is at least a
// cache line wide.
//
// The micro-kernel holds a 6 × (2 vectors) tile of C in 12 SIMD registers
// (6 × 16 floats with AVX2's 8-lane vectors, 6 × 8 doubles) and, for each p,
// loads two vectors of B, broadcasts six scalars of A and issues 12
// multiply-adds. That is the most the 16 vector registers of AVX2 allow. On a
// CPU with AVX-512 (32 registers of 16 floats, or 8 doubles) the tile is
// 12 × (2 vectors), 12 × 32 floats in 24 registers (`microKernel12`; the width
// is chosen at start, VectorWidth.swift). (The portable x86-64 build packs A already
// broadcast: see `packedALanes`.)
//
// Threads split the columns (or, for tall matrices, the rows) of C into
// disjoint tiles; every element is still summed over the same KC slices in
// the same order, so the result is the same bit for bit on any thread count.
// One row or one column of output takes the matrix-vector path, and a few
// rows times Wᵀ the dot-product tiles (GEMV.swift).
// `gemmReference` in NDArray+MatMul.swift is the oracle the tests use.

import Foundation

/// A matrix in memory: element [i, j] is at `base[i * rowStride + j * columnStride]`.
@usableFromInline
struct StridedMatrix<S> {
    @usableFromInline let base: UnsafePointer<S>
    @usableFromInline let rowStride: Int
    @usableFromInline let columnStride: Int

    @inlinable
    init(_ base: UnsafePointer<S>, rowStride: Int, columnStride: Int) {
        self.base = base
        self.rowStride = rowStride
        self.columnStride = columnStride
    }

    /// The same memory read as the transposed matrix.
    @inlinable var transposed: StridedMatrix { StridedMatrix(base, rowStride: columnStride, columnStride: rowStride) }
}

/// Depth of a packed slice: a 6×256 panel of A and a 256×16 panel of B fit in L1 together
/// (in the portable x86-64 build, with A broadcast to vectors, 24 KB and 8 KB: just; at 512
/// bits, 12 KB of A and 32 KB of B, for a 48 KB L1 such as Zen 5's). It is the same at every
/// width, because it decides the order of each sum: the widths give the same bits.
let sliceDepth = 256
/// Most rows in a packed block of A: 144×256 floats (144 KB; 576 KB broadcast) stay in L2. The
/// rows are cut into equal blocks (128 rows make one block, not 120 + 8), so
/// no block is a sliver that reloads every panel of B for one or two tiles.
let blockRows = 144
/// Columns of a packed panel of B: 256×2048 floats (2 MB) stay in L3.
let panelColumns = 2048
/// Rows of A up to which B's rows are always read in place rather than packed.
let inPlaceRows = 12
/// Multiply-adds below which a product stays on one thread.
@usableFromInline let gemmParallelWork = 1 << 18

// MARK: Entry points (concrete, so each is compiled once for its scalar and vector)

/// C [m, n] (row stride `ldc`, contiguous rows) = A [m, k] · B [k, n], in Float.
@usableFromInline
func gemmFloat(m: Int, n: Int, k: Int, _ a: StridedMatrix<Float>, _ b: StridedMatrix<Float>,
               _ c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int, addToC: Bool = false) {
#if arch(x86_64) && !NDARRAY_NATIVE_FMA
    // The portable x86-64 target has SSE only: 16 registers of 4 floats. A tile of
    // 6 × 2 eight-float vectors needs 24 of them and spills; 6 × 2 four-float
    // vectors fit, with A packed already broadcast (see `packedALanes`).
    gemm(m: m, n: n, k: k, a, b, c, ldc: ldc, threads: threads, vector: SIMD4<Float>.self, addToC: addToC)
#else
    // The blocked product takes the width chosen at start (KernelVectors); the matrix-vector and
    // dot-product paths sum across lanes, so they keep 8 lanes whatever the width, and every
    // result has the same bits at 256 and 512.
    if KernelVectors.bits == 512 {
        gemm(m: m, n: n, k: k, a, b, c, ldc: ldc, threads: threads, vector: SIMD8<Float>.self,
             tile: SIMD16<Float>.self, addToC: addToC)
    } else {
        gemm(m: m, n: n, k: k, a, b, c, ldc: ldc, threads: threads, vector: SIMD8<Float>.self, addToC: addToC)
    }
#endif
}

/// C [m, n] (row stride `ldc`, contiguous rows) = A [m, k] · B [k, n], in Double.
@usableFromInline
func gemmDouble(m: Int, n: Int, k: Int, _ a: StridedMatrix<Double>, _ b: StridedMatrix<Double>,
                _ c: UnsafeMutablePointer<Double>, ldc: Int, threads: Int, addToC: Bool = false) {
#if arch(x86_64) && !NDARRAY_NATIVE_FMA
    gemm(m: m, n: n, k: k, a, b, c, ldc: ldc, threads: threads, vector: SIMD2<Double>.self, addToC: addToC)
#else
    if KernelVectors.bits == 512 {
        gemm(m: m, n: n, k: k, a, b, c, ldc: ldc, threads: threads, vector: SIMD4<Double>.self,
             tile: SIMD8<Double>.self, addToC: addToC)
    } else {
        gemm(m: m, n: n, k: k, a, b, c, ldc: ldc, threads: threads, vector: SIMD4<Double>.self, addToC: addToC)
    }
#endif
}

// MARK: The driver

/// Splits C among threads (disjoint tiles, no shared sums), then runs the blocked loops on each part.
/// With `addToC`, C += A·B (a gradient accumulated in place) instead of C = A·B. The matrix-vector
/// and dot-product paths use vectors `V`, the blocked loops' micro-kernel vectors `W` (the same,
/// or twice as wide on a CPU with 512-bit vectors).
@inline(__always)
func gemm<V: GEMMVector>(m: Int, n: Int, k: Int, _ a: StridedMatrix<V.Scalar>, _ b: StridedMatrix<V.Scalar>,
                         _ c: UnsafeMutablePointer<V.Scalar>, ldc: Int, threads: Int, vector: V.Type,
                         addToC: Bool = false) {
    gemm(m: m, n: n, k: k, a, b, c, ldc: ldc, threads: threads, vector: V.self, tile: V.self, addToC: addToC)
}

@inline(__always)
func gemm<V: GEMMVector, W: GEMMVector>(m: Int, n: Int, k: Int, _ a: StridedMatrix<V.Scalar>,
                                        _ b: StridedMatrix<V.Scalar>, _ c: UnsafeMutablePointer<V.Scalar>, ldc: Int,
                                        threads: Int, vector: V.Type, tile: W.Type, addToC: Bool = false)
where W.Scalar == V.Scalar {
    if m == 0 || n == 0 || (k == 0 && addToC) { return }
    if addToC && (m == 1 || n == 1 || (m <= inPlaceRows && b.rowStride == 1 && b.columnStride != 1)) {
        // The dot-product and one-row paths overwrite: compute aside, then add.
        let scratch = Scratch<V.Scalar>(counts: [m * n])
        defer { scratch.deallocate() }
        gemm(m: m, n: n, k: k, a, b, scratch.parts[0], ldc: n, threads: threads, vector: V.self, tile: W.self)
        for i in 0..<m {
            let row = c + i * ldc, part = scratch.parts[0] + i * n
            for j in 0..<n { row[j] = row[j] + part[j] }
        }
        return
    }
    if k == 0 {
        for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) }
        return
    }
    if m == 1 || n == 1 {
        gemv(m: m, n: n, k: k, a, b, c, ldc: ldc, threads: threads, vector: V.self)
        return
    }
    if m <= inPlaceRows && b.rowStride == 1 && b.columnStride != 1 {
        // A few rows times Wᵀ (W [n, k] with contiguous rows): dot products, W read once.
        dotTiles(m: m, n: n, k: k, a, w: b.base, wRowStride: b.columnStride, c, ldc: ldc, threads: threads,
                 vector: V.self)
        return
    }
    let tileColumns = 2 * W.scalarCount, tileRows = W.tileRows
    let work = m * n * k
    let parts = threads > 1 && work >= 2 * gemmParallelWork ? Swift.min(threads, work / gemmParallelWork) : 1
    if parts <= 1 {
        blockedGEMM(m: m, n: n, k: k, a, b, c, ldc: ldc, vector: W.self, addToC: addToC)
        return
    }
    // Split the longer side of C, in whole tiles, into `pieces` × `extra` pieces.
    let splitColumns = n >= m
    let tiles = splitColumns ? (n + tileColumns - 1) / tileColumns : (m + tileRows - 1) / tileRows
    // When A is a single packed block (a GPT's 128 rows), cut the columns finer
    // than one piece per thread, so a thread that falls behind (a busy core) is
    // helped by the others; each piece repacks A, so pieces stay 384 columns or wider.
    let pieces = Swift.min(parts, tiles)
    let extra = splitColumns && m <= blockRows ? Swift.max(1, Swift.min(3, n / (384 * pieces))) : 1
    parallelFor(tiles, grain: 1, threads: pieces, piecesPerThread: extra) { range in
        let first = range.lowerBound, last = range.upperBound
        if splitColumns {
            let j0 = first * tileColumns, j1 = Swift.min(last * tileColumns, n)
            let bPart = StridedMatrix(b.base + j0 * b.columnStride, rowStride: b.rowStride, columnStride: b.columnStride)
            blockedGEMM(m: m, n: j1 - j0, k: k, a, bPart, c + j0, ldc: ldc, vector: W.self, addToC: addToC)
        } else {
            let i0 = first * tileRows, i1 = Swift.min(last * tileRows, m)
            let aPart = StridedMatrix(a.base + i0 * a.rowStride, rowStride: a.rowStride, columnStride: a.columnStride)
            blockedGEMM(m: i1 - i0, n: n, k: k, aPart, b, c + i0 * ldc, ldc: ldc, vector: W.self, addToC: addToC)
        }
    }
}

/// The five loops around the micro-kernel, on one thread.
@inline(__always)
func blockedGEMM<V: GEMMVector>(m: Int, n: Int, k: Int, _ a: StridedMatrix<V.Scalar>, _ b: StridedMatrix<V.Scalar>,
                                _ c: UnsafeMutablePointer<V.Scalar>, ldc: Int, vector: V.Type, addToC: Bool = false) {
    typealias S = V.Scalar
    let nr = 2 * V.scalarCount, tileRows = V.tileRows, aStep = tileRows * packedALanes(V.self)
    let kcMax = Swift.min(k, sliceDepth)
    let rowBlocks = (m + blockRows - 1) / blockRows
    let mcMax = roundUp((m + rowBlocks - 1) / rowBlocks, tileRows)
    let ncMax = Swift.min(roundUp(n, nr), panelColumns)
    // Packed blocks, 64-byte aligned; plus one spare tile for the edges.
    let scratch = Scratch<S>(counts: [mcMax * kcMax * packedALanes(V.self), kcMax * ncMax, tileRows * nr])
    defer { scratch.deallocate() }
    let packedA = scratch.parts[0], packedB = scratch.parts[1], edge = scratch.parts[2]

    // B's rows, when contiguous, can be read where they lie instead of being
    // copied into panels: always for a few rows of A (a handful of tokens use
    // each value of B once or twice), and for a single block of rows (a GPT's
    // 128 tokens) when the rows' addresses spread over the cache's sets — a row
    // stride of 2 or 4 KB maps a whole strip onto a few sets, and later tiles
    // would miss (`stripFitsInL2`) — and a strip spans whole cache lines (the portable
    // build's 8-float strips would fetch each line twice). Edge panels are still
    // packed (zero padding).
    let bInPlace = b.columnStride == 1
        && readsBInPlace(rows: m, rowBytes: b.rowStride * MemoryLayout<S>.stride, depth: kcMax,
                         stripBytes: nr * MemoryLayout<S>.stride)
    for jc in stride(from: 0, to: n, by: panelColumns) {
        let nc = Swift.min(panelColumns, n - jc)
        for pc in stride(from: 0, to: k, by: sliceDepth) {
            let kc = Swift.min(sliceDepth, k - pc)
            for ic in stride(from: 0, to: m, by: mcMax) {
                let mc = Swift.min(mcMax, m - ic)
                packA(a, rows: ic, mc, columns: pc, kc, into: packedA, vector: V.self)
                for jr in stride(from: 0, to: nc, by: nr) {
                    let width = Swift.min(nr, nc - jr)
                    let bPanel: UnsafePointer<S>, bStep: Int   // B[p, 0..<nr] is at bPanel + p·bStep
                    if bInPlace && width == nr {
                        bPanel = b.base + pc * b.rowStride + jc + jr
                        bStep = b.rowStride
                    } else {
                        if ic == 0 {
                            // Pack each micro-panel of B just before its first use, while it is
                            // on its way to L1; later row blocks read the packed copy.
                            packB(b, rows: pc, kc, columns: jc + jr, width, into: packedB + jr * kc, vector: V.self)
                        }
                        bPanel = UnsafePointer(packedB + jr * kc)
                        bStep = nr
                    }
                    for ir in stride(from: 0, to: mc, by: tileRows) {
                        let height = Swift.min(tileRows, mc - ir)
                        let aPanel = UnsafePointer(packedA + ir * kc * packedALanes(V.self))
                        let cTile = c + (ic + ir) * ldc + jc + jr
                        let accumulate = pc > 0 || addToC
                        if height == tileRows && width == nr {
                            fullTile(kc, aPanel, bPanel, bStep, cTile, ldc, accumulate: accumulate, vector: V.self)
                        } else {
                            // An edge: compute the rows that exist into a tile aside, keep the part that exists.
                            if height == tileRows {
                                fullTile(kc, aPanel, bPanel, bStep, edge, nr, accumulate: false, vector: V.self)
                            } else {
                                // Six rows at a time, then the rest (a 12-row panel read 6 rows at a time).
                                for r in stride(from: 0, to: height, by: 6) {
                                    let rows = Swift.min(6, height - r)
                                    let pa = aPanel + r * packedALanes(V.self), out = edge + r * nr
                                    if rows == 6 {
                                        microKernel(kc, pa, aStep, bPanel, bStep, out, nr, accumulate: false,
                                                    vector: V.self)
                                    } else {
                                        edgeKernel(kc, rows: rows, pa, aStep, bPanel, bStep, out, nr, vector: V.self)
                                    }
                                }
                            }
                            for i in 0..<height {
                                let row = cTile + i * ldc, part = edge + i * nr
                                if accumulate {
                                    for j in 0..<width { row[j] = row[j] + part[j] }
                                } else {
                                    for j in 0..<width { row[j] = part[j] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Working memory for one call: consecutive parts, each 64-byte aligned, cut
/// from one block that is borrowed from `ScratchPool` and handed back after.
struct Scratch<S> {
    let allocation: UnsafeMutableRawPointer
    let bytes: Int
    let parts: [UnsafeMutablePointer<S>]

    init(counts: [Int]) {
        let sizes = counts.map { roundUp($0 * MemoryLayout<S>.stride, 64) }
        bytes = sizes.reduce(0, +)
        allocation = ScratchPool.shared.take(bytes)
        var next = allocation
        var parts: [UnsafeMutablePointer<S>] = []
        for (size, count) in zip(sizes, counts) {
            parts.append(next.bindMemory(to: S.self, capacity: count))
            next += size
        }
        self.parts = parts
    }

    func deallocate() { ScratchPool.shared.give(allocation, bytes) }
}

/// Packing buffers kept between calls. A packed panel of B is 2 MB; allocating
/// it for every product would map and zero fresh pages each time (the C library
/// serves blocks above 128 KB with mmap), which cost several percent of a
/// GPT-sized product and half the speed of a 128×128 one.
final class ScratchPool: @unchecked Sendable {
    static let shared = ScratchPool()
    private let lock = NSLock()
    private var free: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []

    /// A 64-byte aligned block of at least `bytes`.
    func take(_ bytes: Int) -> UnsafeMutableRawPointer {
        let reused: UnsafeMutableRawPointer? = lock.withLock {
            guard let i = free.firstIndex(where: { $0.bytes >= bytes }) else { return nil }
            return free.remove(at: i).pointer
        }
        return reused ?? UnsafeMutableRawPointer.allocate(byteCount: Swift.max(bytes, 1), alignment: 64)
    }

    /// Hands a block back; keeps at most eight (one or two per thread in practice).
    func give(_ pointer: UnsafeMutableRawPointer, _ bytes: Int) {
        let dropped: UnsafeMutableRawPointer? = lock.withLock {
            free.append((pointer, bytes))
            free.sort { $0.bytes < $1.bytes }  // the smallest block that fits is taken first
            return free.count > 8 ? free.removeFirst().pointer : nil
        }
        dropped?.deallocate()
    }
}

/// Whether the blocked loops read B's contiguous rows where they lie rather than packing
/// them, for a product of `rows` rows of A, B's rows `rowBytes` apart, slices `depth` deep
/// and strips `stripBytes` wide (see `blockedGEMM`).
@inline(__always)
func readsBInPlace(rows: Int, rowBytes: Int, depth: Int, stripBytes: Int) -> Bool {
    rows <= inPlaceRows
        || (rows <= blockRows && stripBytes >= 64 && stripFitsInL2(rowBytes: rowBytes, rows: depth))
}

/// Whether `rows` cache lines, `rowBytes` apart (a strip of B read in place), spread over
/// enough sets of a 512 KB, 8-way L2 with 64-byte lines (1024 sets, as on AMD's Zen 2 to 4;
/// on other CPUs the guess is rougher, which costs only speed) to stay in it with room to
/// spare. A cache places a line by its address's bits above the line: rows 2 KB apart land on
/// one set in 32 (32 sets, 256 lines: a strip of 256 rows evicts itself), 3 KB apart on one in
/// 16 (512 lines): the largest power of two dividing the stride (its lowest set bit, for a
/// reversed view's negative stride too) is the step between the sets reached, so rows reach
/// every set only when it is 64 bytes or less. Measured on [768×128]ᵀ·[768×512] (B's rows
/// 2 KB apart): 70 GFLOP/s in place, 89 packed.
@inline(__always)
func stripFitsInL2(rowBytes: Int, rows: Int) -> Bool {
    let lineBytes = 64, sets = 1024, ways = 8
    let step = rowBytes == 0 ? sets * lineBytes : Swift.min(rowBytes & -rowBytes, sets * lineBytes)
    let setsReached = Swift.min(sets, sets * lineBytes / step)
    return setsReached * ways >= 2 * rows
}

@inline(__always)
func roundUp(_ x: Int, _ multiple: Int) -> Int { (x + multiple - 1) / multiple * multiple }

// Packing (packA, packB) and the vector types' transposes are in GEMMPacking.swift.

// The micro-kernels (a whole tile, 6 or 12 rows; an edge tile) are in GEMMMicroKernels.swift.
