// KernelTests.swift — the fast kernels held to their plain twins.
//
//   GEMM / GEMV (Kernels/GEMM*.swift, GEMV.swift)  against matmulReference, the three-loop oracle:
//                                                  sizes one past every block, every operand layout,
//                                                  a few rows (B in place, Wᵀ as dot tiles)
//   threads                                        one thread and two give the same bits
//   row kernels (Kernels/RowKernels.swift)         softmax, logSoftmax, logSumExp, layerNorm against
//                                                  their …Reference twins; masked, NaN and huge rows
//   vectorExp (Kernels/VectorMath.swift)           against Foundation's exp, in ulps (printed)
//   sum and max along the last axis                against plain loops accumulated in Double
//
// Every GEMM check runs at both vector widths (256- and 512-bit), which must also agree bit
// for bit. The block sizes are the kernels' own constants (tile rows, `sliceDepth`,
// `blockRows`, `panelColumns`, `inPlaceRows`), so the edge cases follow them if they change;
// `@testable` also reaches the thread thresholds and `rowMaximum`.
// Sizes stay small: the reference is a triple loop and tests run in debug.

import Foundation
import TestSupport
import XCTest
@testable import NDArray

final class KernelTests: XCTestCase {
    // MARK: GEMM against the reference

    // Every GEMM check runs at both vector widths (KernelVectors): the CPU's own, and the other
    // one (512-bit vectors run as pairs of 256-bit halves on a CPU without AVX-512).

    func testTheBlockedGEMMMatchesTheReferenceInFloatOnSizesJustPastEveryBlock() {
        forEachWidth { checkEdgeSizes(Float.self, seed: 1) }
    }

    func testTheBlockedGEMMMatchesTheReferenceInDoubleOnSizesJustPastEveryBlock() {
        forEachWidth { checkEdgeSizes(Double.self, seed: 2) }
    }

    func testTransposedSlicedReversedAndBroadcastOperandsMatchTheReference() {
        forEachWidth {
            checkOperandLayouts(Float.self, seed: 3)
            checkOperandLayouts(Double.self, seed: 4)
        }
    }

    func testBatchedProductsMatchTheReferenceEntryByEntry() {
        forEachWidth {
            checkBatchedProducts(Float.self, seed: 5)
            checkBatchedProducts(Double.self, seed: 6)
        }
    }

    func testAFewRowsReadTheirOperandsInPlaceAndMatchTheReference() {
        forEachWidth {
            checkFewRows(Float.self, seed: 15)
            checkFewRows(Double.self, seed: 16)
        }
    }

    func testASingleBlockOfRowsMatchesTheReferenceWithBPackedOrReadInPlace() {
        forEachWidth { checkSingleBlock() }
    }

    // MARK: Vector widths

    /// Both kernels sum each element over p in the same order, so the width never changes a bit:
    /// every path (blocked, edges, slices, transposed packing, few rows, vectors, batches), in
    /// Float and Double, on one thread and on two.
    func testBothVectorWidthsGiveTheSameBits() {
        var rng = SeededGenerator(seed: 21)
        let shapes: [(Int, Int, Int)] = [
            (7, 13, 31), (12, 256, 32), (13, 257, 33), (25, 3, 65), (145, 300, 70), (128, 768, 200),
            (300, 40, 2049), (5, 100, 300), (1, 300, 70), (50, 40, 1),
        ]
        for threads in [1, 2] {
            for (m, k, n) in shapes {
                let a = NDArray<Float>.normal([m, k], using: &rng), b = NDArray<Float>.normal([k, n], using: &rng)
                let w = NDArray<Float>.normal([n, k], using: &rng)
                let ad = a.asType(Double.self), bd = b.asType(Double.self)
                ComputeThreads.withCount(threads) {
                    for (name, left, right) in [("a·b", a, b), ("a·wᵀ", a, w.T), ("aᵀᵀ·b", a.T.T, b)] {
                        assertEqualArrays(KernelVectors.withBits(512) { matmul(left, right) },
                                          KernelVectors.withBits(256) { matmul(left, right) },
                                          "Float \(name) [\(m), \(k)]·[\(k), \(n)] on \(threads) thread(s)")
                    }
                    assertEqualArrays(KernelVectors.withBits(512) { matmul(ad, bd) },
                                      KernelVectors.withBits(256) { matmul(ad, bd) },
                                      "Double [\(m), \(k)]·[\(k), \(n)] on \(threads) thread(s)")
                }
            }
        }
        let x = NDArray<Float>.normal([4, 64, 32], using: &rng), y = NDArray<Float>.normal([4, 32, 48], using: &rng)
        assertEqualArrays(KernelVectors.withBits(512) { matmul(x, y) }, KernelVectors.withBits(256) { matmul(x, y) },
                          "batched [4, 64, 32]·[4, 32, 48]")
    }

    func testTheVectorWidthCanBeSetAndIsReadFromTheEnvironment() {
        let before = KernelVectors.bits
        XCTAssertTrue([256, 512].contains(before))
        XCTAssertEqual(KernelVectors.withBits(512) { KernelVectors.bits }, 512)
        XCTAssertEqual(KernelVectors.withBits(256) { KernelVectors.withBits(512) { KernelVectors.bits } }, 512)
        XCTAssertEqual(KernelVectors.bits, before, "withBits restores the width")
        // The portable x86-64 build runs one 4-float SSE kernel whatever the width.
        #if arch(x86_64)
        let portable = !buildUsesFusedMultiplyAdd
        #else
        let portable = false
        #endif
        let lanes = portable ? 4 : before / 32
        XCTAssertTrue(KernelVectors.summary.hasPrefix("\(lanes) floats per vector"), KernelVectors.summary)
        XCTAssertEqual(KernelVectors.summary.hasSuffix("fused multiply-add"), buildUsesFusedMultiplyAdd,
                       KernelVectors.summary)
        XCTAssertTrue(["AVX-512", "AVX2", "SSE", "NEON", "scalar"].contains(KernelVectors.cpuVectors))
        XCTAssertEqual(try KernelVectors.vectorBits(fromEnvironment: nil).get(), nil)
        XCTAssertEqual(try KernelVectors.vectorBits(fromEnvironment: "512").get(), 512)
        XCTAssertEqual(try KernelVectors.vectorBits(fromEnvironment: " 256 ").get(), 256)
        for bad in ["", "128", "1024", "wide", "-256"] {
            guard case .failure(let error) = KernelVectors.vectorBits(fromEnvironment: bad) else {
                XCTFail("NDARRAY_VECTOR_BITS=\"\(bad)\" was accepted")
                continue
            }
            XCTAssertEqual(error.description,
                           "NDARRAY_VECTOR_BITS=\"\(bad)\" is not 256 or 512 (unset it to use the CPU's widest)")
        }
    }

