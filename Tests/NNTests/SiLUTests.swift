// SiLUTests.swift — x·sigmoid(x).
//
// After reading this file you should know that SiLU is x times its own
// sigmoid: close to x for large x, close to 0 for very negative x, with a dip
// below zero (its minimum, about −0.278 at x ≈ −1.278).

import NDArray
import NN
import TestSupport
import XCTest

final class SiLUTests: XCTestCase {
    func testIsXTimesItsSigmoid() {
        let x = NDArray<Double>.linspace(-10, 10, count: 201)
        assertClose(SiLU<Double>()(x), x / (1 + exp(-x)), tolerance: 1e-15)
        let f = SiLU<Float>()(NDArray<Float>.linspace(-10, 10, count: 201))
        assertClose(f, (x / (1 + exp(-x))).asType(Float.self), tolerance: 1e-6)
    }

    func testItsMinimum() {
        let x = NDArray<Double>.linspace(-3, 0, count: 3001)
        let y = SiLU<Double>()(x)
        XCTAssertEqual(y.min(), -0.27846454276107, accuracy: 1e-6)
        XCTAssertEqual(x[y.argmin()].item(), -1.278464542761074, accuracy: 1e-3)
    }
}
