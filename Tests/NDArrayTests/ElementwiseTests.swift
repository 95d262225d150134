// ElementwiseTests.swift — operators and math functions, element by element.
//
// After reading this file you should know that every element-wise operation
// returns a new array of the broadcast shape, that scalars work on either side,
// that `+=` writes in place only when nobody else shares the storage, and that
// NaN propagates through maximum and minimum as in NumPy.

import NDArray
import TestSupport
import XCTest

final class ElementwiseTests: XCTestCase {
    func testScalarsWorkOnEitherSide() {
        let x: NDArray<Float> = [1, 2, 4]
        XCTAssertEqual(x * 2, [2, 4, 8])
        XCTAssertEqual(2 * x, [2, 4, 8])
        XCTAssertEqual(x + 0.5, [1.5, 2.5, 4.5])
        XCTAssertEqual(1 - x, [0, -1, -3])
        XCTAssertEqual(1 / x, [1, 0.5, 0.25])
        XCTAssertEqual(-x, [-1, -2, -4])
    }

    func testGenericCodeStillDividesNumbers() {
        // A number literal can be a 0-d array, but the array operators with a plain
        // number are the less preferred overloads: in generic code `1 / t` stays a number.
        func reciprocal<S: NDFloatingPoint>(_ t: S) -> S { 1 / t }
        XCTAssertEqual(reciprocal(Float(4)), 0.25)
    }

    func testMathFunctionsMatchFoundation() {
        let x: NDArray<Double> = [0.5, 1, 2]
        XCTAssertEqual(exp(x).scalars, [0.5, 1, 2].map { Foundation.exp($0) })
        XCTAssertEqual(log(x).scalars, [0.5, 1, 2].map { Foundation.log($0) })
        XCTAssertEqual(sqrt(x).scalars, [0.5, 1, 2].map { $0.squareRoot() })
        XCTAssertEqual(tanh(x).scalars, [0.5, 1, 2].map { Foundation.tanh($0) })
        XCTAssertEqual(pow(x, 3).scalars, [0.125, 1, 8])
        XCTAssertEqual(pow(2, x).scalars, [Foundation.pow(2, 0.5), 2, 4])
    }

    func testRoundHalvesToEvenAndScalesByPowersOfTenLikeNumPy() {
        // np.round([0.5, 1.5, 2.5, -0.5, -1.5, 0.25, 2.675]) = [0., 2., 2., -0., -2., 0., 3.]
        let x = NDArray<Double>([0.5, 1.5, 2.5, -0.5, -1.5, 0.25, 2.675])
        XCTAssertEqual(round(x).scalars, [0, 2, 2, -0.0, -2, 0, 3])
        XCTAssertEqual(round(x)[3].item().sign, .minus)
        // np.round([1.25, 0.125, -3.14159, 1234.5678], 2) = [1.25, 0.12, -3.14, 1234.57]
        let y = NDArray<Double>([1.25, 0.125, -3.14159, 1234.5678])
        XCTAssertEqual(round(y, decimals: 2).scalars, [1.25, 0.12, -3.14, 1234.57])
        // np.round([1234.5678, 1250.0, -1350.0], -2) = [1200., 1200., -1400.]
        XCTAssertEqual(round(NDArray<Double>([1234.5678, 1250, -1350]), decimals: -2).scalars, [1200, 1200, -1400])
        // Float: np.round(np.float32([0.123456, 2.5]), 3) = [0.123, 2.5]
        XCTAssertEqual(round(NDArray<Float>([0.123456, 2.5]), decimals: 3).scalars, [0.123, 2.5])
        XCTAssertTrue(round(NDArray<Float>([.nan]))[0].item().isNaN)
    }

    func testMaximumAndMinimumPropagateNaNLikeNumPy() {
        let x: NDArray<Float> = [1, .nan, 3]
        let y: NDArray<Float> = [2, 0, .nan]
        XCTAssertEqual(maximum(x, y)[0].item(), 2)
        XCTAssertTrue(maximum(x, y)[1].item().isNaN)
        XCTAssertTrue(minimum(x, y)[2].item().isNaN)
        XCTAssertEqual(clip(NDArray<Float>([-2, 0.5, 9]), min: -1, max: 1), [-1, 0.5, 1])
        XCTAssertTrue(clip(x, min: 0, max: 2)[1].item().isNaN)
    }

    func testIntegerArithmeticWrapsAroundLikeNumPy() {
        let big = NDArray<Int32>([Int32.max, 1])
        XCTAssertEqual(big + 1, NDArray([Int32.min, 2]))
        XCTAssertEqual(-NDArray<Int32>([Int32.min]), NDArray([Int32.min]))
        XCTAssertEqual(abs(NDArray<Int64>([-3, 4])), [3, 4])
    }

    func testComparisonsGiveMasksAndWhereChoosesWithThem() {
        let x: NDArray<Float> = [-2, 0, 3]
        XCTAssertEqual(x .> 0, [false, false, true])
        XCTAssertEqual(0 .< x, [false, false, true])
        XCTAssertEqual(x .== x, [true, true, true])
        XCTAssertEqual(NDArray.where(x .> 0, x, 0.1 * x), [-0.2, 0, 3])
        XCTAssertEqual(NDArray.where(x .> 0, x, 0), [0, 0, 3])
        XCTAssertEqual((x .> -1) .& (x .< 1), [false, true, false])
        XCTAssertEqual(.!(x .> 0), [true, true, false])
        XCTAssertTrue((x .>= -2).all())
        XCTAssertFalse((x .> 5).any())
        XCTAssertEqual((x .!= 0).countTrue(), 2)
        XCTAssertTrue(isNaN(NDArray<Float>([.nan, 1]))[0].item())
        XCTAssertFalse(isFinite(NDArray<Float>([.infinity]))[0].item())
    }