    // MARK: Threads

    func checkSingleBlock() {
        // Up to `blockRows` rows, B's rows are read in place unless their stride piles a slice's
        // strip onto few cache sets (`readsBInPlace`: 1024 floats or 512 doubles over a whole slice);
        // then they are packed.
        var rng = SeededGenerator(seed: 17)
        for (n, k, layout) in [(1000, 20, "in place"), (1024, sliceDepth, "packed (4 KB row stride)")] {
            XCTAssertEqual(readsBInPlace(rows: blockRows, rowBytes: 4 * n, depth: k, stripBytes: 64), layout == "in place")
            let a = NDArray<Float>.normal([blockRows, k], using: &rng), b = NDArray<Float>.normal([k, n], using: &rng)
            assertProduct(matmul(a, b), matches: matmulReference(a, b), depth: k, "Float [\(blockRows), \(k)]·[\(k), \(n)], \(layout)")
        }
        for (n, k, layout) in [(500, 20, "in place"), (512, sliceDepth, "packed (4 KB row stride)")] {
            XCTAssertEqual(readsBInPlace(rows: blockRows, rowBytes: 8 * n, depth: k, stripBytes: 64), layout == "in place")
            let a = NDArray<Double>.normal([blockRows, k], using: &rng), b = NDArray<Double>.normal([k, n], using: &rng)
            assertProduct(matmul(a, b), matches: matmulReference(a, b), depth: k, "Double [\(blockRows), \(k)]·[\(k), \(n)], \(layout)")
        }
        // Large enough for every loop level at once: row blocks, slices, panels, transposed packing.
        for (m, k, n) in [(2 * blockRows + 5, sliceDepth + 9, 40), (inPlaceRows + 1, sliceDepth + 1, panelColumns + 21)] {
            let a = NDArray<Float>.normal([m, k], using: &rng), b = NDArray<Float>.normal([k, n], using: &rng)
            let bt = NDArray<Float>.normal([n, k], using: &rng)
            assertProduct(matmul(a, b), matches: matmulReference(a, b), depth: k, "Float [\(m), \(k)]·[\(k), \(n)]")
            assertProduct(matmul(a, bt.T), matches: matmulReference(a, bt.T.copy()), depth: k,
                          "Float [\(m), \(k)]·[\(n), \(k)]ᵀ")
        }
    }

    func testMatmulGivesTheSameBitsOnOneThreadAndOnTwo() {
        var rng = SeededGenerator(seed: 7)
        func random(_ shape: Int...) -> NDArray<Float> { NDArray<Float>.normal(shape, using: &rng) }
        let depth = sliceDepth + 44  // two slices: a split must keep every sum's order
        let cases: [(String, NDArray<Float>, NDArray<Float>)] = [
            ("wide [40, 300]·[300, 48]: columns split", random(40, depth), random(depth, 48)),
            ("tall [48, 300]·[300, 40]: rows split", random(48, depth), random(depth, 40)),
            ("attention [8, 64, 32]·[8, 32, 64]: batch entries split", random(8, 64, 32), random(8, 32, 64)),
            ("vector·matrix [1, 512]·[512, 1100]: output chunks split", random(1, 512), random(512, 1100)),
            ("matrix·vector [1100, 512]·[512]: dot products split", random(1100, 512), random(512)),
            ("a few rows [6, 300]·[300, 1200], B in place: columns split", random(6, depth), random(depth, 1200)),
            ("a few rows · wᵀ [5, 300]·[1100, 300]ᵀ: dot products split", random(5, depth), random(1100, depth).T),
            ("one block of rows [14, 300]·[300, 1540]: four column pieces", random(14, depth), random(depth, 1540)),
            ("one block of rows · wᵀ [14, 300]·[1540, 300]ᵀ: four column pieces", random(14, depth),
             random(1540, depth).T),
        ]
        for (name, a, b) in cases {
            forEachWidth {
                let one = ComputeThreads.withCount(1) { matmul(a, b) }
                let two = ComputeThreads.withCount(2) { matmul(a, b) }
                XCTAssertGreaterThanOrEqual(one.count * a.shape[a.ndim - 1], 2 * gemmParallelWork,
                                            "\(name) is too small to be split among threads")
                assertEqualArrays(two, one, "\(name), \(KernelVectors.bits)-bit vectors")
            }
        }
    }

    func testAStripOfBIsReadInPlaceOnlyWhereItsStrideSpreadsItOverTheCache() {
        // 1024 sets of 64-byte lines, 8 ways: rows 2 KB apart reach 32 sets (256 lines),
        // 3 KB apart 64 sets (512 lines), 4 KB apart 16; 4000 bytes apart, every set.
        XCTAssertFalse(stripFitsInL2(rowBytes: 2048, rows: 256))
        XCTAssertTrue(stripFitsInL2(rowBytes: 2048, rows: 128))
        XCTAssertTrue(stripFitsInL2(rowBytes: 3072, rows: 256))
        XCTAssertFalse(stripFitsInL2(rowBytes: 3072, rows: 257))
        XCTAssertFalse(stripFitsInL2(rowBytes: 4096, rows: 256))
        XCTAssertTrue(stripFitsInL2(rowBytes: 4000, rows: 256))
        XCTAssertTrue(stripFitsInL2(rowBytes: 4000, rows: 4096))
        XCTAssertFalse(stripFitsInL2(rowBytes: 65536, rows: 5))
        XCTAssertFalse(stripFitsInL2(rowBytes: -2048, rows: 256))   // a reversed view: the same sets
        XCTAssertTrue(stripFitsInL2(rowBytes: -3072, rows: 256))
        XCTAssertFalse(stripFitsInL2(rowBytes: 0, rows: 16))        // every row on one line
        // The whole rule: a few rows always read B in place; a block of rows only where its strip
        // fits and spans whole cache lines; more rows than a block never.
        XCTAssertTrue(readsBInPlace(rows: inPlaceRows, rowBytes: 4096, depth: 256, stripBytes: 32))
        XCTAssertTrue(readsBInPlace(rows: blockRows, rowBytes: 3072, depth: 256, stripBytes: 64))
        XCTAssertFalse(readsBInPlace(rows: blockRows, rowBytes: 2048, depth: 256, stripBytes: 64))
        XCTAssertTrue(readsBInPlace(rows: blockRows, rowBytes: 2048, depth: 64, stripBytes: 64))
        XCTAssertFalse(readsBInPlace(rows: blockRows, rowBytes: 3072, depth: 256, stripBytes: 32))
        XCTAssertFalse(readsBInPlace(rows: blockRows + 1, rowBytes: 3072, depth: 256, stripBytes: 64))
    }

