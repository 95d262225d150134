// MatmulTests.swift — matmul, dot and outer with NumPy's rules.
//
// After reading this file you should be able to give the result shape of any
// matmul: [M, K]·[K, N] is [M, N]; batch axes in front broadcast like any
// other axes; a 1-d operand on the left is a row and on the right a column,
// and that extra axis is removed again from the result.
//
// Rebuild it yourself: Exercises/Sources/06-matmul-loops (docs/Exercises.md).

import NDArray
import TestSupport
import XCTest

final class MatmulTests: XCTestCase {
    func testAddingIntoAccumulatesTheProductInPlace() {
        var rng = SeededGenerator(seed: 21)
        // Shapes that take each kernel path: blocked (tall, wide, odd edges), one row, a few rows times Wᵀ.
        for (m, k, n) in [(70, 33, 45), (300, 260, 17), (1, 40, 30), (5, 64, 50), (40, 1, 3), (8, 0, 4)] {
            let aT = NDArray<Float>.uniform([k, m], low: -1, high: 1, using: &rng)          // A = aTᵀ, a strided view
            let b = NDArray<Float>.uniform([k, n], low: -1, high: 1, using: &rng)
            let start = NDArray<Float>.uniform([m, n], low: -1, high: 1, using: &rng)
            var c = start
            matmul(aT.T, b, addingInto: &c)
            matmul(aT.T, b, addingInto: &c)                                               // twice: 2·A·B added
            let expected = start + 2 * matmulReference(aT.T, b)
            XCTAssertLessThan(abs(c - expected).max(), 1e-4, "\(m)×\(k)×\(n)")
            XCTAssertNotEqual(m * k * n == 0 ? 1 : abs(c - start).max(), 0)
            // Wᵀ stored [n, k] (the dot-product path), in Double.
            let w = NDArray<Double>.uniform([n, k], low: -1, high: 1, using: &rng)
            let a = NDArray<Double>.uniform([m, k], low: -1, high: 1, using: &rng)
            var d = NDArray<Double>.ones([m, n])
            matmul(a, w.T, addingInto: &d)
            XCTAssertLessThan(abs(d - (1 + matmulReference(a, w.T))).max(), 1e-12, "\(m)×\(k)×\(n)")
        }
        // The same bits on one thread and on two.
        let a = NDArray<Float>.uniform([200, 150], using: &rng), b = NDArray<Float>.uniform([150, 300], using: &rng)
        var one = NDArray<Float>.ones([200, 300]), two = one
        ComputeThreads.withCount(1) { matmul(a, b, addingInto: &one) }
        ComputeThreads.withCount(2) { matmul(a, b, addingInto: &two) }
        XCTAssertEqual(one.scalars, two.scalars)
    }

    func testAMatrixProductByHand() {
        let a: NDArray<Float> = [[1, 2], [3, 4], [5, 6]]   // [3, 2]
        let b: NDArray<Float> = [[1, 0, 2], [0, 1, 3]]     // [2, 3]
        XCTAssertEqual(matmul(a, b), [[1, 2, 8], [3, 4, 18], [5, 6, 28]])  // [3, 3]
    }

    func testOneDimensionalOperandsAreARowOnTheLeftAndAColumnOnTheRight() {
        let m: NDArray<Float> = [[1, 2], [3, 4]]
        let v: NDArray<Float> = [1, 1]
        XCTAssertEqual(matmul(v, m), [4, 6])      // [2]·[2, 2] → [2]
        XCTAssertEqual(matmul(m, v), [3, 7])      // [2, 2]·[2] → [2]
        XCTAssertEqual(matmul(v, v).shape, [])    // an inner product: 0-d
        XCTAssertEqual(matmul(v, v).item(), 2)
    }

    func testBatchAxesBroadcast() {
        let q = NDArray<Float>.arange(24).reshaped(2, 1, 3, 4)  // [B, 1, T, HS]
        let k = NDArray<Float>.arange(40).reshaped(5, 4, 2)     // [NH, HS, T']
        let scores = matmul(q, k)                               // [B, NH, T, T']
        XCTAssertEqual(scores.shape, [2, 5, 3, 2])
        // scores[b, h] = q[b, 0] · k[h]: each batch pair is an ordinary matrix product.
        XCTAssertEqual(scores[1, 3], matmul(q[1, 0], k[3]))
        XCTAssertEqual(scores[0, 0, 0, 0].item(), 28)   // 0·0 + 1·2 + 2·4 + 3·6
    }

