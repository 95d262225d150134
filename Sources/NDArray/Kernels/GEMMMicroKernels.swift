// GEMMMicroKernels.swift — the innermost loop of the GEMM (GEMM.swift): a tile of C
// held in registers while k runs through a packed slice.
//
//   C[R, 2w] (+)= A-panel[R, kc] · B-panel[kc, 2w]      R = 6, or 12 for 512-bit vectors
//
// For each p: load two vectors of B, broadcast each of the R values of A, and
// issue 2R multiply-adds into 2R accumulators. Every element of C is one lane
// of one accumulator, summed over p in order, so the 6-row and 12-row kernels
// (and the edge kernel) give each element the same operations: the vector
// width never changes a result's bits. The rows are written out by hand,
// llm.c-style, so that the compiler keeps every accumulator in a register.
//
// Before its loop, a kernel asks the cache for the tile of C it will write
// (`prefetchTile`), so the lines arrive while it computes. Without that, a C
// larger than the caches (2048², 16 MB) stalls every tile's store on memory:
// one thread ran 84 GFLOP/s on 2048² without it, 98 with it.
//
// Not here: the loops that pick the panels (GEMM.swift), packing (GEMMPacking.swift).

/// A whole tile of C, `V.tileRows` × 2 vectors: the 6-row kernel, or the 12-row one for 16-lane vectors.
@inline(__always)
func fullTile<V: GEMMVector>(_ kc: Int, _ a: UnsafePointer<V.Scalar>, _ b: UnsafePointer<V.Scalar>, _ bStep: Int,
                             _ c: UnsafeMutablePointer<V.Scalar>, _ ldc: Int, accumulate: Bool, vector: V.Type) {
    if V.tileRows == 12 {
        microKernel12(kc, a, b, bStep, c, ldc, accumulate: accumulate, vector: V.self)
    } else {
        microKernel(kc, a, V.tileRows * packedALanes(V.self), b, bStep, c, ldc, accumulate: accumulate, vector: V.self)
    }
}

/// C[6, 2w] (+)= A-panel[6, kc] · B-panel[kc, 2w], with 12 accumulators of w lanes.
/// `a` holds the 6 values of each p first among `aStep` (6 vectors where `packedALanes` > 1);
/// B[p, 0..<2w] is at `b + p·bStep` (packed: bStep = 2w); C rows are `ldc` apart.
@inline(__always)
func microKernel<V: GEMMVector>(_ kc: Int, _ a: UnsafePointer<V.Scalar>, _ aStep: Int, _ b: UnsafePointer<V.Scalar>,
                                _ bStep: Int, _ c: UnsafeMutablePointer<V.Scalar>, _ ldc: Int, accumulate: Bool,
                                vector: V.Type) {
    let width = MemoryLayout<V>.stride, bBytes = bStep * MemoryLayout<V.Scalar>.stride
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
    var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
    prefetchTile(c, ldc, rows: 6, bytes: 2 * width)
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.loadUnaligned(as: V.self)
        let b1 = pb.loadUnaligned(fromByteOffset: width, as: V.self)
        var x = packedAValue(pa, 0, V.self)
        c00 = multiplyAdd(c00, x, b0); c01 = multiplyAdd(c01, x, b1)
        x = packedAValue(pa, 1, V.self)
        c10 = multiplyAdd(c10, x, b0); c11 = multiplyAdd(c11, x, b1)
        x = packedAValue(pa, 2, V.self)
        c20 = multiplyAdd(c20, x, b0); c21 = multiplyAdd(c21, x, b1)
        x = packedAValue(pa, 3, V.self)
        c30 = multiplyAdd(c30, x, b0); c31 = multiplyAdd(c31, x, b1)
        x = packedAValue(pa, 4, V.self)
        c40 = multiplyAdd(c40, x, b0); c41 = multiplyAdd(c41, x, b1)
        x = packedAValue(pa, 5, V.self)
        c50 = multiplyAdd(c50, x, b0); c51 = multiplyAdd(c51, x, b1)
        pa += aStep
        pb += bBytes
    }
    storeRow(c, c00, c01, accumulate)
    storeRow(c + ldc, c10, c11, accumulate)
    storeRow(c + 2 * ldc, c20, c21, accumulate)
    storeRow(c + 3 * ldc, c30, c31, accumulate)
    storeRow(c + 4 * ldc, c40, c41, accumulate)
    storeRow(c + 5 * ldc, c50, c51, accumulate)
}