    func testReductionsShareTheirRowsAmongThreadsAndKeepTheirBits() {
        var rng = SeededGenerator(seed: 22)
        let x = NDArray<Float>.normal([64, 1000], std: 3, using: &rng)
        XCTAssertGreaterThanOrEqual(x.count, 2 * reductionParallelElements, "too small to be split")
        // Along the last axis (contiguous rows), along the first (strided columns), over a transposed view.
        let floats: [(String, (NDArray<Float>) -> NDArray<Float>)] = [
            ("sum(axis: -1)", { $0.sum(axis: -1) }), ("max(axis: 0)", { $0.max(axis: 0) }),
            ("max(axis: -1)", { $0.max(axis: -1) }), ("min(axis: 0)", { $0.min(axis: 0) }),
            ("mean(axis: -1)", { $0.mean(axis: -1) }), ("std(axis: -1)", { $0.std(axis: -1) }),
            ("T.sum(axis: -1)", { $0.T.sum(axis: -1) }), ("sum(axis: 0)", { $0.sum(axis: 0) }),
            ("mean(axis: 0)", { $0.mean(axis: 0) }),
        ]
        for (name, f) in floats {
            let one = ComputeThreads.withCount(1) { f(x) }, two = ComputeThreads.withCount(2) { f(x) }
            assertEqualArrays(two, one, name)
        }
        assertEqualArrays(ComputeThreads.withCount(2) { x.argmax(axis: -1) },
                          ComputeThreads.withCount(1) { x.argmax(axis: -1) }, "argmax(axis: -1)")
        // And the values: each row against a plain loop in Double (the sums), exactly (max, argmax).
        let sums = ComputeThreads.withCount(2) { x.sum(axis: -1) }
        let maxima = ComputeThreads.withCount(2) { x.max(axis: -1) }
        let places = ComputeThreads.withCount(2) { x.argmax(axis: -1) }
        for row in 0..<64 {
            let values = x[row].scalars
            let exact = values.reduce(0.0) { $0 + Double($1) }
            XCTAssertEqual(Double(sums[row].item()), exact, accuracy: 1e-3, "row \(row)'s sum")
            XCTAssertEqual(maxima[row].item(), values.max()!, "row \(row)'s max")
            XCTAssertEqual(places[row].item(), values.firstIndex(of: values.max()!)!, "row \(row)'s argmax")
        }
        // Down the columns (leading axes, rows added whole): each column against a plain loop.
        let columnSums = ComputeThreads.withCount(2) { x.sum(axis: 0) }
        for column in [0, 1, 15, 16, 500, 999] {
            let exact = (0..<64).reduce(0.0) { $0 + Double(x[$1, column].item()) }
            XCTAssertEqual(Double(columnSums[column].item()), exact, accuracy: 1e-3, "column \(column)'s sum")
        }
    }

    func testRowKernelsGiveTheSameBitsOnOneThreadAndOnTwo() {
        var rng = SeededGenerator(seed: 8)
        let (rows, length) = (48, 1000)
        XCTAssertGreaterThanOrEqual(rows, 2 * Swift.max(1, rowParallelElements / length), "too few rows to be split")
        let x = NDArray<Float>.normal([rows, length], std: 2, using: &rng)
        let weight = NDArray<Float>.normal([length], using: &rng), bias = NDArray<Float>.normal([length], using: &rng)
        let kernels: [(String, (NDArray<Float>) -> NDArray<Float>)] = [
            ("softmax", { $0.softmax() }),
            ("logSoftmax", { $0.logSoftmax() }),
            ("logSumExp", { $0.logSumExp() }),
            ("layerNorm", { $0.layerNorm(weight: weight, bias: bias) }),
            ("layerNormStatistics mean", { $0.layerNormStatistics().mean }),
            ("layerNormStatistics rstd", { $0.layerNormStatistics().rstd }),
            ("layerNormWithStatistics rstd", { $0.layerNormWithStatistics(weight: weight).rstd }),
        ]
        for (name, kernel) in kernels {
            let one = ComputeThreads.withCount(1) { kernel(x) }
            let two = ComputeThreads.withCount(2) { kernel(x) }
            assertEqualArrays(two, one, name)
        }
    }

    func testComputeThreadsCountCanBeSetAndWithCountRestoresIt() {
        let before = ComputeThreads.count
        defer { ComputeThreads.count = before }
        XCTAssertGreaterThanOrEqual(before, 1)
        XCTAssertGreaterThanOrEqual(ComputeThreads.defaultCount, 1)
        ComputeThreads.count = 3
        XCTAssertEqual(ComputeThreads.count, 3)
        XCTAssertEqual(ComputeThreads.withCount(1) { ComputeThreads.count }, 1)
        XCTAssertEqual(ComputeThreads.count, 3)
        XCTAssertEqual(ComputeThreads.withCount(2) { ComputeThreads.withCount(5) { ComputeThreads.count } }, 5)
        XCTAssertEqual(ComputeThreads.count, 3)
        struct Stop: Error {}
        XCTAssertThrowsError(try ComputeThreads.withCount(2) { () throws -> Void in throw Stop() })
        XCTAssertEqual(ComputeThreads.count, 3, "a throwing body restores the count too")
    }

    // MARK: Row kernels against their reference twins

    func testTheEnvironmentVariableIsReadAsAPositiveCount() {
        XCTAssertEqual(try ComputeThreads.threadCount(fromEnvironment: nil).get(), nil)
        XCTAssertEqual(try ComputeThreads.threadCount(fromEnvironment: "3").get(), 3)
        XCTAssertEqual(try ComputeThreads.threadCount(fromEnvironment: " 1 ").get(), 1)
        for bad in ["0", "-2", "two", "", "1.5"] {
            guard case .failure(let error) = ComputeThreads.threadCount(fromEnvironment: bad) else {
                XCTFail("NDARRAY_NUM_THREADS=\(bad) was accepted")
                continue
            }
            XCTAssertTrue(error.description.contains("NDARRAY_NUM_THREADS=\"\(bad)\" is not a positive integer"),
                          error.description)
        }
    }

