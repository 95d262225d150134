// GEMMPacking.swift — how the GEMM (GEMM.swift) copies blocks of A and B into
// the order its micro-kernel reads them.
//
//   packed A: panels of 6 rows;  for each p: A[r..<r+6, p]         (6 values, or 6 vectors of copies;
//                                                                  12 rows for 16-lane vectors)
//   packed B: panels of 2 vectors; for each p: B[p, j..<j+2w]       (2w values)
//
// Both read their operand through a row and a column stride, so a transpose,
// a slice or a broadcast is packed directly. Rows that run past the edge are
// padded with zeros. Two special cases make packing cheap where a GPT needs it:
// a transposed B (x·Wᵀ, the weight stored [out, in]) is read down its
// contiguous columns and turned around w×w squares at a time in registers; and
// the portable x86-64 build writes each value of A as a whole vector of copies
// (see `packedALanes`).
//
// Not here: packing into half precision, packing shared between threads.

/// Packs A[rows, columns] (a block `height` × `depth`) as panels of `V.tileRows` (6 or 12) rows:
/// panel r holds, for each p, the values A[r·R + 0..<R, p] (R = `V.tileRows`); missing rows are 0.
/// Where `packedALanes` is above 1, each value is written as a whole vector of copies.
@inline(__always)
func packA<V: GEMMVector>(_ a: StridedMatrix<V.Scalar>, rows i0: Int, _ height: Int, columns p0: Int, _ depth: Int,
                          into packed: UnsafeMutablePointer<V.Scalar>, vector: V.Type) {
    typealias S = V.Scalar
    let rs = a.rowStride, cs = a.columnStride
    let lanes = packedALanes(V.self)
    @inline(__always) func put(_ value: S, _ o: UnsafeMutablePointer<S>, _ i: Int) {
        if lanes > 1 {
            UnsafeMutableRawPointer(o).storeBytes(of: V(repeating: value), toByteOffset: i * MemoryLayout<V>.stride,
                                                  as: V.self)
        } else {
            o[i] = value
        }
    }
    let tileRows = V.tileRows
    var out = packed
    for ir in stride(from: 0, to: height, by: tileRows) {
        let rows = Swift.min(tileRows, height - ir)
        let source = a.base + (i0 + ir) * rs + p0 * cs
        if rows == tileRows {
            // Six rows at a time (a 12-row tile is two passes).
            for half in stride(from: 0, to: tileRows, by: 6) {
                let r0 = source + half * rs, r1 = r0 + rs, r2 = r0 + 2 * rs
                let r3 = r0 + 3 * rs, r4 = r0 + 4 * rs, r5 = r0 + 5 * rs
                for p in 0..<depth {
                    let o = out + (p * tileRows + half) * lanes, q = p * cs
                    put(r0[q], o, 0); put(r1[q], o, 1); put(r2[q], o, 2)
                    put(r3[q], o, 3); put(r4[q], o, 4); put(r5[q], o, 5)
                }
            }
        } else {
            for p in 0..<depth {
                let o = out + p * tileRows * lanes
                for i in 0..<tileRows { put(i < rows ? source[i * rs + p * cs] : 0, o, i) }
            }
        }
        out += tileRows * depth * lanes
    }
}

/// The portable x86-64 build (SSE, no AVX) has no instruction that loads one
/// float into every lane: `V(repeating: a)` there is a load and a shuffle, and
/// the shuffle competes with the multiplies and adds for the same units. So that
/// build, for its one-register vectors, packs A already broadcast (each value as
/// a vector of copies: 4 times the memory for floats, 2 for doubles) and the
/// micro-kernel loads it like any vector: 25% faster. Other builds broadcast
/// straight from memory (`vbroadcastss`, `ld1r`).
@inline(__always)
func packedALanes<V: SIMD>(_: V.Type) -> Int {
#if arch(x86_64) && !NDARRAY_NATIVE_FMA
    return MemoryLayout<V>.size == 16 ? V.scalarCount : 1
#else
    return 1
#endif
}

/// Value i of the packed A at `pa`, in every lane.
@inline(__always)
func packedAValue<V: GEMMVector>(_ pa: UnsafePointer<V.Scalar>, _ i: Int, _: V.Type) -> V {
    if packedALanes(V.self) > 1 {
        return UnsafeRawPointer(pa).loadUnaligned(fromByteOffset: i * MemoryLayout<V>.stride, as: V.self)
    }
    return V(repeating: pa[i])
}

