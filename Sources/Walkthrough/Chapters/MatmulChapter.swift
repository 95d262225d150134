// MatmulChapter.swift — chapter 3 of the tour: the matrix product, and why a blocked
// kernel is many times faster than the textbook loop.
//
//   textbook i-j-k     C[i, j] += A[i, k]·B[k, j]; the inner loop walks down a column of B
//   reordered i-k-j    the inner loop walks along rows of B and C: contiguous, vectorised
//   blocked (ours)     pack blocks of A and B that fit the caches; a 6-row tile of C in registers
//
// The timings are taken as the reader watches (best of a few runs), so they
// vary from machine to machine and run to run; the products are checked equal.
//
// Depends on: NDArray (matmul; its kernel is Kernels/GEMM.swift), Presenter.swift.

import Dispatch
import NDArray

/// Chapter 3: matmul's shapes, then three ways to compute it, timed.
func matmulChapter(_ p: Presenter) {
    p.chapter(3, "Matrix multiplication, and why blocking makes it fast")
    p.step("A matrix product, with its shapes")
    let m = NDArray<Float>.arange(6).reshaped(2, 3)
    let w = NDArray<Float>.ones([3, 4])
    p.code("let m = NDArray<Float>.arange(6).reshaped(2, 3)   // [2, 3]", m)
    p.code("let w = NDArray<Float>.ones([3, 4])              // [3, 4]")
    p.code("matmul(m, w)                                     // [2, 3]·[3, 4] → [2, 4]", matmul(m, w))
    let batch = NDArray<Float>.zeros([5, 2, 3])
    p.code("matmul(NDArray<Float>.zeros([5, 2, 3]), w).shape  // batch axes broadcast", matmul(batch, w).shape)
    p.say("""
        The inner sizes must agree (3 and 3); the result keeps the outer ones. Axes
        in front of the last two are batch axes and broadcast like any others:
        this is how attention multiplies [B, NH, T, HS] by [B, NH, HS, T].
        """)
    p.pause()

    let n = 256
    var rng = SeededGenerator(seed: 3)
    let a = NDArray<Float>.normal([n, n], using: &rng), b = NDArray<Float>.normal([n, n], using: &rng)
    let flops = 2 * Double(n * n * n)
    let reference = matmul(a, b)

    p.step("The textbook loop")
    p.say("""
          for i in 0..<n { for j in 0..<n { for k in 0..<n { c[i * n + j] += a[i * n + k] * b[k * n + j] } } }

        2n³ = \(Int(flops) / 1_000_000) million floating-point operations for n = \(n), on three arrays of n² floats.
        The innermost loop steps through b a whole row (n floats, \(4 * n) bytes) at a time: each
        b[k, j] it reads comes from a different cache line, and the line is gone again before
        the next j wants its neighbour.
        """)
    let (textbook, textbookSeconds) = timed { multiplyTextbook(a.scalars, b.scalars, n) }
    p.code("multiplyTextbook(a.scalars, b.scalars, \(n))   // that loop, on [\(n), \(n)]·[\(n), \(n)]",
           rate(flops, textbookSeconds))
    p.pause()

    p.step("The same loop, reordered")
    p.say("""
          for i in 0..<n { for k in 0..<n { let aik = a[i * n + k]; for j in 0..<n { c[i * n + j] += aik * b[k * n + j] } } }

        Swapping the two inner loops changes nothing in the arithmetic, only the order of
        memory reads: the innermost loop now runs along a row of b and a row of c, one
        contiguous stretch each, which the compiler turns into SIMD instructions (several
        floats per instruction).
        """)
    let (reordered, reorderedSeconds) = timed { multiplyReordered(a.scalars, b.scalars, n) }
    p.code("multiplyReordered(a.scalars, b.scalars, \(n))", rate(flops, reorderedSeconds) + String(format: "   (%.1f× the textbook loop)",
                                                                           textbookSeconds / reorderedSeconds))
    p.pause()

    p.step("Blocking: keep the data in the caches and the registers")
    // The tile this build's kernel uses: its width is chosen when the program starts (KernelVectors).
    let wide = KernelVectors.bits == 512
    #if arch(x86_64) && !NDARRAY_NATIVE_FMA
    let (rows, width, registers, fused) = (6, 8, "twelve 4-float SSE registers", "")
    #elseif arch(x86_64)
    let (rows, width, registers, fused) = wide ? (12, 32, "twenty-four 16-float AVX-512 registers", " fused")
                                               : (6, 16, "twelve 8-float AVX2 registers", " fused")
    #else
    let (rows, width, registers, fused) = wide
        ? (12, 32, "twenty-four 16-float vectors (four NEON registers each)", " fused")
        : (6, 16, "twelve 8-float vectors (two NEON registers each)", " fused")
    #endif
    p.say("""
        The reordered loop still streams all of b through the CPU for every row of a: n rows
        × n² floats. The library's kernel (Kernels/GEMM.swift) cuts the work into blocks sized
        for each level of memory, the way BLAS libraries do:

          for each 2048-wide panel of B's columns                         (L3: 2 MB)
            for each 256-deep slice of the inner dimension
              pack a block of up to 144 × 256 of A, in the order the kernel reads it   (L2)
              for each \(width)-wide strip of B: pack it                        (L1)
                for each \(rows) rows of the A block:
                  micro-kernel: a \(rows) × \(width) tile of C += A[\(rows), 256]·B[256, \(width)]  (registers)

        How wide a vector is depends on the CPU, and the kernel reads it when the program starts:
        """)
    p.code("KernelVectors.summary", KernelVectors.summary)
    p.say("""
        So here the micro-kernel keeps its \(rows * width) sums in \(registers) for all 256
        steps of k. Each step reads \(rows) values of A and 2 vectors of B and does \(2 * rows)\(fused) vector
        multiply-adds: every value loaded is used \(rows) or \(width) times. Memory is touched once per
        block instead of once per multiply, and the cores spend their time on arithmetic. On
        \(ComputeThreads.count) threads the cores share out C's columns (its rows, when C is taller
        than wide) in whole tiles; each element still adds its k terms in the same order, so
        the result is the same bit for bit on any number of threads, and at either vector width.
        """)
    let (_, blockedSeconds) = timed { matmul(a, b) }
    p.code("matmul(a, b)             // blocked, packed, \(ComputeThreads.count) threads",
           rate(flops, blockedSeconds) + String(format: "   (%.0f× the textbook loop)", textbookSeconds / blockedSeconds))
    let big = NDArray<Float>.normal([1024, 1024], using: &rng)
    let (_, bigSeconds) = timed { matmul(big, big) }
    p.code("matmul(big, big)         // [1024, 1024]·[1024, 1024]", rate(2 * 1024 * 1024 * 1024, bigSeconds))
    let worst = max(maxDifference(textbook, reference.scalars), maxDifference(reordered, reference.scalars))
    p.say(worst == 0 ? "The three products are identical, bit for bit: each adds the k terms in the same order."
          : String(format: "The three products differ by at most %.1e: fused multiply-adds round once, not twice.", worst))
    p.pause()
}