    func testRowKernelsMatchTheirReferenceTwinsInFloat() {
        checkRowKernels(Float.self, tolerance: 1e-5, seed: 9)
    }

    func testRowKernelsMatchTheirReferenceTwinsInDouble() {
        checkRowKernels(Double.self, tolerance: 1e-12, seed: 10)
    }

    func testMaskedRowsGiveZerosNaNRowsGiveNaNAndHugeLogitsStayFinite() {
        checkSpecialRows(Float.self, tolerance: 2e-6)
        checkSpecialRows(Double.self, tolerance: 1e-13)
    }

    // MARK: The vectorised exp

    func testVectorExpInFloatIsWithinTwoUlpsOfFoundation() {
        let ulp = { (exact: Double) in Double(Float(exact).ulp) }
        let low = floatExpError(from: -87.3, to: 0, points: 200_000, unit: ulp)
        print(String(format: "vectorExp Float: max error %.3f ulps over [-87.3, 0] (at x = %.7g)", low.error, Double(low.x)))
        XCTAssertLessThanOrEqual(low.error, 2, "at x = \(low.x)")
        let high = floatExpError(from: 0, to: 88.7, points: 20_000, unit: ulp)
        print(String(format: "vectorExp Float: max error %.3f ulps over [0, 88.7] (at x = %.7g)", high.error, Double(high.x)))
        XCTAssertLessThanOrEqual(high.error, 2, "at x = \(high.x)")

        // Subnormal results, measured in the subnormal spacing (the ulp there). Near the
        // normal range the polynomial's own error still counts; deep down only the final rounding does.
        let spacing = { (_: Double) in Double(Float.leastNonzeroMagnitude) }
        let subnormal = floatExpError(from: -103.9, to: -87.4, points: 20_000, unit: spacing)
        let deep = floatExpError(from: -103.9, to: -95, points: 10_000, unit: spacing)
        print(String(format: "vectorExp Float: max error %.3f subnormal spacings over [-103.9, -87.4], %.3f over [-103.9, -95]",
                     subnormal.error, deep.error))
        XCTAssertLessThanOrEqual(subnormal.error, 2, "at x = \(subnormal.x)")
        XCTAssertLessThanOrEqual(deep.error, 1, "at x = \(deep.x)")

        let e = Float.vectorExp(SIMD8<Float>(-200, 100, .nan, 0, -.infinity, .infinity, -104.5, 88.8))
        XCTAssertEqual(e[0], 0)
        XCTAssertEqual(e[1], .infinity)
        XCTAssertTrue(e[2].isNaN)
        XCTAssertEqual(e[3], 1, "exp(0) is exactly 1")
        XCTAssertEqual(e[4], 0, "exp(−∞) is 0: the padding of a row's tail")
        XCTAssertEqual(e[5], .infinity)
        XCTAssertEqual(e[6], 0, "below half the smallest subnormal")
        XCTAssertEqual(e[7], .infinity, "above the largest float")
    }

    func testVectorExpInDoubleIsWithinTwoUlpsOfFoundation() {
        var worst = 0.0, worstX = 0.0
        let (lower, upper, points) = (-708.0, 0.0, 100_000)
        for start in stride(from: 0, to: points, by: 4) {
            var x = SIMD4<Double>()
            for lane in 0..<4 { x[lane] = lower + (upper - lower) * Double(Swift.min(start + lane, points - 1)) / Double(points - 1) }
            let approx = Double.vectorExp(x)
            for lane in 0..<4 {
                let exact = Foundation.exp(x[lane])
                let error = Swift.abs(approx[lane] - exact) / exact.ulp
                if !(error <= worst) { worst = error.isNaN ? .infinity : error; worstX = x[lane] }
            }
        }
        print(String(format: "vectorExp Double: max error %.3f ulps over [-708, 0] (at x = %.10g)", worst, worstX))
        XCTAssertLessThanOrEqual(worst, 2, "at x = \(worstX)")

        let e = Double.vectorExp(SIMD4<Double>(-800, 800, .nan, 0))
        XCTAssertEqual(e[0], 0)
        XCTAssertEqual(e[1], .infinity)
        XCTAssertTrue(e[2].isNaN)
        XCTAssertEqual(e[3], 1, "exp(0) is exactly 1")
        let f = Double.vectorExp(SIMD4<Double>(-.infinity, .infinity, -746.5, 709.8))
        XCTAssertEqual(f, SIMD4<Double>(0, .infinity, 0, .infinity))
    }

    // MARK: Sum and max along the last axis

    func testSumAndMaxAlongTheLastAxisMatchPlainLoops() {
        var rng = SeededGenerator(seed: 11)
        for length in [1, 7, 8, 127, 128, 129, 1000, 5000] {
            let contiguous = NDArray<Float>.uniform([3, length], low: -1, high: 2, using: &rng)
            let transposed = NDArray<Float>.uniform([length, 3], low: -1, high: 2, using: &rng).T
            for (name, x) in [("contiguous", contiguous), ("transposed", transposed)] {
                let sums = x.sum(axis: -1).scalars, maxima = x.max(axis: -1).scalars
                for r in 0..<3 {
                    let row = x[r].scalars
                    let exact = row.reduce(0.0) { $0 + Double($1) }
                    let magnitude = row.reduce(0.0) { $0 + Swift.abs(Double($1)) }
                    let label = "length \(length), \(name) row \(r)"
                    XCTAssertEqual(Double(sums[r]), exact, accuracy: 1e-6 * (1 + magnitude), "sum, \(label)")
                    XCTAssertEqual(maxima[r], row.max()!, "max, \(label)")
                    // The row kernels' own maximum (softmax's shift) is exact too.
                    let kernelMaximum = NDArray(row).withUnsafeBufferPointer { rowMaximum($0.baseAddress!, $0.count) }
                    XCTAssertEqual(kernelMaximum, row.max()!, "rowMaximum, \(label)")
                }
            }
        }
    }

