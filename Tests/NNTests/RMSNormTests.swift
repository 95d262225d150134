// RMSNormTests.swift — dividing each vector by its root mean square.
//
// After reading this file you should know how RMSNorm differs from LayerNorm:
// it does not subtract the mean, so a row's mean survives, but its root mean
// square becomes 1.
//
// Rebuild it yourself: Exercises/Sources/08-layer-norm (docs/Exercises.md).

import NDArray
import NN
import TestSupport
import XCTest

final class RMSNormTests: XCTestCase {
    func testMatchesPyTorch() {
        let fixture = TorchFixture("rmsnorm")
        let norm = RMSNorm<Float>(normalizedShape: 8, eps: 1e-6)
        fixture.load(into: norm)
        assertClose(norm(fixture["input"]), fixture["output"], tolerance: 2e-6)
    }

    func testRootMeanSquareBecomesOneButTheMeanIsNotRemoved() {
        let x = randomArray([3, 16], seed: 8) + 2
        let y = RMSNorm<Float>(normalizedShape: 16)(x)
        assertClose(sqrt((y * y).mean(axis: -1)), .ones([3]), tolerance: 1e-5)
        XCTAssertTrue((y.mean(axis: -1) .> 0.5).all(), "a positive mean stays positive")
    }

    func testHandWorkedRow() {
        // [3, 4]: mean square (9 + 16)/2 = 12.5, so y = x/√12.5.
        let y = RMSNorm<Double>(normalizedShape: 2, eps: 0)(NDArray<Double>([3, 4]))
        assertClose(y, [3 / 12.5.squareRoot(), 4 / 12.5.squareRoot()], tolerance: 1e-15)
    }
}