/// C[12, 2w] (+)= A-panel[12, kc] · B-panel[kc, 2w], with 24 accumulators: the tile for
/// 16-lane vectors on a CPU with AVX-512, whose 32 registers hold the 24, the two vectors of B
/// and a broadcast value of A. Per p: 2 loads of B, 12 broadcasts, 24 multiply-adds. Each
/// element gets the same operations in the same order as in the 6-row kernel.
@inline(__always)
func microKernel12<V: GEMMVector>(_ kc: Int, _ a: UnsafePointer<V.Scalar>, _ b: UnsafePointer<V.Scalar>,
                                  _ bStep: Int, _ c: UnsafeMutablePointer<V.Scalar>, _ ldc: Int, accumulate: Bool,
                                  vector: V.Type) {
    let width = MemoryLayout<V>.stride, bBytes = bStep * MemoryLayout<V.Scalar>.stride
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
    var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
    var c60 = V(), c61 = V(), c70 = V(), c71 = V(), c80 = V(), c81 = V()
    var c90 = V(), c91 = V(), cA0 = V(), cA1 = V(), cB0 = V(), cB1 = V()
    prefetchTile(c, ldc, rows: 12, bytes: 2 * width)
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.loadUnaligned(as: V.self)
        let b1 = pb.loadUnaligned(fromByteOffset: width, as: V.self)
        var x = V(repeating: pa[0])
        c00 = multiplyAdd(c00, x, b0); c01 = multiplyAdd(c01, x, b1)
        x = V(repeating: pa[1])
        c10 = multiplyAdd(c10, x, b0); c11 = multiplyAdd(c11, x, b1)
        x = V(repeating: pa[2])
        c20 = multiplyAdd(c20, x, b0); c21 = multiplyAdd(c21, x, b1)
        x = V(repeating: pa[3])
        c30 = multiplyAdd(c30, x, b0); c31 = multiplyAdd(c31, x, b1)
        x = V(repeating: pa[4])
        c40 = multiplyAdd(c40, x, b0); c41 = multiplyAdd(c41, x, b1)
        x = V(repeating: pa[5])
        c50 = multiplyAdd(c50, x, b0); c51 = multiplyAdd(c51, x, b1)
        x = V(repeating: pa[6])
        c60 = multiplyAdd(c60, x, b0); c61 = multiplyAdd(c61, x, b1)
        x = V(repeating: pa[7])
        c70 = multiplyAdd(c70, x, b0); c71 = multiplyAdd(c71, x, b1)
        x = V(repeating: pa[8])
        c80 = multiplyAdd(c80, x, b0); c81 = multiplyAdd(c81, x, b1)
        x = V(repeating: pa[9])
        c90 = multiplyAdd(c90, x, b0); c91 = multiplyAdd(c91, x, b1)
        x = V(repeating: pa[10])
        cA0 = multiplyAdd(cA0, x, b0); cA1 = multiplyAdd(cA1, x, b1)
        x = V(repeating: pa[11])
        cB0 = multiplyAdd(cB0, x, b0); cB1 = multiplyAdd(cB1, x, b1)
        pa += 12
        pb += bBytes
    }
    storeRow(c, c00, c01, accumulate)
    storeRow(c + ldc, c10, c11, accumulate)
    storeRow(c + 2 * ldc, c20, c21, accumulate)
    storeRow(c + 3 * ldc, c30, c31, accumulate)
    storeRow(c + 4 * ldc, c40, c41, accumulate)
    storeRow(c + 5 * ldc, c50, c51, accumulate)
    storeRow(c + 6 * ldc, c60, c61, accumulate)
    storeRow(c + 7 * ldc, c70, c71, accumulate)
    storeRow(c + 8 * ldc, c80, c81, accumulate)
    storeRow(c + 9 * ldc, c90, c91, accumulate)
    storeRow(c + 10 * ldc, cA0, cA1, accumulate)
    storeRow(c + 11 * ldc, cB0, cB1, accumulate)
}