    func testMaxAndSumAlongTheLastAxisPropagateNaNFromAnyPosition() {
        var rng = SeededGenerator(seed: 12)
        let length = 129  // 16 vectors of 8 floats and a tail of 1
        let positions = [0, 64, length - 1]
        var values = NDArray<Float>.uniform([positions.count + 1, length], low: -1, high: 1, using: &rng).scalars
        for (r, position) in positions.enumerated() { values[r * length + position] = .nan }
        let x = NDArray(shape: [positions.count + 1, length], scalars: values)
        let maxima = x.max(axis: -1).scalars, sums = x.sum(axis: -1).scalars
        for (r, position) in positions.enumerated() {
            XCTAssertTrue(maxima[r].isNaN, "max with NaN at \(position)")
            XCTAssertTrue(sums[r].isNaN, "sum with NaN at \(position)")
            let row = Array(values[(r * length)..<((r + 1) * length)])
            XCTAssertTrue(row.withUnsafeBufferPointer { rowMaximum($0.baseAddress!, $0.count) }.isNaN,
                          "rowMaximum with NaN at \(position)")
        }
        let last = positions.count
        XCTAssertEqual(maxima[last], values[(last * length)...].max()!, "a row without NaN")
    }

    func testVectorisedSumAndMinGiveTheBitsOfThePlainStridedLoops() {
        // A contiguous row takes the SIMD paths; the same values read through a
        // transpose (stride ≠ 1) take the scalar loops. NumPy's pairwise order
        // is kept exactly, so the sums agree to the last bit, not just closely.
        var rng = SeededGenerator(seed: 13)
        for length in [9, 16, 100, 128, 129, 200, 250, 256, 1000, 4097] {  // 129…256: two blocks
            let x = NDArray<Float>.normal([4, length], std: 10, using: &rng)
            let strided = x.T.copy().T  // same values, column-major
            XCTAssertEqual(strided.strides, [1, 4])
            assertEqualArrays(x.sum(axis: -1), strided.sum(axis: -1), "sum, length \(length)")
            assertEqualArrays(x.min(axis: -1), strided.min(axis: -1), "min, length \(length)")
            assertEqualArrays(x.max(axis: -1), strided.max(axis: -1), "max, length \(length)")
            let d = x.asType(Double.self), dStrided = d.T.copy().T
            assertEqualArrays(d.sum(axis: -1), dStrided.sum(axis: -1), "Double sum, length \(length)")
        }
    }

    // MARK: Element-wise arithmetic on threads

    func testLargeArithmeticGivesTheSameBitsOnOneThreadAndOnTwo() {
        // 2^20 elements: above the size where + − × ÷ go to the concrete, threaded kernel.
        var rng = SeededGenerator(seed: 14)
        let x = NDArray<Float>.normal([1024, 1024], using: &rng), y = NDArray<Float>.normal([1024, 1024], using: &rng)
        let row = NDArray<Float>.normal([1024], using: &rng)
        let cases: [(String, (NDArray<Float>, NDArray<Float>) -> NDArray<Float>, NDArray<Float>)] = [
            ("x + y", { $0 + $1 }, y), ("x - y", { $0 - $1 }, y), ("x * y", { $0 * $1 }, y), ("x / y", { $0 / $1 }, y),
            ("x + row", { $0 + $1 }, row), ("x * scalar", { $0 * $1 }, NDArray(Float(0.5))),
            ("xᵀ - y", { $0.T - $1 }, y),
        ]
        for (name, op, other) in cases {
            let one = ComputeThreads.withCount(1) { op(x, other) }
            let two = ComputeThreads.withCount(2) { op(x, other) }
            assertEqualArrays(one, two, name)
        }
        // And the values themselves, against plain loops over the scalars.
        let sum = ComputeThreads.withCount(2) { x + row }.scalars
        let xs = x.scalars, rs = row.scalars
        for i in stride(from: 0, to: xs.count, by: 997) {
            XCTAssertEqual(sum[i], xs[i] + rs[i % 1024], "x + row at \(i)")
        }
        let transposedDifference = ComputeThreads.withCount(2) { x.T - y }.scalars, ys = y.scalars
        for i in stride(from: 0, to: xs.count, by: 991) {
            let (r, c) = (i / 1024, i % 1024)
            XCTAssertEqual(transposedDifference[i], xs[c * 1024 + r] - ys[i], "xᵀ - y at \(i)")
        }
        // Eight lanes at a time, then a tail: an odd length, and a scalar on the left.
        let odd = NDArray<Float>.normal([1023 * 1025], using: &rng), other = NDArray<Float>.normal([1023 * 1025], using: &rng)
        let product = (odd * other).scalars, fromTwo = (2 - odd).scalars
        let os = odd.scalars, others = other.scalars
        for i in Array(stride(from: 0, to: os.count, by: 1009)) + Array((os.count - 9)..<os.count) {
            XCTAssertEqual(product[i], os[i] * others[i], "odd * other at \(i)")
            XCTAssertEqual(fromTwo[i], 2 - os[i], "2 - odd at \(i)")
        }
        // An array and a scalar variable, on either side: the bits of the scalar loop.
        let three: Float = 3
        let withScalars: [(String, NDArray<Float>, (Float) -> Float)] = [
            ("odd + 3", odd + three, { $0 + 3 }), ("3 + odd", three + odd, { 3 + $0 }),
            ("odd - 3", odd - three, { $0 - 3 }), ("3 - odd", three - odd, { 3 - $0 }),
            ("odd * 3", odd * three, { $0 * 3 }), ("3 * odd", three * odd, { 3 * $0 }),
            ("odd / 3", odd / three, { $0 / 3 }), ("3 / odd", three / odd, { 3 / $0 }),
        ]
        for (name, result, f) in withScalars {
            let values = result.scalars
            for i in Array(stride(from: 0, to: os.count, by: 1013)) + Array((os.count - 9)..<os.count) {
                XCTAssertEqual(values[i], f(os[i]), "\(name) at \(i)")
            }
        }
        // In place, on two threads.
        var z = x.copy()
        ComputeThreads.withCount(2) { z += y }
        assertEqualArrays(z, ComputeThreads.withCount(1) { x + y }, "z += y")
        // Double goes through the same kernel.
        let dx = x.asType(Double.self), dy = y.asType(Double.self)
        assertEqualArrays(ComputeThreads.withCount(2) { dx / dy }, ComputeThreads.withCount(1) { dx / dy }, "Double ÷")
    }
}

// MARK: - Checks shared by Float and Double

private extension KernelTests {
    /// Runs `body` at each vector width, 256-bit then 512-bit.
    func forEachWidth(_ body: () -> Void) {
        for bits in [256, 512] { KernelVectors.withBits(bits, body) }
    }

