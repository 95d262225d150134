// PrintingTests.swift — printing in NumPy's layout.
//
// After reading this file you should recognise NumPy's output in ours: nested
// brackets, columns aligned on the decimal point, the fewest digits that
// identify each float (at most 8 after the point), scientific notation when
// magnitudes differ by more than 1000×, and `...` past 1000 elements.

import NDArray
import XCTest

final class PrintingTests: XCTestCase {
    func testAMatrixPrintsLikeNumPy() {
        let x = NDArray<Float>.arange(6).reshaped(2, 3)
        XCTAssertEqual(x.description, "[[0. 1. 2.]\n [3. 4. 5.]]")
        XCTAssertEqual(x.debugDescription, "array([[0., 1., 2.],\n       [3., 4., 5.]], shape=[2, 3], dtype=Float)")
    }

    func testColumnsAlignOnThePoint() {
        XCTAssertEqual(NDArray<Float>([1.5, 2.25, 3]).description, "[1.5  2.25 3.  ]")
        XCTAssertEqual(NDArray<Int>([-5, 3, 100]).description, "[ -5   3 100]")
        XCTAssertEqual(NDArray<Bool>([true, false]).description, "[ True False]")
    }

    func testAZeroDimensionalArrayPrintsAsItsValue() {
        XCTAssertEqual(NDArray<Float>(0.1).description, "0.1")
        XCTAssertEqual(NDArray<Double>(1.0 / 3).description, "0.3333333333333333")
        XCTAssertEqual(NDArray<Double>(1.0 / 3).debugDescription, "array(0.33333333, shape=[], dtype=Double)")
        XCTAssertEqual(NDArray<Float>(1e-5).description, "1e-05")
    }

    /// Every printing case in the fixtures: `description` is NumPy's str(a),
    /// `debugDescription` NumPy's repr layout with the shape and type named.
    func testEveryPrintingCaseMatchesNumPy() {
        for c in Fixtures.manifest.printing {
            let (str, repr): (String, String)
            switch try! AnyNDArray(npyData: Fixtures.bytes("pr_\(c.name)")) {
            case .float32(let a): (str, repr) = (a.description, a.debugDescription)
            case .float64(let a): (str, repr) = (a.description, a.debugDescription)
            case .int32(let a): (str, repr) = (a.description, a.debugDescription)
            case .int64(let a): (str, repr) = (a.asType(Int.self).description, a.asType(Int.self).debugDescription)
            case .bool(let a): (str, repr) = (a.description, a.debugDescription)
            }
            XCTAssertEqual(str, c.str, "str of \(c.name)")
            XCTAssertEqual(repr, c.repr, "repr of \(c.name)")
        }
    }

    func testPrintingIgnoresTheLayout() {
        for layout in everyLayout([3, 4]) {
            let plain = NDArray<Double>(shape: [3, 4], scalars: layout.values)
            XCTAssertEqual(layout.array.description, plain.description, layout.name)
        }
    }
}