    func testDotAndOuter() {
        let a = NDArray<Double>.arange(24).reshaped(2, 3, 4)
        let b = NDArray<Double>.arange(40).reshaped(5, 4, 2)
        XCTAssertEqual(dot(a, b).shape, [2, 3, 5, 2])  // a.shape[..<-1] + b.shape[..<-2] + [2]
        // dot(a, b)[i, j, k, m] = Σ a[i, j, :] · b[k, :, m]
        var expected = 0.0
        for p in 0..<4 { expected += (20 + Double(p)) * (24 + 2 * Double(p) + 1) }  // a[1, 2, p] · b[3, p, 1]
        XCTAssertEqual(dot(a, b)[1, 2, 3, 1].item(), expected)
        XCTAssertEqual(outer(NDArray<Float>([1, 2]), NDArray<Float>([1, 10, 100])), [[1, 10, 100], [2, 20, 200]])
        XCTAssertEqual(dot(NDArray<Float>(3), NDArray<Float>([1, 2])), [3, 6])
    }

    func testMatmulAgreesWithItsReferenceOnManyShapes() {
        var rng = SeededGenerator(seed: 7)
        for (m, k, n) in [(1, 1, 1), (1, 7, 9), (5, 3, 1), (17, 33, 9), (64, 64, 64), (3, 0, 2)] {
            let a = NDArray<Float>.normal([m, k], using: &rng), b = NDArray<Float>.normal([k, n], using: &rng)
            assertClose(matmul(a, b), matmulReference(a, b), tolerance: 1e-5, "[\(m), \(k)]·[\(k), \(n)]")
        }
    }

    func testMatmulIgnoresTheLayoutOfEitherOperand() {
        for left in everyLayout([3, 4]) {
            for right in everyLayout([4, 5], { (v: Double) -> Double in v / 2 }) {
                var expected = [Double](repeating: 0, count: 15)
                for i in 0..<3 { for j in 0..<5 { for p in 0..<4 { expected[i * 5 + j] += left.values[i * 4 + p] * right.values[p * 5 + j] } } }
                assertClose(matmul(left.array, right.array), NDArray(shape: [3, 5], scalars: expected),
                            tolerance: 1e-14, "\(left.name) · \(right.name)")
            }
        }
    }

    func testBatchedMatmulIgnoresTheLayoutOfBatchedOperands() {
        for left in everyLayout([2, 3, 4]) {
            for right in everyLayout([2, 4, 5], { (v: Double) -> Double in v / 4 }) {
                var expected = [Double](repeating: 0, count: 30)
                for b in 0..<2 { for i in 0..<3 { for j in 0..<5 { for p in 0..<4 {
                    expected[b * 15 + i * 5 + j] += left.values[b * 12 + i * 4 + p] * right.values[b * 20 + p * 5 + j]
                } } } }
                assertClose(matmul(left.array, right.array), NDArray(shape: [2, 3, 5], scalars: expected),
                            tolerance: 1e-14, "\(left.name) · \(right.name)")
            }
        }
    }

    func testDotAndOuterIgnoreTheLayout() {
        for layout in everyLayout([3, 4]) {
            let plain = NDArray<Double>(shape: [3, 4], scalars: layout.values)
            let v: NDArray<Double> = [1, -1, 2, 0.5]
            assertClose(dot(layout.array, v), dot(plain, v), tolerance: 1e-15, layout.name)
            assertClose(dot(layout.array, plain.T), matmulReference(plain, plain.T.copy()), tolerance: 1e-14, layout.name)
            assertEqualArrays(outer(layout.array, v), outer(plain, v), layout.name)
        }
    }

    /// Every shape pair in the fixtures against NumPy (float64 and float32).
    func testEveryMatmulCaseMatchesNumPy() {
        for c in Fixtures.manifest.matmul where c.ok {
            func run<S: NDFloatingPoint>(_ type: S.Type, tolerance: Double) {
                let a: NDArray<S> = Fixtures.load("mm_\(c.name)_a"), b: NDArray<S> = Fixtures.load("mm_\(c.name)_b")
                let actual = switch c.op {
                case "matmul": matmul(a, b)
                case "dot": dot(a, b)
                default: outer(a, b)
                }
                assertClose(actual, Fixtures.load("mm_\(c.name)_out"), tolerance: tolerance, c.name)
            }
            if c.dtype == "f8" { run(Double.self, tolerance: 1e-13) } else { run(Float.self, tolerance: 1e-5) }
        }
    }
}