    /// The blocked kernel's tile rows at the current width: 6, or 12 with 512-bit vectors (floats and doubles).
    var tileRows: Int { KernelVectors.bits == 512 ? 12 : 6 }

    /// [m, k]·[k, n] on sizes 1, primes, exact tiles, and one past every block:
    /// tile rows, tile columns, slice depth, block rows, panel columns.
    /// m = 1 and n = 1 take the matrix-vector path.
    func checkEdgeSizes<S: VectorizedScalar>(_ type: S.Type, seed: UInt64) {
        // Tile columns: 16 floats, 8 doubles; twice as many with 512-bit vectors.
        let columns = 2 * S.Vector.scalarCount * KernelVectors.bits / 256
        let shapes: [(Int, Int, Int)] = [
            (1, 1, 1), (2, 3, 2), (7, 13, 31), (31, 7, 13), (13, 31, 7),
            (tileRows, sliceDepth, columns),                // whole tiles, one whole slice
            (tileRows + 1, 5, columns + 1),                 // one past a tile both ways
            (blockRows + 1, sliceDepth + 1, columns + 1),   // one past a block of A and a slice
            (2 * tileRows - 1, 2 * sliceDepth + 3, 3),      // three slices
            (3, 2, panelColumns + 1),                       // one past a panel of B
            (13, 5, 300),
            (1, 300, 70), (1, sliceDepth + 1, columns + 3), // vector·matrix
            (50, 40, 1), (blockRows + 1, 33, 1),            // matrix·vector
            (4, 0, 5),                                      // empty sums: zeros
        ]
        var rng = SeededGenerator(seed: seed)
        for (m, k, n) in shapes {
            let a = NDArray<S>.normal([m, k], using: &rng), b = NDArray<S>.normal([k, n], using: &rng)
            assertProduct(matmul(a, b), matches: matmulReference(a, b), depth: k, "\(S.self) [\(m), \(k)]·[\(k), \(n)]")
        }
    }

    /// A few rows of A (up to `inPlaceRows`, a batch of tokens): B with contiguous
    /// rows is read in place, edge panels packed; Wᵀ (W's rows contiguous) takes
    /// the dot-product tiles, 4 rows × 2 columns, rows padded with zeros. Row
    /// counts on both sides of 4, 6 and `inPlaceRows`; depths with a vector tail.
    func checkFewRows<S: VectorizedScalar>(_ type: S.Type, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        func random(_ shape: Int...) -> NDArray<S> { NDArray<S>.normal(shape, using: &rng) }
        let columns = 2 * S.Vector.scalarCount
        for m in [2, 3, 4, 5, 6, 7, inPlaceRows, inPlaceRows + 1] {
            for (k, n) in [(7, 2), (29, 3 * columns + 5), (sliceDepth + 3, 45)] {
                let a = random(m, k), b = random(k, n), w = random(n, k)
                let label = "\(S.self) [\(m), \(k)]"
                assertProduct(matmul(a, b), matches: matmulReference(a, b), depth: k, "\(label)·[\(k), \(n)]")
                assertProduct(matmul(a, w.T), matches: matmulReference(a, w.T.copy()), depth: k,
                              "\(label)·[\(n), \(k)]ᵀ")
            }
        }
        // Operands with gaps between rows, and a transposed A.
        let wide = random(40, 90), a = random(30, 5)
        assertProduct(matmul(a.T, wide[0..<30, 3..<80]), matches: matmulReference(a.T.copy(), wide[0..<30, 3..<80].copy()),
                      depth: 30, "\(S.self) aᵀ [5, 30]·B rows 90 apart [30, 77]")
        assertProduct(matmul(a.T, wide[3..<80, 0..<30].T),
                      matches: matmulReference(a.T.copy(), wide[3..<80, 0..<30].T.copy()),
                      depth: 30, "\(S.self) aᵀ [5, 30]·W rows 90 apart [77, 30]ᵀ")
    }

    /// Operands read through strides: transposes, slices with steps, negative steps,
    /// stride-0 rows, 1-d operands. The reference gets contiguous copies.
    func checkOperandLayouts<S: VectorizedScalar>(_ type: S.Type, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        func random(_ shape: Int...) -> NDArray<S> { NDArray<S>.normal(shape, using: &rng) }
        let (m, k, n) = (37, 29, 45)
        let a = random(m, k), b = random(k, n), at = random(k, m), bt = random(n, k)
        let big = random(40, 70)
        let cases: [(String, NDArray<S>, NDArray<S>)] = [
            ("aᵀ·b", at.T, b),
            ("a·bᵀ", a, bt.T),
            ("aᵀ·bᵀ", at.T, bt.T),
            ("aᵀ·bᵀ over two slices", random(sliceDepth + 5, 19).T, random(23, sliceDepth + 5).T),
            ("aᵀ·b one past a block", random(40, blockRows + 1).T, random(40, 20)),
            ("rows 1..<26, every second column · an offset block",
             big[1..<26, .stride(by: 2)], random(45, 30)[3..<38, 5..<22]),
            ("a slice · every third column", big[1..<26, .stride(by: 2)], random(35, 51)[.all, .stride(by: 3)]),
            ("rows reversed, columns step −2 · rows reversed",
             big[.stride(by: -1), .stride(by: -2)], random(35, 9)[.stride(by: -1)]),
            ("stride-0 rows (broadcast) · b", random(1, k).broadcast(to: [9, k]), b),
            ("row · b", random(1, k), b),
            ("row · bᵀ (dot products)", random(1, k), bt.T),
            ("row · every second column (neither layout streams)", random(1, k), random(k, 2 * n)[.all, .stride(by: 2)]),
            ("reversed row · b", random(1, k)[.all, .stride(by: -1)], b),
            ("a · column", a, random(k, 1)),
            ("aᵀ · column", at.T, random(k, 1)),
            ("a · reversed column", a, random(k, 1)[.stride(by: -1)]),
            ("1-d, step −2 · b", random(2 * k)[.stride(by: -2)], b),
            ("a · 1-d", a, random(k)),
        ]
        for (name, left, right) in cases {
            assertProduct(matmul(left, right), matches: matmulReference(left.copy(), right.copy()),
                          depth: left.shape[left.ndim - 1], "\(S.self) \(name)")
        }
    }

