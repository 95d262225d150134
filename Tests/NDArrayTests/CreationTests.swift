// CreationTests.swift — making arrays.
//
// After reading this file you should know the NumPy creation functions in
// Swift spelling (zeros, ones, full, arange, linspace, eye), how a nested
// literal becomes a shape, and that `arange` excludes its end while
// `linspace` includes it.

import NDArray
import TestSupport
import XCTest

final class CreationTests: XCTestCase {
    func testANestedLiteralGivesTheShape() {
        let x: NDArray<Float> = [[[1, 2], [3, 4], [5, 6]]]
        XCTAssertEqual(x.shape, [1, 3, 2])
        XCTAssertEqual(x.scalars, [1, 2, 3, 4, 5, 6])
        let empty: NDArray<Float> = []
        XCTAssertEqual(empty.shape, [0])
        let scalar: NDArray<Double> = 2.5
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(scalar.item(), 2.5)
        let mask: NDArray<Bool> = [[true, false]]
        XCTAssertEqual(mask.shape, [1, 2])
        let causal: NDArray<Float> = [[0, -.infinity], [0, 0]]
        XCTAssertEqual(causal.max(axis: 1), [0, 0])
    }

    func testShapeAndScalars() {
        let x = NDArray<Int32>(shape: [2, 2], scalars: [1, 2, 3, 4])
        XCTAssertEqual(x.strides, [2, 1])
        XCTAssertEqual(NDArray<Float>([[1, 2], [3, 4]]).shape, [2, 2])
        XCTAssertEqual(NDArray<Float>(shape: [0, 3], scalars: []).count, 0)
        XCTAssertEqual(NDArray<Float>(7).ndim, 0)
    }

    func testFilledArrays() {
        XCTAssertEqual(NDArray<Float>.zeros([2, 3]).scalars, [Float](repeating: 0, count: 6))
        XCTAssertEqual(NDArray<Int>.ones([3]), [1, 1, 1])
        XCTAssertEqual(NDArray<Bool>.full([2], true), [true, true])
        XCTAssertEqual(NDArray<Float>.eye(3), [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
        XCTAssertEqual(NDArray<Float>.eye(2, 3, k: 1), [[0, 1, 0], [0, 0, 1]])
        XCTAssertEqual(NDArray<Float>.eye(3, 2, k: -1), [[0, 0], [1, 0], [0, 1]])
    }

    func testArangeExcludesTheStop() {
        XCTAssertEqual(NDArray<Int>.arange(5), [0, 1, 2, 3, 4])
        XCTAssertEqual(NDArray<Float>.arange(0, 1, step: 0.25), [0, 0.25, 0.5, 0.75])
        XCTAssertEqual(NDArray<Int>.arange(10, 0, step: -3), [10, 7, 4, 1])
        XCTAssertEqual(NDArray<Float>.arange(3, 3).shape, [0])
        XCTAssertEqual(NDArray<Double>.arange(0, 1, step: 0.1).count, 10)   // ceil(1 / 0.1), as in NumPy
    }

    func testLinspaceIncludesTheStop() {
        XCTAssertEqual(NDArray<Double>.linspace(0, 1, count: 5), [0, 0.25, 0.5, 0.75, 1])
        XCTAssertEqual(NDArray<Double>.linspace(0, 1, count: 4, endpoint: false), [0, 0.25, 0.5, 0.75])
        XCTAssertEqual(NDArray<Float>.linspace(2, 3, count: 1), [2])
        XCTAssertEqual(NDArray<Float>.linspace(2, 3, count: 0).shape, [0])
        // NumPy's own output for np.linspace(-3, 3, 13).
        assertClose(NDArray<Double>.linspace(-3, 3, count: 13), Fixtures.load("un_f8_x"), tolerance: 0)
        assertClose(NDArray<Float>.linspace(0.25, 4, count: 16), Fixtures.load("un_f4_p"), tolerance: 0)
    }

    func testAnEmptyDimensionIsAllowedEverywhere() {
        let e = NDArray<Float>.zeros([2, 0, 3])
        XCTAssertEqual(e.count, 0)
        XCTAssertEqual((e + 1).shape, [2, 0, 3])
        XCTAssertEqual(e.sum(axis: 1), [[0, 0, 0], [0, 0, 0]])
        XCTAssertEqual(e.reshaped(0, 6).shape, [0, 6])
        XCTAssertEqual(e.T.shape, [3, 0, 2])
    }
}
