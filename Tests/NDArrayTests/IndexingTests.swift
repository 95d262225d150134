// IndexingTests.swift — integers, ranges, steps, new axes and the ellipsis.
//
// After reading this file you should know that an integer drops its axis and a
// range keeps it (x[1] is [4] but x[1..<2] is [1, 4]), that negative indices
// and steps count from the end, and how to spell each NumPy index in Swift.

import NDArray
import XCTest

final class IndexingTests: XCTestCase {
    let x = NDArray<Float>.arange(12).reshaped(3, 4)   // [[0 1 2 3] [4 5 6 7] [8 9 10 11]]

    func testUnravelIndexIsNumPys() {
        // np.unravel_index(5, (2, 3)) = (1, 2); np.unravel_index(22, (2, 3, 4)) = (1, 2, 2): 22 = 1·12 + 2·4 + 2.
        XCTAssertEqual(unravelIndex(5, shape: [2, 3]), [1, 2])
        XCTAssertEqual(unravelIndex(22, shape: [2, 3, 4]), [1, 2, 2])
        XCTAssertEqual(unravelIndex(0, shape: []), [])
        let x = NDArray<Float>.arange(24).reshaped(2, 3, 4)
        for flat in [0, 7, 13, 23] {
            let i = unravelIndex(flat, shape: x.shape)
            XCTAssertEqual(x[i[0], i[1], i[2]].item(), Float(flat))
        }
    }

    func testAnIntegerDropsTheAxisAndARangeKeepsIt() {
        XCTAssertEqual(x[1].shape, [4])
        XCTAssertEqual(x[1..<2].shape, [1, 4])
        XCTAssertEqual(x[.all, 2], [2, 6, 10])
        XCTAssertEqual(x[1, 2].item(), 6)
    }

    func testNegativeIndicesCountFromTheEnd() {
        XCTAssertEqual(x[-1], [8, 9, 10, 11])
        XCTAssertEqual(x[-1, -1].item(), 11)
        XCTAssertEqual(x[.all, -3..<(-1)], [[1, 2], [5, 6], [9, 10]])
        XCTAssertEqual(x[0, (-2)...], [2, 3])
        XCTAssertEqual(x[0, -3...(-1)], [1, 2, 3])
    }

    func testStepsAndNegativeSteps() {
        let r = NDArray<Float>.arange(10)
        XCTAssertEqual(r[.stride(by: 3)], [0, 3, 6, 9])
        XCTAssertEqual(r[.stride(by: -3)], [9, 6, 3, 0])
        XCTAssertEqual(r[(2..<8).stride(by: 2)], [2, 4, 6])
        XCTAssertEqual(r[(2..<8).stride(by: -2)], [7, 5, 3])   // the range's elements, from the top
        XCTAssertEqual(r[.slice(7, 2, step: -2)], [7, 5, 3])   // NumPy's r[7:2:-2]
        XCTAssertEqual(r[.slice(nil, nil, step: -1)][0].item(), 9)
        XCTAssertEqual(r[.stride(by: -1)].strides, [-1])
        XCTAssertEqual(r[.stride(by: -1)].offset, 9)
    }

    func testSlicesClampToTheAxisLikePython() {
        let r = NDArray<Float>.arange(5)
        XCTAssertEqual(r[3..<100], [3, 4])
        XCTAssertEqual(r[7...].shape, [0])
        XCTAssertEqual(r[.slice(-100, 2)], [0, 1])
        XCTAssertEqual(r[.slice(100, nil, step: -2)], [4, 2, 0])
    }

    func testNewAxisAndEllipsis() {
        XCTAssertEqual(x[.newAxis].shape, [1, 3, 4])
        XCTAssertEqual(x[.all, .newAxis].shape, [3, 1, 4])
        XCTAssertEqual(x[.ellipsis, .newAxis].shape, [3, 4, 1])
        XCTAssertEqual(x[.ellipsis, 0], [0, 4, 8])
        let cube = NDArray<Float>.zeros([2, 3, 4, 5])
        XCTAssertEqual(cube[0, .ellipsis, 1].shape, [3, 4])
        XCTAssertEqual(cube[.ellipsis].shape, [2, 3, 4, 5])
    }

    func testAssignmentBroadcastsTheNewValue() {
        var a = NDArray<Float>.zeros([2, 4])
        a[1, 1..<3] = [7, 8]          // a [2] into a [2] view
        a[0] = 1                      // a number into a row
        a[.all, 3] = [5, 6]
        XCTAssertEqual(a, [[1, 1, 1, 5], [0, 7, 8, 6]])
    }

    func testAssignedValuesMayCarryExtraLeadingOnes() {
        var a = NDArray<Float>.zeros([2, 4])
        a[1, 1..<3] = [[7, 8]]                            // [1, 2] into [2], as NumPy allows
        a[0] = NDArray<Float>.ones([1, 1, 4])
        XCTAssertEqual(a, [[1, 1, 1, 1], [0, 7, 8, 0]])
    }

    func testAssignmentFromAViewOfItselfReadsTheOldValues() {
        var a: NDArray<Float> = [1, 2, 3, 4]
        a[1...] = a[..<3]             // NumPy's a[1:] = a[:3]
        XCTAssertEqual(a, [1, 1, 2, 3])
    }

    func testIndicesBuiltAtRunTime() {
        var entries = [NDIndex](repeating: .all, count: x.ndim - 1)
        entries.append(.stride(by: -1))
        XCTAssertEqual(x[indices: entries][0], [3, 2, 1, 0])
    }
}