    /// Batched products: a shared weight folds the batch into one tall product
    /// (when A's rows lie evenly in memory), anything else runs entry by entry.
    func checkBatchedProducts<S: VectorizedScalar>(_ type: S.Type, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        func random(_ shape: Int...) -> NDArray<S> { NDArray<S>.normal(shape, using: &rng) }
        let (batch, t, c, outputs) = (3, 10, 24, 40)
        let x = random(batch, t, c), w = random(c, outputs), wt = random(outputs, c)
        let (heads, headSize, sequence) = (3, 8, 11)
        let q = random(2, sequence, heads, headSize).transposed([0, 2, 1, 3])    // [B, NH, T, HS]
        let key = random(2, sequence, heads, headSize).transposed([0, 2, 1, 3])  // [B, NH, T, HS]
        let cases: [(String, NDArray<S>, NDArray<S>)] = [
            ("[B, T, C]·[C, N]", x, w),
            ("[B, T, C]·wᵀ", x, wt.T),
            ("[B, T, C] with rows c + 5 apart · [C, N]", random(batch, t, c + 5)[.all, .all, 0..<c], w),
            ("[B, T, C] with gaps between entries · wᵀ", random(batch, t + 2, c)[.all, 1..<(t + 1), .all], wt.T),
            ("[B, T, C]·[B, C, N]", x, random(batch, c, outputs)),
            ("q·kᵀ [B, NH, T, HS]·[B, NH, HS, T]", q, key.transposed([0, 1, 3, 2])),
            ("scores·v [B, NH, T, T]·[B, NH, T, HS]", random(2, heads, sequence, sequence), key),
            ("broadcast batch [B, 1, T, HS]·[NH, HS, T]", random(2, 1, sequence, headSize), random(heads, headSize, sequence)),
        ]
        for (name, left, right) in cases {
            assertProduct(matmul(left, right), matches: referenceByBatchEntry(left, right),
                          depth: left.shape[left.ndim - 1], "\(S.self) \(name)")
        }
    }

    /// Each row kernel against its reference twin, on rows of every length class
    /// (one element, less than a vector, whole vectors, vectors and a tail) and
    /// every row layout: contiguous, strided, reversed, along a leading axis.
    func checkRowKernels<S: VectorizedScalar>(_ type: S.Type, tolerance: Double, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        func random(_ shape: Int...) -> NDArray<S> { NDArray<S>.normal(shape, std: 3, using: &rng) }
        for length in [1, 7, 8, 9, 31, 1000] {
            let views: [(String, NDArray<S>, Int)] = [
                ("contiguous rows", random(3, length), -1),
                ("rows of a 3-d array", random(2, 2, length), -1),
                ("a transposed view (rows step 3)", random(length, 3).T, -1),
                ("reversed rows", random(3, length)[.all, .stride(by: -1)], -1),
                ("every second element", random(3, 2 * length)[.all, .stride(by: 2)], -1),
                ("along axis 0", random(length, 4), 0),
                ("along the middle axis", random(2, length, 3), 1),
            ]
            for (name, x, axis) in views {
                let label = "\(S.self) length \(length), \(name)"
                assertRelativelyClose(x.softmax(axis: axis), x.softmaxReference(axis: axis),
                                      tolerance: tolerance, "softmax, \(label)")
                assertClose(x.logSoftmax(axis: axis), x.logSoftmaxReference(axis: axis),
                            tolerance: tolerance, "logSoftmax, \(label)")
                assertClose(x.logSumExp(axis: axis), x.logSumExpReference(axis: axis),
                            tolerance: tolerance, "logSumExp, \(label)")
                guard axis == -1 else { continue }  // layer norm works on the last axis only

                let weight = random(length), bias = random(length)
                assertClose(x.layerNorm(weight: weight, bias: bias), x.layerNormReference(weight: weight, bias: bias),
                            tolerance: tolerance, "layerNorm, \(label)")
                assertClose(x.layerNorm(weight: weight), x.layerNormReference(weight: weight),
                            tolerance: tolerance, "layerNorm without bias, \(label)")
                assertClose(x.layerNorm(), x.layerNormReference(), tolerance: tolerance, "layerNorm alone, \(label)")
                let eps: S = 1e-5
                let (mean, rstd) = x.layerNormStatistics(eps: eps)
                assertClose(mean, x.mean(axis: -1), tolerance: tolerance, "layerNorm mean, \(label)")
                assertClose(rstd, 1 / sqrt(x.var(axis: -1) + NDArray<S>(eps)), tolerance: tolerance,
                            "layerNorm rstd, \(label)")
                // The one-pass form gives the same bits as the two separate passes.
                let together = x.layerNormWithStatistics(weight: weight, bias: bias, eps: eps)
                XCTAssertEqual(together.output.scalars, x.layerNorm(weight: weight, bias: bias, eps: eps).scalars, label)
                XCTAssertEqual(together.mean.scalars, mean.scalars, label)
                XCTAssertEqual(together.rstd.scalars, rstd.scalars, label)
            }
        }
    }

    /// Rows of 19 (whole vectors, then a tail): fully masked, NaN in a vector,
    /// NaN in the tail, ±1e4, half masked, plain.
    func checkSpecialRows<S: VectorizedScalar>(_ type: S.Type, tolerance: Double) {
        let n = 19
        let big: S = 10_000, minusInfinity = -S.infinity
        let plain = (0..<n).map { S($0 % 5) - 2 }
        var nanInVector = plain, nanInTail = plain
        nanInVector[2] = .nan
        nanInTail[n - 1] = .nan
        let huge = (0..<n).map { i -> S in i % 3 == 0 ? big : (i % 3 == 1 ? -big : 0) }  // seven entries of 1e4
        let halfMasked = (0..<n).map { i -> S in i % 2 == 0 ? minusInfinity : plain[i] }
        let masked = [S](repeating: minusInfinity, count: n)
        let x = NDArray(shape: [6, n], scalars: [masked, nanInVector, nanInTail, huge, halfMasked, plain].flatMap { $0 })
        let p = x.softmax(), logP = x.logSoftmax(), lse = x.logSumExp()

        XCTAssertEqual(p[0].scalars, [S](repeating: 0, count: n), "\(S.self) softmax of a masked row")
        XCTAssertEqual(logP[0].scalars, masked, "\(S.self) logSoftmax of a masked row")
        XCTAssertEqual(lse[0].item(), minusInfinity, "\(S.self) logSumExp of a masked row")
        for (r, place) in [(1, "a vector"), (2, "the tail")] {
            XCTAssertTrue(p[r].scalars.allSatisfy { $0.isNaN }, "\(S.self) softmax with NaN in \(place)")
            XCTAssertTrue(logP[r].scalars.allSatisfy { $0.isNaN }, "\(S.self) logSoftmax with NaN in \(place)")
            XCTAssertTrue(lse[r].item().isNaN, "\(S.self) logSumExp with NaN in \(place)")
        }

        // ±1e4: the seven 1e4 share the mass; the rest underflow to exactly 0.
        let ln7 = Foundation.log(7.0), seventh: Double = 1 / 7
        XCTAssertTrue(p[3].scalars.allSatisfy { $0.isFinite } && logP[3].scalars.allSatisfy { $0.isFinite },
                      "\(S.self) ±1e4 stays finite")
        assertClose(p[3], NDArray(huge.map { $0 == big ? S(seventh) : 0 }), tolerance: tolerance, "\(S.self) softmax ±1e4")
        assertClose(logP[3], NDArray(huge.map { S(Double($0) - 10_000 - ln7) }), tolerance: tolerance,
                    "\(S.self) logSoftmax ±1e4")
        XCTAssertEqual(Double(lse[3].item()), 10_000 + ln7, accuracy: 10_000 * tolerance, "\(S.self) logSumExp ±1e4")

        for (r, name) in [(4, "half masked"), (5, "plain")] {
            assertRelativelyClose(p[r], x[r].softmaxReference(), tolerance: tolerance, "\(S.self) softmax, \(name)")
            assertClose(logP[r], x[r].logSoftmaxReference(), tolerance: tolerance, "\(S.self) logSoftmax, \(name)")
            assertClose(lse[r], x[r].logSumExpReference(), tolerance: tolerance, "\(S.self) logSumExp, \(name)")
        }
    }
}

