// ReLUTests.swift — max(x, 0).
//
// After reading this file you should know that ReLU passes positives through
// unchanged and zeros everything else.

import NDArray
import NN
import XCTest

final class ReLUTests: XCTestCase {
    func testKeepsPositivesAndZerosTheRest() {
        let y = ReLU<Float>()(NDArray<Float>([-2, -0.5, 0, 0.5, 3]))
        XCTAssertEqual(y, [0, 0, 0, 0.5, 3])
        XCTAssertTrue(ReLU<Float>().namedParameters.isEmpty)
    }
}
