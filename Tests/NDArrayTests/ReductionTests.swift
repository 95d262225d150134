// ReductionTests.swift — sum, mean, max, min, argmax, argmin, prod, var, std.
//
// After reading this file you should know what `axis`, `axes` and `keepDims`
// do to a shape ([2, 3, 4] summed over axis 1 is [2, 4], or [2, 1, 4] with
// keepDims, which broadcasts back against the input), that argmax returns the
// first of tied maxima, and why sums are added pairwise.
//
// Rebuild it yourself: Exercises/Sources/05-sum-axis (docs/Exercises.md).

import NDArray
import TestSupport
import XCTest

final class ReductionTests: XCTestCase {
    let x = NDArray<Double>.arange(24).reshaped(2, 3, 4)   // x[i, j, k] = 12i + 4j + k

    func testReducingAnAxisRemovesIt() {
        XCTAssertEqual(x.sum(axis: 1).shape, [2, 4])
        XCTAssertEqual(x.sum(axis: 1)[0, 0].item(), 0 + 4 + 8)
        XCTAssertEqual(x.sum(axis: -1).shape, [2, 3])
        // Over i and k: for j = 0 that is 0+1+2+3 + 12+13+14+15 = 60.
        XCTAssertEqual(x.sum(axes: [0, 2]), [60, 92, 124])
    }

    func testKeepDimsLeavesASizeOneAxisThatBroadcastsBack() {
        let mean = x.mean(axis: -1, keepDims: true)   // [2, 3, 1]
        XCTAssertEqual(mean.shape, [2, 3, 1])
        let centred = x - mean                        // [2, 3, 4] - [2, 3, 1]
        XCTAssertEqual(centred[0, 0], [-1.5, -0.5, 0.5, 1.5])
    }

    func testWholeArrayReductionsReturnNumbers() {
        XCTAssertEqual(x.sum(), 276)
        XCTAssertEqual(x.mean(), 11.5)
        XCTAssertEqual(x.max(), 23)
        XCTAssertEqual(x.min(), 0)
        XCTAssertEqual(x.argmax(), 23)
        XCTAssertEqual(NDArray<Double>([1, 2, 3, 4]).prod(), 24)
        XCTAssertEqual(NDArray<Double>([1, 2, 3, 4]).var(), 1.25)
        XCTAssertEqual(NDArray<Double>([1, 2, 3, 4]).var(ddof: 1), 5.0 / 3)
        XCTAssertEqual(NDArray<Double>([2, 4, 4, 4, 5, 5, 7, 9]).std(), 2)
    }

    func testArgmaxTakesTheFirstOfTiedMaxima() {
        let tied: NDArray<Float> = [[1, 5, 5], [7, 7, 2]]
        XCTAssertEqual(tied.argmax(axis: 1), [1, 0])
        XCTAssertEqual(tied.argmin(axis: 0), [0, 0, 1])
        XCTAssertEqual(tied.argmax(), 3)   // a position in the flattened array
    }

    func testNaNWinsMaxAndArgmaxAsInNumPy() {
        let withNaN = NDArray<Float>([1, .nan, 3])
        XCTAssertTrue(withNaN.max().isNaN)
        XCTAssertTrue(withNaN.sum().isNaN)
        XCTAssertEqual(withNaN.argmax(), 1)
        XCTAssertEqual(withNaN.argmin(), 1)
    }

    func testEmptyReductionsHaveIdentities() {
        let empty = NDArray<Double>.zeros([0, 3])
        XCTAssertEqual(empty.sum(axis: 0), [0, 0, 0])
        XCTAssertEqual(empty.prod(axis: 0), [1, 1, 1])
        XCTAssertEqual(empty.sum(axis: 1).shape, [0])
        XCTAssertTrue(empty.mean().isNaN)
    }

    func testTooLargeADdofGivesInfinityLikeNumPy() {
        XCTAssertEqual(NDArray<Double>([1, 2]).var(ddof: 3), .infinity)   // divides by max(n − ddof, 0)
        XCTAssertEqual(NDArray<Double>([1, 2]).std(ddof: 2), .infinity)
    }

    func testBiasGradientSumsAddWholeRows() {
        // [B, T, C] summed over B and T: the row-adding path, against the general engine.
        var rng = SeededGenerator(seed: 5)
        let x = NDArray<Float>.normal([4, 16, 24], using: &rng)
        let engine = x.reduce(SumReducer.self, "sum", axes: [0, 1], keepDims: true)
        assertClose(x.sum(axes: [0, 1], keepDims: true), engine, tolerance: 1e-5)
        assertClose(x.sum(axis: 0), x.reduce(SumReducer.self, "sum", axes: [0], keepDims: false), tolerance: 1e-5)
        XCTAssertEqual(x.sum(axes: [0, 1]).shape, [24])
    }

    func testPairwiseSummationKeepsFloatSumsAccurate() {
        // 2^20 copies of 0.1 in Float: a running sum drifts by about 1%; pairwise stays within 1e-6.
        let n = 1 << 20
        let tenth = NDArray<Float>.full([n], 0.1)
        let exact = Double(Float(0.1)) * Double(n)
        XCTAssertEqual(Double(tenth.sum()), exact, accuracy: exact * 1e-6)
        var running: Float = 0
        for _ in 0..<n { running += 0.1 }
        XCTAssertGreaterThan(abs(Double(running) - exact), exact * 1e-3, "a running sum really would drift")
    }