/// Packs B[rows, columns] (a block `depth` × `width`) as panels of nr = 2w columns
/// (two vectors): panel j holds, for each p, the values B[p, j·nr + 0..<nr]; missing columns are 0.
@inline(__always)
func packB<V: GEMMVector>(_ b: StridedMatrix<V.Scalar>, rows p0: Int, _ depth: Int, columns j0: Int, _ width: Int,
                          into packed: UnsafeMutablePointer<V.Scalar>, vector: V.Type) {
    let rs = b.rowStride, cs = b.columnStride
    let w = V.scalarCount, nr = 2 * w, size = MemoryLayout<V.Scalar>.stride
    var out = packed
    for jr in stride(from: 0, to: width, by: nr) {
        let columns = Swift.min(nr, width - jr)
        let source = b.base + p0 * rs + (j0 + jr) * cs
        if cs == 1 && columns == nr {
            // Rows of B are contiguous: copy nr values (two vectors) per p.
            var from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(out)
            let vectorBytes = MemoryLayout<V>.stride, rowBytes = rs * size
            for _ in 0..<depth {
                to.storeBytes(of: from.loadUnaligned(as: V.self), as: V.self)
                to.storeBytes(of: from.loadUnaligned(fromByteOffset: vectorBytes, as: V.self), toByteOffset: vectorBytes,
                              as: V.self)
                from += rowBytes
                to += 2 * vectorBytes
            }
        } else if rs == 1 && columns == nr {
            // B is a transpose (B = Wᵀ, W stored [N, K]): its columns are contiguous.
            // Squares of w columns × w values of p are transposed in registers.
            var p = 0
            while p + w <= depth {
                for j in stride(from: 0, to: nr, by: w) {
                    V.transposeSquare(from: UnsafeRawPointer(source + j * cs + p), rowBytes: cs * size,
                                      to: UnsafeMutableRawPointer(out + p * nr + j), rowBytes: nr * size)
                }
                p += w
            }
            for j in 0..<nr {
                var from = source + j * cs + p, to = out + p * nr + j
                for _ in p..<depth {
                    to.pointee = from.pointee
                    from += 1
                    to += nr
                }
            }
        } else {
            for p in 0..<depth {
                let o = out + p * nr, row = source + p * rs
                for j in 0..<nr { o[j] = j < columns ? row[j * cs] : 0 }
            }
        }
        out += nr * depth
    }
}

/// A SIMD vector the GEMM can tile with: Float or Double lanes, and a
/// transpose of a square of `scalarCount` vectors for packing transposed operands.
@usableFromInline
protocol GEMMVector: SIMD where Scalar: BinaryFloatingPoint {
    /// Rows of the micro-kernel's tile of C: 6 (12 accumulators, for 16 registers), or 12 for
    /// 512-bit vectors (24 accumulators, for AVX-512's 32 registers).
    static var tileRows: Int { get }
    /// Reads `scalarCount` vectors, `rowBytes` apart, and writes their transpose
    /// the same way: out-vector i holds lane i of every in-vector, in order.
    static func transposeSquare(from: UnsafeRawPointer, rowBytes: Int, to: UnsafeMutableRawPointer, rowBytes: Int)
}

// A square is transposed by dealing: new vector i is the even lanes of old
// vectors 2i and 2i+1, new vector i + w/2 their odd lanes. Each deal rotates
// the bits of an element's (vector, lane) address right by one, so log2(w)
// deals move element (r, c) to (c, r). The compiler turns each into shuffles.

extension GEMMVector {
    /// 12 rows for 512-bit vectors (16 floats, 8 doubles), 6 for narrower ones.
    @inline(__always) @usableFromInline static var tileRows: Int { MemoryLayout<Self>.size == 64 ? 12 : 6 }
}

extension SIMD16: GEMMVector where Scalar: BinaryFloatingPoint {
    @inline(__always)
    @usableFromInline
    static func transposeSquare(from source: UnsafeRawPointer, rowBytes: Int, to target: UnsafeMutableRawPointer,
                                rowBytes targetBytes: Int) {
        typealias Square = (Self, Self, Self, Self, Self, Self, Self, Self,
                            Self, Self, Self, Self, Self, Self, Self, Self)
        func deal(_ v: Square) -> Square {
            (Self(lowHalf: v.0.evenHalf, highHalf: v.1.evenHalf), Self(lowHalf: v.2.evenHalf, highHalf: v.3.evenHalf),
             Self(lowHalf: v.4.evenHalf, highHalf: v.5.evenHalf), Self(lowHalf: v.6.evenHalf, highHalf: v.7.evenHalf),
             Self(lowHalf: v.8.evenHalf, highHalf: v.9.evenHalf), Self(lowHalf: v.10.evenHalf, highHalf: v.11.evenHalf),
             Self(lowHalf: v.12.evenHalf, highHalf: v.13.evenHalf), Self(lowHalf: v.14.evenHalf, highHalf: v.15.evenHalf),
             Self(lowHalf: v.0.oddHalf, highHalf: v.1.oddHalf), Self(lowHalf: v.2.oddHalf, highHalf: v.3.oddHalf),
             Self(lowHalf: v.4.oddHalf, highHalf: v.5.oddHalf), Self(lowHalf: v.6.oddHalf, highHalf: v.7.oddHalf),
             Self(lowHalf: v.8.oddHalf, highHalf: v.9.oddHalf), Self(lowHalf: v.10.oddHalf, highHalf: v.11.oddHalf),
             Self(lowHalf: v.12.oddHalf, highHalf: v.13.oddHalf), Self(lowHalf: v.14.oddHalf, highHalf: v.15.oddHalf))
        }
        func row(_ i: Int) -> Self { source.loadUnaligned(fromByteOffset: i * rowBytes, as: Self.self) }
        let v = deal(deal(deal(deal((row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7),
                                     row(8), row(9), row(10), row(11), row(12), row(13), row(14), row(15))))))
        storeVectors(of: v, count: 16, as: Self.self, to: target, rowBytes: targetBytes)
    }
}