    func testWholeArrayEqualityComparesShapeAndValues() {
        let x: NDArray<Float> = [1, 2, 3, 4]
        XCTAssertEqual(x, [1, 2, 3, 4])
        XCTAssertNotEqual(x, x.reshaped(2, 2))
        XCTAssertTrue(x.allClose(to: x + 1e-7))
        XCTAssertFalse(x.allClose(to: x + 1e-3))
        XCTAssertEqual(isClose(x, [1, 2.001, 3, 4]), [true, false, true, true])
    }

    func testCompoundAssignmentWritesInPlaceWhenTheStorageIsNotShared() {
        var x = NDArray<Float>.zeros([2, 3])
        let storage = x.layout                          // a layout does not keep the storage alive or shared
        x += NDArray<Float>([1, 2, 3])                  // broadcast over the rows
        XCTAssertTrue(x.layout.sharesStorage(with: storage), "+= reused the storage")
        x *= 2
        XCTAssertTrue(x.layout.sharesStorage(with: storage), "*= reused the storage")
        XCTAssertEqual(x, [[2, 4, 6], [2, 4, 6]])
    }

    func testCompoundAssignmentOnASharedArrayLeavesTheOtherAlone() {
        let original: NDArray<Float> = [1, 2, 3]
        var copy = original
        copy -= 1
        XCTAssertEqual(copy, [0, 1, 2])
        XCTAssertEqual(original, [1, 2, 3])
    }

    func testUnaryFunctionsMatchNumPy() {
        func check<S: NDFloatingPoint>(_ type: S.Type, _ tag: String, tolerance: Double) {
            let x: NDArray<S> = Fixtures.load("un_\(tag)_x"), p: NDArray<S> = Fixtures.load("un_\(tag)_p")
            let results: [String: NDArray<S>] = [
                "exp": exp(x), "tanh": tanh(x), "abs": abs(x), "neg": -x, "clip": clip(x, min: -0.5, max: 0.7),
                "log": log(p), "sqrt": sqrt(p), "pow": pow(p, 2.5), "max_scalar": maximum(x, 0.5),
                "min_scalar": minimum(x, 0.5), "rsub": 2 - x, "rdiv": 1 / p, "where": NDArray.where(x .> 0, x, 0.1 * x),
            ]
            for name in Fixtures.manifest.unary {
                assertClose(results[name]!, Fixtures.load("un_\(tag)_\(name)"), tolerance: tolerance, "\(tag) \(name)")
            }
        }
        check(Float.self, "f4", tolerance: 1e-6)
        check(Double.self, "f8", tolerance: 1e-14)
    }

    func testUnaryFunctionsIgnoreTheLayout() {
        for layout in everyLayout([3, 4]) {
            assertEqualArrays(exp(layout.array), NDArray(shape: [3, 4], scalars: layout.values.map { Foundation.exp($0) }),
                              layout.name)
            assertEqualArrays(layout.array.asType(Float.self), NDArray(shape: [3, 4], scalars: layout.values.map { Float($0) }),
                              layout.name)
        }
    }

    func testMasksWhereAndInPlaceUpdatesIgnoreTheLayout() {
        for layout in everyLayout([3, 4]) {
            let positive = layout.values.map { $0 > 0 }
            assertEqualArrays(layout.array .> 0, NDArray(shape: [3, 4], scalars: positive), layout.name)
            let chosen = layout.values.map { $0 > 0 ? $0 : -1 }
            assertEqualArrays(NDArray.where(layout.array .> 0, layout.array, -1), NDArray(shape: [3, 4], scalars: chosen),
                              layout.name)
            for mask in everyLayout([3, 4], { (v: Double) -> Bool in v > 0 }) {
                let picked = zip(mask.values, layout.values).map { $0 ? $1 : 0 }
                assertEqualArrays(NDArray.where(mask.array, layout.array, 0), NDArray(shape: [3, 4], scalars: picked),
                                  "mask \(mask.name), values \(layout.name)")
            }
            var updated = layout.array
            updated += NDArray<Double>([1, 2, 3, 4])    // in place where it may be, copied where it must be
            updated *= 2
            var expected = layout.values
            for i in expected.indices { expected[i] = (expected[i] + Double(i % 4 + 1)) * 2 }
            assertEqualArrays(updated, NDArray(shape: [3, 4], scalars: expected), layout.name)
            XCTAssertEqual(layout.array.scalars, layout.values, "\(layout.name) is untouched")
        }
    }

    func testInPlaceUpdatesOfUnsharedViewsOfEveryLayout() {
        for layout in everyLayout([3, 4]) {
            var y = layout.fresh()                      // nothing else holds this storage
            let before = y.layout
            y += 1
            XCTAssertEqual(y.scalars, layout.values.map { $0 + 1 }, layout.name)
            // Contiguous views (even at an offset) are updated in place; the others are rebuilt.
            let inPlace = layout.name == "contiguous" || layout.name == "offset"
            XCTAssertEqual(y.layout.sharesStorage(with: before), inPlace, layout.name)
        }
    }

    func testAsTypeConvertsLikeNumPy() {
        XCTAssertEqual(NDArray<Double>([-1.7, 2.9]).asType(Int.self), [-1, 2])       // toward zero
        XCTAssertEqual(NDArray<Float>([0, 0.5]).asType(Bool.self), [false, true])      // nonzero is true
        XCTAssertEqual(NDArray<Bool>([true, false]).asType(Float.self), [1, 0])
        XCTAssertEqual(NDArray<Int32>([7]).asType(Double.self), [7])
    }
}
