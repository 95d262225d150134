// ViewTests.swift — shape, strides, offset, and views that share storage.
//
// After reading this file you should be able to predict the strides of a
// transpose or a slice, tell which operations return views (transpose,
// reshape of a contiguous array, slicing, broadcast) and which copy (reshape
// of a transpose), and know the one difference from NumPy: writing through a
// view copies first, so the array it came from never changes.
//
// Rebuild it yourself: Exercises/Sources/01-strides, Exercises/Sources/02-reshape-view, Exercises/Sources/03-transpose (docs/Exercises.md).

import NDArray
import TestSupport
import XCTest

final class ViewTests: XCTestCase {
    func testAFreshArrayIsRowMajor() {
        let x = NDArray<Float>.zeros([2, 3, 4])
        XCTAssertEqual(x.strides, [12, 4, 1])   // one step along axis 0 skips 3·4 elements
        XCTAssertEqual(x.offset, 0)
        XCTAssertTrue(x.isContiguous)
    }

    func testTransposeReversesStridesAndSharesStorage() {
        let x = NDArray<Float>.arange(6).reshaped(2, 3)   // strides [3, 1]
        let t = x.T                                       // [3, 2], strides [1, 3]
        XCTAssertEqual(t.shape, [3, 2])
        XCTAssertEqual(t.strides, [1, 3])
        XCTAssertTrue(t.sharesStorage(with: x))
        XCTAssertFalse(t.isContiguous)
        XCTAssertEqual(t.scalars, [0, 3, 1, 4, 2, 5])
    }

    func testReshapeIsAViewWhenTheLayoutAllowsAndACopyOtherwise() {
        let x = NDArray<Float>.arange(12)
        let grid = x.reshaped(3, 4)
        XCTAssertTrue(grid.sharesStorage(with: x))
        let again = grid.T.reshaped(12)          // the transpose's elements are not in storage order
        XCTAssertFalse(again.sharesStorage(with: x))
        XCTAssertEqual(again[0..<4].scalars, [0, 4, 8, 1])
        // A slice of rows can still be reshaped without copying.
        let rows = grid[1...]                    // offset 4
        XCTAssertTrue(rows.reshaped(-1).sharesStorage(with: x))
        XCTAssertEqual(rows.reshaped(4, 2).strides, [2, 1])
    }

    func testReshapeInfersOneSize() {
        XCTAssertEqual(NDArray<Float>.zeros([24]).reshaped(2, -1, 4).shape, [2, 3, 4])
    }

    func testPermuteSqueezeAndExpand() {
        let x = NDArray<Float>.zeros([2, 3, 4])                 // [B, T, C]
        XCTAssertEqual(x.transposed([2, 0, 1]).shape, [4, 2, 3])
        XCTAssertEqual(x.permuted(0, 2, 1).strides, [12, 1, 4])
        let counted = NDArray<Float>.arange(24).reshaped(2, 3, 4)
        XCTAssertEqual(counted.permuted(0, 2, 1)[1, 3, 2].item(), counted[1, 2, 3].item())
        XCTAssertEqual(counted.swappedAxes(0, -1)[3, 1, 0].item(), counted[0, 1, 3].item())
        XCTAssertEqual(x.swappedAxes(0, -1).shape, [4, 3, 2])
        let e = x.expandedDims(axis: 1)                         // [2, 1, 3, 4]
        XCTAssertEqual(e.shape, [2, 1, 3, 4])
        XCTAssertEqual(e.squeezed().shape, [2, 3, 4])
        XCTAssertEqual(e.squeezed(axis: 1).shape, [2, 3, 4])
        XCTAssertEqual(x.expandedDims(axis: -1).shape, [2, 3, 4, 1])
        XCTAssertEqual(NDArray<Float>.zeros([1, 3, 1]).squeezed(axes: [0, 2]).shape, [3])
    }

    func testWritingThroughAViewNeverChangesItsBase() {
        let x = NDArray<Float>.arange(6).reshaped(2, 3)
        var row = x[1]                       // a view: shares storage with x
        XCTAssertTrue(row.sharesStorage(with: x))
        row[0] = 100                         // copy-on-write: row gets its own storage first
        XCTAssertFalse(row.sharesStorage(with: x))
        XCTAssertEqual(row, [100, 4, 5])
        XCTAssertEqual(x, [[0, 1, 2], [3, 4, 5]])   // NumPy would show 100 here
    }

    func testAnUnsharedArrayIsWrittenInPlace() {
        var x = NDArray<Float>.zeros([2, 3])
        let before = x.layout
        x[0, 1] = 7
        XCTAssertTrue(x.layout.sharesStorage(with: before))
    }

    func testWritesIntoAnUnsharedViewOfEveryLayoutStayInPlace() {
        for layout in everyLayout([3, 4]) {
            var y = layout.fresh()
            let before = y.layout
            y[1, 2] = 99
            var expected = layout.values
            expected[6] = 99
            XCTAssertEqual(y.scalars, expected, layout.name)
            // Only the broadcast view must copy: its elements share storage slots.
            XCTAssertEqual(y.layout.sharesStorage(with: before), layout.name != "broadcast", layout.name)
        }
    }

