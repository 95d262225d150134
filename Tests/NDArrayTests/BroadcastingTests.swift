// BroadcastingTests.swift — NumPy's broadcasting rule.
//
// After reading this file you should be able to predict the shape of `a + b`
// for any two shapes: align them on the right, treat a missing axis as size 1,
// stretch every size-1 axis to match, and reject any other mismatch — naming
// both shapes and the axis. Stretching copies nothing: the stretched axis has
// stride 0.
//
// Rebuild it yourself: Exercises/Sources/04-broadcasting (docs/Exercises.md).

import NDArray
import TestSupport
import XCTest

final class BroadcastingTests: XCTestCase {
    func testBroadcastPrependsLeadingOnes() throws {
        // [4] is read as [1, 1, 4].
        XCTAssertEqual(try broadcastShapes([4], [2, 3, 4]), [2, 3, 4])
    }

    func testSizeOneAxesStretchOnEitherSide() throws {
        XCTAssertEqual(try broadcastShapes([3, 1], [1, 4]), [3, 4])
        XCTAssertEqual(try broadcastShapes([2, 1, 4], [3, 1]), [2, 3, 4])
        XCTAssertEqual(try broadcastShapes([], [2, 3]), [2, 3])
        XCTAssertEqual(try broadcastShapes([0, 3], [3]), [0, 3])
    }

    func testIncompatibleShapesAreRejectedNamingBothShapesAndTheAxis() {
        XCTAssertThrowsError(try broadcastShapes([2, 3], [4])) { error in
            XCTAssertEqual("\(error)", "broadcast: shapes [2, 3] and [4] cannot be broadcast together: 3 (axis -1) != 4 (axis -1)")
        }
        XCTAssertThrowsError(try broadcastShapes([2, 3, 4], [2, 1, 5])) { error in
            XCTAssertEqual("\(error)", "broadcast: shapes [2, 3, 4] and [2, 1, 5] cannot be broadcast together: 4 (axis -1) != 5 (axis -1)")
        }
    }

    func testARowAddedToAMatrixIsAddedToEveryRow() {
        let x: NDArray<Float> = [[0, 1, 2], [10, 11, 12]]   // [2, 3]
        let bias: NDArray<Float> = [100, 200, 300]          // [3] → [1, 3] → [2, 3]
        XCTAssertEqual(x + bias, [[100, 201, 302], [110, 211, 312]])
    }

    func testAColumnTimesARowIsAnOuterProduct() {
        let column: NDArray<Float> = [[1], [2], [3]]  // [3, 1]
        let row: NDArray<Float> = [10, 20]            // [2]
        XCTAssertEqual(column * row, [[10, 20], [20, 40], [30, 60]])
    }

    func testBroadcastToIsAViewWithZeroStrides() {
        let row = NDArray<Float>.arange(3)            // [3], strides [1]
        let grid = row.broadcast(to: [2, 3])          // [2, 3], strides [0, 1]
        XCTAssertEqual(grid.strides, [0, 1])
        XCTAssertTrue(grid.sharesStorage(with: row))
        XCTAssertEqual(grid.scalars, [0, 1, 2, 0, 1, 2])
    }

    func testWritingToABroadcastViewCopiesFirst() {
        let row = NDArray<Float>.arange(3)
        var grid = row.broadcast(to: [2, 3])
        grid[0, 0] = 9   // only this element changes: the broadcast is materialised first
        XCTAssertEqual(grid, [[9, 1, 2], [0, 1, 2]])
        XCTAssertEqual(row, [0, 1, 2])
    }

    /// Every shape pair in the fixtures, for every binary operation, against NumPy (float32).
    func testEveryBroadcastRuleMatchesNumPy() throws {
        for c in Fixtures.manifest.broadcast {
            guard c.ok else {
                XCTAssertThrowsError(try broadcastShapes(c.aShape, c.bShape), "\(c.name) should not broadcast")
                continue
            }
            let a: NDArray<Float> = Fixtures.load("bc_\(c.name)_a"), b: NDArray<Float> = Fixtures.load("bc_\(c.name)_b")
            XCTAssertEqual(try broadcastShapes(c.aShape, c.bShape), c.outShape, c.name)
            func expected(_ op: String) -> NDArray<Float> { Fixtures.load("bc_\(c.name)_\(op)") }
            // + − × ÷ are correctly rounded in IEEE arithmetic: exactly NumPy's results.
            assertEqualArrays(a + b, expected("add"), "\(c.name) add")
            assertEqualArrays(a - b, expected("sub"), "\(c.name) sub")
            assertEqualArrays(a * b, expected("mul"), "\(c.name) mul")
            assertEqualArrays(a / b, expected("div"), "\(c.name) div")
            assertEqualArrays(maximum(a, b), expected("maximum"), "\(c.name) maximum")
            assertEqualArrays(minimum(a, b), expected("minimum"), "\(c.name) minimum")
            assertClose(pow(abs(a) + 0.5, b), expected("pow"), tolerance: 1e-6, "\(c.name) pow")
            assertEqualArrays(a .< b, Fixtures.load("bc_\(c.name)_less", as: Bool.self), "\(c.name) less")
            assertEqualArrays(a .== b, Fixtures.load("bc_\(c.name)_equal", as: Bool.self), "\(c.name) equal")
        }
    }

    /// The binary engine over every layout of both operands.
    func testBinaryOperationsIgnoreTheLayoutOfEitherOperand() {
        for left in everyLayout([3, 4]) {
            for right in everyLayout([3, 4], { (v: Double) -> Double in v * 3 + 1 }) {
                let values: [Double] = zip(left.values, right.values).map { x, y in x * y - x }
                let expected = NDArray<Double>(shape: [3, 4], scalars: values)
                assertEqualArrays(left.array * right.array - left.array, expected, "\(left.name) × \(right.name)")
            }
            // A row broadcast over each layout.
            let row: NDArray<Double> = [1, 2, 3, 4]
            var shifted = left.values
            for i in shifted.indices { shifted[i] += Double(i % 4 + 1) }
            let expected = NDArray<Double>(shape: [3, 4], scalars: shifted)
            assertEqualArrays(left.array + row, expected, "\(left.name) + row")
            assertEqualArrays(row + left.array, expected, "row + \(left.name)")
        }
    }
}