// MARK: - Helpers

private extension KernelTests {
    /// max |actual − expected| ≤ 8·k·ε·(1 + max |expected|): a few roundings per term of a k-term sum.
    func assertProduct<S: NDFloatingPoint>(_ actual: NDArray<S>, matches expected: NDArray<S>, depth k: Int,
                                           _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        guard actual.shape == expected.shape else {
            XCTFail("\(message): shape \(actual.shape) != expected \(expected.shape)", file: file, line: line)
            return
        }
        let a = actual.scalars.map { Double($0) }, e = expected.scalars.map { Double($0) }
        let scale = 1 + e.reduce(0.0) { Swift.max($0, Swift.abs($1)) }
        let tolerance = 8 * Double(Swift.max(k, 1)) * Double(S.ulpOfOne) * scale
        let worst = largestDifference(a, e)
        if !(worst <= tolerance) {
            XCTFail("\(message): max |difference| \(worst) > tolerance \(tolerance)", file: file, line: line)
        }
    }

    /// Every element within `tolerance` of the expected one relative to its own magnitude
    /// (so tiny probabilities count as much as large ones); NaN matches NaN.
    func assertRelativelyClose<S: NDFloatingPoint>(_ actual: NDArray<S>, _ expected: NDArray<S>, tolerance: Double,
                                                   _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        guard actual.shape == expected.shape else {
            XCTFail("\(message): shape \(actual.shape) != expected \(expected.shape)", file: file, line: line)
            return
        }
        let smallest = Double(S.leastNormalMagnitude)  // below this, compare absolutely
        var worst = 0.0, worstIndex = 0
        for (i, (a, e)) in zip(actual.scalars, expected.scalars).enumerated() where !(a == e || (a.isNaN && e.isNaN)) {
            let error = Swift.abs(Double(a) - Double(e)) / Swift.max(Swift.abs(Double(e)), smallest)
            if !(error <= worst) { worst = error.isNaN ? .infinity : error; worstIndex = i }
        }
        if worst > tolerance {
            XCTFail("\(message): worst at flat index \(worstIndex): expected \(expected.scalars[worstIndex]), "
                    + "got \(actual.scalars[worstIndex]) (relative error \(worst) > \(tolerance))", file: file, line: line)
        }
    }

    /// matmul computed the slow way: batch axes broadcast by hand, then one
    /// `matmulReference` of contiguous matrices per batch entry.
    func referenceByBatchEntry<S: NDFloatingPoint>(_ a: NDArray<S>, _ b: NDArray<S>) -> NDArray<S> {
        let m = a.shape[a.ndim - 2], k = a.shape[a.ndim - 1], n = b.shape[b.ndim - 1]
        let rank = Swift.max(a.ndim, b.ndim) - 2
        let aBatch = [Int](repeating: 1, count: rank - (a.ndim - 2)) + Array(a.shape.dropLast(2))
        let bBatch = [Int](repeating: 1, count: rank - (b.ndim - 2)) + Array(b.shape.dropLast(2))
        let batch = zip(aBatch, bBatch).map { Swift.max($0.0, $0.1) }
        let count = batch.reduce(1, *)
        let left = a.reshaped(aBatch + [m, k]).broadcast(to: batch + [m, k]).copy().reshaped([count, m, k])
        let right = b.reshaped(bBatch + [k, n]).broadcast(to: batch + [k, n]).copy().reshaped([count, k, n])
        var values: [S] = []
        for entry in 0..<count { values += matmulReference(left[entry], right[entry]).scalars }
        return NDArray(shape: batch + [m, n], scalars: values)
    }

    /// The largest |Float.vectorExp(x) − exp(x)| over `points` evenly spaced x in
    /// [lower, upper], in units of `unit(exact)`, and where it occurs.
    func floatExpError(from lower: Double, to upper: Double, points: Int,
                       unit: (Double) -> Double) -> (error: Double, x: Float) {
        var worst = 0.0, worstX: Float = 0
        for start in stride(from: 0, to: points, by: 8) {
            var x = SIMD8<Float>()
            for lane in 0..<8 {
                x[lane] = Float(lower + (upper - lower) * Double(Swift.min(start + lane, points - 1)) / Double(points - 1))
            }
            let approx = Float.vectorExp(x)
            for lane in 0..<8 {
                let exact = Foundation.exp(Double(x[lane]))
                let error = Swift.abs(Double(approx[lane]) - exact) / unit(exact)
                if !(error <= worst) { worst = error.isNaN ? .infinity : error; worstX = x[lane] }
            }
        }
        return (worst, worstX)
    }

    /// The largest |a[i] − b[i]|; NaN counts as infinitely far.
    func largestDifference(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0.0) { worst, pair in
            let difference = Swift.abs(pair.0 - pair.1)
            return difference.isNaN ? .infinity : Swift.max(worst, difference)
        }
    }
}