    func testLayoutsOfTemporariesAreNeverReportedShared() {
        let table = ArrayLayout.table(["a": NDArray<Float>.zeros([3]).layout, "b": NDArray<Float>.zeros([3]).layout])
        XCTAssertTrue(table.contains("B (3 elements)"), table)
        XCTAssertFalse(table.contains("shared"), table)
    }

    func testTheLayoutTableShowsSharing() {
        let x = NDArray<Float>.arange(6).reshaped(2, 3)
        let table = ArrayLayout.table(["x": x.layout, "x.T": x.T.layout, "y": x.copy().layout])
        XCTAssertEqual(table, """
            name  shape   strides  offset  contiguous  storage
            x     [2, 3]  [3, 1]   0       yes         A (6 elements)
            x.T   [3, 2]  [1, 3]   0       no          A, shared with x
            y     [2, 3]  [3, 1]   0       yes         B (6 elements)
            """)
        XCTAssertEqual(x.T.layout.description,
                       "shape [3, 2]  strides [1, 3]  offset 0  not contiguous  storage 6 elements")
    }

    /// The view chains and writes in the fixtures, against NumPy.
    func testViewChainsMatchNumPy() {
        let a24 = NDArray<Float>.arange(24)
        var results: [String: NDArray<Float>] = [:]
        let v = a24.reshaped(4, 6)[1..., .stride(by: 2)].T          // x.reshape(4, 6)[1:, ::2].T
        results["chain"] = v
        var w = v                                                    // w = v.copy(); w[0, 1] = 100; w[2, :] = -1
        w[0, 1] = 100
        w[2, .all] = -1
        results["chain_write"] = w
        results["rev"] = NDArray<Float>.arange(10)[.stride(by: -1)]
        results["rev2"] = NDArray<Float>.arange(10)[.stride(by: -2)]
        results["neg_start_stop"] = NDArray<Float>.arange(10)[.slice(7, 2, step: -2)]
        results["neg_2d"] = NDArray<Float>.arange(20).reshaped(4, 5)[.stride(by: -1), (1...).stride(by: 2)]
        results["neg_both"] = NDArray<Float>.arange(30).reshaped(5, 6)[.stride(by: -2), .stride(by: -3)]
        results["slice_then_rev"] = a24.reshaped(4, 6)[1..<3][.all, .stride(by: -1)]
        results["ellipsis_newaxis"] = a24.reshaped(2, 3, 4)[.ellipsis, .newAxis, 1]
        results["int_neg"] = a24.reshaped(2, 3, 4)[-1, .all, -2]
        results["reshape_of_transpose"] = NDArray<Float>.arange(12).reshaped(3, 4).T.reshaped(2, 6)
        results["reshape_infer"] = a24.reshaped(2, -1, 4)
        results["permute"] = a24.reshaped(2, 3, 4).transposed([2, 0, 1])
        results["broadcast_to"] = NDArray<Float>.arange(3).reshaped(3, 1).broadcast(to: [2, 3, 4])
        var assigned = NDArray<Float>.zeros([3, 5])
        assigned[1, 2..<4] = [7, 8]
        assigned[.all, 0] = 1
        assigned[.stride(by: 2), .stride(by: -2)] = NDArray<Float>.arange(3)
        assigned[-1, .ellipsis] += 10
        results["assign"] = assigned
        var t = NDArray<Float>.arange(12).reshaped(3, 4).T.copy()
        t[1..<3, .stride(by: -1)] = [[-1], [-2]]
        results["transpose_slice_assign"] = t
        for c in Fixtures.manifest.views {
            guard let actual = results[c.name] else { XCTFail("no Swift twin for \(c.name): \(c.expr)"); continue }
            assertEqualArrays(actual, Fixtures.load("view_\(c.name)"), "\(c.name): \(c.expr)")
        }
        XCTAssertEqual(a24, NDArray<Float>.arange(24), "the base of the chain is untouched")
    }

    func testViewsOfEveryLayoutReadTheRightElements() {
        for layout in everyLayout([3, 4]) {
            XCTAssertEqual(layout.array.scalars, layout.values, layout.name)
            XCTAssertEqual(layout.array.copy().scalars, layout.values, layout.name)
            XCTAssertEqual(layout.array.T.T.scalars, layout.values, layout.name)
            XCTAssertEqual(layout.array.reshaped(12).scalars, layout.values, layout.name)
            XCTAssertEqual(layout.array.reshaped(2, 6).scalars, layout.values, layout.name)
            XCTAssertEqual(layout.array[1].scalars, Array(layout.values[4..<8]), layout.name)
            XCTAssertEqual(layout.array[.all, .stride(by: -1)][0].scalars, layout.values[0..<4].reversed(), layout.name)
        }
    }

    func testWritingIntoEveryLayoutLeavesItsSourceAlone() {
        for layout in everyLayout([3, 4]) {
            var y = layout.array
            y[1, 2] = 99
            var expected = layout.values
            expected[6] = 99
            XCTAssertEqual(y.scalars, expected, layout.name)
            XCTAssertEqual(layout.array.scalars, layout.values, layout.name)
        }
    }
}
