// SigmoidTests.swift — 1/(1 + e^−x).
//
// After reading this file you should know that sigmoid maps every number into
// (0, 1), gives 1/2 at 0, and is symmetric: sigmoid(−x) = 1 − sigmoid(x).

import NDArray
import NN
import TestSupport
import XCTest

final class SigmoidTests: XCTestCase {
    func testValuesAndSymmetry() {
        let x = NDArray<Float>.linspace(-20, 20, count: 81)
        let y = Sigmoid<Float>()(x)
        XCTAssertEqual(y[40].item(), 0.5)
        assertClose(y + Sigmoid<Float>()(-x), .ones([81]), tolerance: 1e-7)
        XCTAssertTrue((y .> 0).all() && (y .<= 1).all())
        assertClose(Sigmoid<Double>()(NDArray<Double>([1])), [1 / (1 + 1 / 2.718281828459045)], tolerance: 1e-15)
    }
}
