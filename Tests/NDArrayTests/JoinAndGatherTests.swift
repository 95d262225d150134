// JoinAndGatherTests.swift — concatenate, stack, split, take, takeAlongAxis, oneHot.
//
// After reading this file you should know the difference between concatenate
// (an existing axis grows) and stack (a new axis appears), that split returns
// views, and how `take` along axis 0 is an embedding lookup.

import NDArray
import TestSupport
import XCTest

final class JoinAndGatherTests: XCTestCase {
    let p = NDArray<Float>.arange(6).reshaped(2, 3)
    let q = NDArray<Float>.arange(6, 12).reshaped(2, 3)
    let r = NDArray<Float>.arange(12, 21).reshaped(3, 3)
    let t = NDArray<Float>.arange(12).reshaped(3, 4)

    func testConcatenateGrowsAnAxisAndStackAddsOne() {
        XCTAssertEqual(concatenate([p, q], axis: 0).shape, [4, 3])
        XCTAssertEqual(concatenate([p, q], axis: 1), [[0, 1, 2, 6, 7, 8], [3, 4, 5, 9, 10, 11]])
        XCTAssertEqual(stack([p, q], axis: 0).shape, [2, 2, 3])
        XCTAssertEqual(stack([p, q], axis: -1).shape, [2, 3, 2])
    }

    func testSplitReturnsViews() {
        let s = NDArray<Float>.arange(24).reshaped(4, 6)
        let parts = split(s, sections: 3, axis: 1)
        XCTAssertEqual(parts.map(\.shape), [[4, 2], [4, 2], [4, 2]])
        XCTAssertTrue(parts.allSatisfy { $0.sharesStorage(with: s) })
        let uneven = split(s, indices: [1, 3])
        XCTAssertEqual(uneven.map(\.shape), [[1, 6], [2, 6], [1, 6]])
    }

    func testSplittingAnEmptyAxisGivesEmptyParts() {
        let parts = split(NDArray<Float>.zeros([0, 3]), sections: 2)
        XCTAssertEqual(parts.map(\.shape), [[0, 3], [0, 3]])
    }

    func testSplitAndStackOfEvery3DLayout() {
        for layout in everyLayout([2, 3, 4]) {
            let plain = NDArray<Double>(shape: [2, 3, 4], scalars: layout.values)
            for axis in [0, 1, 2, -1] {
                let n = layout.array.shape[axis < 0 ? axis + 3 : axis]
                let parts = split(layout.array, sections: n, axis: axis)
                assertEqualArrays(concatenate(parts, axis: axis), plain, "\(layout.name) axis \(axis)")
                assertEqualArrays(stack(parts.map { $0.squeezed(axis: axis) }, axis: axis), plain, "\(layout.name) stack \(axis)")
            }
        }
    }

    func testTakeAlongAxisZeroIsAnEmbeddingLookup() {
        let wte = NDArray<Float>.arange(10).reshaped(5, 2)   // [V, C]
        let ids: NDArray<Int32> = [[4, 0], [1, 1]]            // [B, T]
        let x = wte.take(ids, axis: 0)                       // [B, T, C]
        XCTAssertEqual(x.shape, [2, 2, 2])
        XCTAssertEqual(x, [[[8, 9], [0, 1]], [[2, 3], [2, 3]]])
    }

    func testOneHotRows() {
        let ids: NDArray<Int> = [2, 0]
        XCTAssertEqual(NDArray<Float>.oneHot(ids, depth: 3), [[0, 0, 1], [1, 0, 0]])
    }

    func testJoinsAndGathersMatchNumPy() {
        var results: [String: NDArray<Float>] = [
            "concat0": concatenate([p, q, r], axis: 0), "concat1": concatenate([p, q], axis: 1),
            "concat_m1": concatenate([p, q, p], axis: -1),
            "stack0": stack([p, q], axis: 0), "stack1": stack([p, q], axis: 1), "stack2": stack([p, q], axis: 2),
            "stack_m1": stack([p, q], axis: -1),
        ]
        let s = NDArray<Float>.arange(24).reshaped(4, 6)
        for (i, part) in split(s, sections: 3, axis: 1).enumerated() { results["split3_ax1_\(i)"] = part }
        for (i, part) in split(s, indices: [1, 3], axis: 0).enumerated() { results["split_idx_ax0_\(i)"] = part }
        results["take_ax0"] = t.take(Fixtures.load("join_take_ax0_idx", as: Int64.self), axis: 0)
        results["take_ax1_2d"] = t.take(Fixtures.load("join_take_ax1_2d_idx", as: Int64.self), axis: 1)
        results["take_flat"] = t.take(Fixtures.load("join_take_flat_idx", as: Int64.self))
        results["tala"] = t.takeAlongAxis(Fixtures.load("join_tala_idx", as: Int64.self), axis: 1)
        results["tala0"] = t.takeAlongAxis(Fixtures.load("join_tala0_idx", as: Int64.self), axis: 0)
        results["onehot"] = NDArray<Float>.oneHot(Fixtures.load("join_onehot_ids", as: Int64.self), depth: 4)
        var checked = 0
        for file in Fixtures.manifest.join where !file.hasSuffix("_idx.npy") && !file.hasSuffix("_ids.npy") {
            let name = String(file.dropFirst("join_".count).dropLast(".npy".count))
            guard let actual = results[name] else { XCTFail("no Swift twin for \(file)"); continue }
            assertEqualArrays(actual, Fixtures.load(file), name)
            checked += 1
        }
        XCTAssertEqual(checked, results.count)
    }

    func testJoiningAndGatheringIgnoreTheLayout() {
        for layout in everyLayout([3, 4]) {
            let plain = NDArray<Double>(shape: [3, 4], scalars: layout.values)
            assertEqualArrays(concatenate([layout.array, plain], axis: 1), concatenate([plain, plain], axis: 1), layout.name)
            assertEqualArrays(stack([plain, layout.array], axis: 1), stack([plain, plain], axis: 1), layout.name)
            let ids: NDArray<Int> = [2, -1, 0]
            var taken: [Double] = []
            for row in 0..<3 { taken += [layout.values[row * 4 + 2], layout.values[row * 4 + 3], layout.values[row * 4]] }
            assertEqualArrays(layout.array.take(ids, axis: 1), NDArray(shape: [3, 3], scalars: taken), layout.name)
            let column: NDArray<Int> = [[1], [0], [3]]
            assertEqualArrays(layout.array.takeAlongAxis(column, axis: 1),
                              NDArray(shape: [3, 1], scalars: [layout.values[1], layout.values[4], layout.values[11]]), layout.name)
        }
    }
}