    /// Every reduction, axis and keepDims in the fixtures, against NumPy.
    func testEveryReductionMatchesNumPy() {
        let xf: NDArray<Double> = Fixtures.load("red_f8_input"), xi: NDArray<Int64> = Fixtures.load("red_i8_input")
        for c in Fixtures.manifest.reductions {
            let axes: [Int]? = switch c.axis {
            case .all: nil
            case .one(let a): [a]
            case .several(let a): a
            }
            let allAxes = axes ?? Array(0..<3)
            let k = c.keepdims, label = "\(c.file)"
            if c.op == "argmax" || c.op == "argmin" {
                let expected: NDArray<Int> = Fixtures.load(c.file)
                let actual: NDArray<Int>
                if let axes {
                    actual = c.dtype == "f8"
                        ? (c.op == "argmax" ? xf.argmax(axis: axes[0], keepDims: k) : xf.argmin(axis: axes[0], keepDims: k))
                        : (c.op == "argmax" ? xi.argmax(axis: axes[0], keepDims: k) : xi.argmin(axis: axes[0], keepDims: k))
                } else {
                    let flat = c.dtype == "f8" ? (c.op == "argmax" ? xf.argmax() : xf.argmin())
                                               : (c.op == "argmax" ? xi.argmax() : xi.argmin())
                    actual = NDArray(shape: k ? [1, 1, 1] : [], scalars: [flat])
                }
                assertEqualArrays(actual, expected, label)
            } else if c.dtype == "f8" {
                let actual: NDArray<Double> = switch c.op {
                case "sum": xf.sum(axes: allAxes, keepDims: k)
                case "mean": xf.mean(axes: allAxes, keepDims: k)
                case "max": xf.max(axes: allAxes, keepDims: k)
                case "min": xf.min(axes: allAxes, keepDims: k)
                case "prod": xf.prod(axes: allAxes, keepDims: k)
                case "var": xf.var(axes: allAxes, ddof: c.ddof ?? 0, keepDims: k)
                case "std": xf.std(axes: allAxes, ddof: c.ddof ?? 0, keepDims: k)
                default: fatalError("unknown reduction \(c.op)")
                }
                assertClose(actual, Fixtures.load(c.file), tolerance: 1e-12, label)
            } else {
                let actual: NDArray<Int64> = switch c.op {
                case "sum": xi.sum(axes: allAxes, keepDims: k)
                case "max": xi.max(axes: allAxes, keepDims: k)
                case "min": xi.min(axes: allAxes, keepDims: k)
                case "prod": xi.prod(axes: allAxes, keepDims: k)
                default: fatalError("unknown reduction \(c.op)")
                }
                assertEqualArrays(actual, Fixtures.load(c.file), label)
            }
        }
    }

    /// Every reduction over every set of axes of every 3-d layout, against plain Swift.
    func testEveryReductionOfEvery3DLayout() {
        let axesSets: [[Int]] = [[0], [1], [2], [-1], [0, 1], [1, 2], [0, 2], [0, 1, 2]]
        func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
        func variance(_ v: [Double]) -> Double { let m = mean(v); return v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count) }
        for layout in everyLayout([2, 3, 4]) {
            let x = layout.array, v = layout.values, shape = [2, 3, 4]
            XCTAssertEqual(x.sum(), v.reduce(0, +), accuracy: 1e-12, layout.name)
            XCTAssertEqual(x.max(), v.max()!, layout.name)
            for axes in axesSets {
                for keep in [false, true] {
                    let label = "\(layout.name) axes \(axes) keepDims \(keep)"
                    func ref(_ f: ([Double]) -> Double) -> NDArray<Double> {
                        referenceReduce(v, shape: shape, axes: axes, keepDims: keep, f)
                    }
                    assertClose(x.sum(axes: axes, keepDims: keep), ref { $0.reduce(0, +) }, tolerance: 1e-13, "sum " + label)
                    assertClose(x.mean(axes: axes, keepDims: keep), ref(mean), tolerance: 1e-13, "mean " + label)
                    assertEqualArrays(x.max(axes: axes, keepDims: keep), ref { $0.max()! }, "max " + label)
                    assertEqualArrays(x.min(axes: axes, keepDims: keep), ref { $0.min()! }, "min " + label)
                    assertClose(x.prod(axes: axes, keepDims: keep), ref { $0.reduce(1, *) }, tolerance: 1e-13, "prod " + label)
                    assertClose(x.var(axes: axes, keepDims: keep), ref(variance), tolerance: 1e-13, "var " + label)
                    assertClose(x.std(axes: axes, keepDims: keep), ref { variance($0).squareRoot() }, tolerance: 1e-13, "std " + label)
                }
            }
            for axis in [0, 1, 2, -1] {
                // The first index of the extreme value along the axis, as in NumPy.
                func firstIndex(_ better: @escaping (Double, Double) -> Bool) -> NDArray<Int> {
                    referenceReduce(v, shape: shape, axes: [axis], keepDims: false) { group in
                        Double(group.indices.reduce(0) { best, i in better(group[i], group[best]) ? i : best })
                    }.asType(Int.self)
                }
                assertEqualArrays(x.argmax(axis: axis), firstIndex(>), "\(layout.name) argmax \(axis)")
                assertEqualArrays(x.argmin(axis: axis), firstIndex(<), "\(layout.name) argmin \(axis)")
            }
        }
    }
}