extension SIMD8: GEMMVector where Scalar: BinaryFloatingPoint {
    @inline(__always)
    @usableFromInline
    static func transposeSquare(from source: UnsafeRawPointer, rowBytes: Int, to target: UnsafeMutableRawPointer,
                                rowBytes targetBytes: Int) {
        typealias Square = (Self, Self, Self, Self, Self, Self, Self, Self)
        func deal(_ v: Square) -> Square {
            (Self(lowHalf: v.0.evenHalf, highHalf: v.1.evenHalf), Self(lowHalf: v.2.evenHalf, highHalf: v.3.evenHalf),
             Self(lowHalf: v.4.evenHalf, highHalf: v.5.evenHalf), Self(lowHalf: v.6.evenHalf, highHalf: v.7.evenHalf),
             Self(lowHalf: v.0.oddHalf, highHalf: v.1.oddHalf), Self(lowHalf: v.2.oddHalf, highHalf: v.3.oddHalf),
             Self(lowHalf: v.4.oddHalf, highHalf: v.5.oddHalf), Self(lowHalf: v.6.oddHalf, highHalf: v.7.oddHalf))
        }
        func row(_ i: Int) -> Self { source.loadUnaligned(fromByteOffset: i * rowBytes, as: Self.self) }
        let v = deal(deal(deal((row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7)))))
        storeVectors(of: v, count: 8, as: Self.self, to: target, rowBytes: targetBytes)
    }
}

extension SIMD4: GEMMVector where Scalar: BinaryFloatingPoint {
    @inline(__always)
    @usableFromInline
    static func transposeSquare(from source: UnsafeRawPointer, rowBytes: Int, to target: UnsafeMutableRawPointer,
                                rowBytes targetBytes: Int) {
        typealias Square = (Self, Self, Self, Self)
        func deal(_ v: Square) -> Square {
            (Self(lowHalf: v.0.evenHalf, highHalf: v.1.evenHalf), Self(lowHalf: v.2.evenHalf, highHalf: v.3.evenHalf),
             Self(lowHalf: v.0.oddHalf, highHalf: v.1.oddHalf), Self(lowHalf: v.2.oddHalf, highHalf: v.3.oddHalf))
        }
        func row(_ i: Int) -> Self { source.loadUnaligned(fromByteOffset: i * rowBytes, as: Self.self) }
        let v = deal(deal((row(0), row(1), row(2), row(3))))
        storeVectors(of: v, count: 4, as: Self.self, to: target, rowBytes: targetBytes)
    }
}

extension SIMD2: GEMMVector where Scalar: BinaryFloatingPoint {
    @inline(__always)
    @usableFromInline
    static func transposeSquare(from source: UnsafeRawPointer, rowBytes: Int, to target: UnsafeMutableRawPointer,
                                rowBytes targetBytes: Int) {
        let a = source.loadUnaligned(as: Self.self), b = source.loadUnaligned(fromByteOffset: rowBytes, as: Self.self)
        target.storeBytes(of: Self(a[0], b[0]), as: Self.self)
        target.storeBytes(of: Self(a[1], b[1]), toByteOffset: targetBytes, as: Self.self)
    }
}

/// Stores the `count` vectors of the tuple `vectors`, `rowBytes` apart.
@inline(__always)
func storeVectors<Tuple, V: SIMD>(of vectors: Tuple, count: Int, as _: V.Type, to target: UnsafeMutableRawPointer,
                                  rowBytes: Int) {
    withUnsafeBytes(of: vectors) { raw in
        for i in 0..<count {
            target.storeBytes(of: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<V>.stride, as: V.self),
                              toByteOffset: i * rowBytes, as: V.self)
        }
    }
}