/// The textbook i-j-k product of two row-major n × n matrices.
func multiplyTextbook(_ a: [Float], _ b: [Float], _ n: Int) -> [Float] {
    var c = [Float](repeating: 0, count: n * n)
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                for i in 0..<n {
                    for j in 0..<n {
                        var sum: Float = 0
                        for k in 0..<n { sum += a[i * n + k] * b[k * n + j] }
                        c[i * n + j] = sum
                    }
                }
            }
        }
    }
    return c
}

/// The same product with the inner two loops swapped (i-k-j): contiguous reads of b and c.
func multiplyReordered(_ a: [Float], _ b: [Float], _ n: Int) -> [Float] {
    var c = [Float](repeating: 0, count: n * n)
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                for i in 0..<n {
                    for k in 0..<n {
                        let aik = a[i * n + k]
                        for j in 0..<n { c[i * n + j] += aik * b[k * n + j] }
                    }
                }
            }
        }
    }
    return c
}

/// `body`'s result and its fastest time of three runs, in seconds.
func timed<R>(_ body: () -> R) -> (R, Double) {
    var best = Double.infinity
    var result: R?
    for _ in 0..<3 {
        let start = DispatchTime.now().uptimeNanoseconds
        result = body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return (result!, best)
}

/// "12.3 ms, 2.7 GFLOP/s".
func rate(_ flops: Double, _ seconds: Double) -> String {
    String(format: "%.2f ms, %.1f GFLOP/s", seconds * 1e3, flops / seconds / 1e9)
}

/// The largest |x − y| over two arrays of the same length.
func maxDifference(_ x: [Float], _ y: [Float]) -> Float {
    zip(x, y).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