/// The micro-kernel for the last, partial tile of rows (`rows` < 6), writing
/// `rows` rows to `c`. It skips the multiply-adds of the missing rows, which a
/// full tile would waste: 128 rows are 21 tiles and 2 rows, not 22 tiles. Each
/// row it computes gets exactly the full kernel's operations.
@inline(never)
func edgeKernel<V: GEMMVector>(_ kc: Int, rows: Int, _ a: UnsafePointer<V.Scalar>, _ aStep: Int,
                               _ b: UnsafePointer<V.Scalar>, _ bStep: Int, _ c: UnsafeMutablePointer<V.Scalar>,
                               _ ldc: Int, vector: V.Type) {
    let width = MemoryLayout<V>.stride, bBytes = bStep * MemoryLayout<V.Scalar>.stride
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
    var c30 = V(), c31 = V(), c40 = V(), c41 = V()
    var pa = a
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = pb.loadUnaligned(as: V.self)
        let b1 = pb.loadUnaligned(fromByteOffset: width, as: V.self)
        var x = packedAValue(pa, 0, V.self)
        c00 = multiplyAdd(c00, x, b0); c01 = multiplyAdd(c01, x, b1)
        if rows > 1 {
            x = packedAValue(pa, 1, V.self)
            c10 = multiplyAdd(c10, x, b0); c11 = multiplyAdd(c11, x, b1)
        }
        if rows > 2 {
            x = packedAValue(pa, 2, V.self)
            c20 = multiplyAdd(c20, x, b0); c21 = multiplyAdd(c21, x, b1)
        }
        if rows > 3 {
            x = packedAValue(pa, 3, V.self)
            c30 = multiplyAdd(c30, x, b0); c31 = multiplyAdd(c31, x, b1)
        }
        if rows > 4 {
            x = packedAValue(pa, 4, V.self)
            c40 = multiplyAdd(c40, x, b0); c41 = multiplyAdd(c41, x, b1)
        }
        pa += aStep
        pb += bBytes
    }
    storeRow(c, c00, c01, false)
    if rows > 1 { storeRow(c + ldc, c10, c11, false) }
    if rows > 2 { storeRow(c + 2 * ldc, c20, c21, false) }
    if rows > 3 { storeRow(c + 3 * ldc, c30, c31, false) }
    if rows > 4 { storeRow(c + 4 * ldc, c40, c41, false) }
}

/// Writes (or adds) two vectors to a row of C.
@inline(__always)
func storeRow<V: SIMD>(_ row: UnsafeMutablePointer<V.Scalar>, _ v0: V, _ v1: V, _ accumulate: Bool)
where V.Scalar: BinaryFloatingPoint {
    let p = UnsafeMutableRawPointer(row), width = MemoryLayout<V>.stride
    if accumulate {
        p.storeBytes(of: p.loadUnaligned(as: V.self) + v0, as: V.self)
        p.storeBytes(of: p.loadUnaligned(fromByteOffset: width, as: V.self) + v1, toByteOffset: width, as: V.self)
    } else {
        p.storeBytes(of: v0, as: V.self)
        p.storeBytes(of: v1, toByteOffset: width, as: V.self)
    }
}

/// Asks the cache for a tile of C about to be written: `rows` rows of `bytes`, `ldc` elements
/// apart; every 64-byte line each row touches (a row need not start on a line).
@inline(__always)
func prefetchTile<S>(_ c: UnsafeMutablePointer<S>, _ ldc: Int, rows: Int, bytes: Int) {
    for r in 0..<rows {
        let row = UnsafeRawPointer(c + r * ldc)
        for offset in stride(from: 0, to: bytes, by: 64) { llvmPrefetch(row + offset, 1, 3, 1) }
        llvmPrefetch(row + (bytes - 1), 1, 3, 1)
    }
}

/// The CPU's prefetch instruction (`prefetchw` on x86-64, `prfm` on arm64). Swift has no
/// spelling for it, so this declares LLVM's intrinsic by its name. It is a hint: it never
/// faults, whatever the address. Arguments: the address; 1 = about to be written; 3 = keep in
/// every cache level; 1 = the data cache.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cache: Int32)
