// ALiBiTests.swift — per-head linear distance penalties.
//
// After reading this file you should know the slopes (a geometric sequence,
// 1/2 … 1/256 for 8 heads), how heads that are not a power of two get theirs,
// and that the bias is −slope × distance, added to the scores like a mask.

import NDArray
import NN
import XCTest

final class ALiBiTests: XCTestCase {
    func testSlopesForEightHeads() {
        XCTAssertEqual(ALiBi<Float>(numHeads: 8).slopes, [1, 2, 3, 4, 5, 6, 7, 8].map { 1 / Foundation.pow(2, Double($0)) })
    }

    func testSlopesForSixHeads() {
        // The 4-head slopes (2^−2, 2^−4, 2^−6, 2^−8), then every other 8-head slope (2^−1, 2^−3).
        XCTAssertEqual(ALiBi<Float>(numHeads: 6).slopes, [0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125])
    }

    func testBiasIsMinusSlopeTimesDistance() {
        let alibi = ALiBi<Double>(numHeads: 2)           // slopes 1/16 and 1/256
        let bias = alibi.bias(queryLength: 2, keyLength: 3)   // queries at positions 1 and 2
        XCTAssertEqual(bias.shape, [2, 2, 3])
        let m0 = 1.0 / 16, m1 = 1.0 / 256
        XCTAssertEqual(bias[0].scalars, [-m0, 0, -m0, -2 * m0, -m0, 0])
        XCTAssertEqual(bias[1, 1].scalars, [-2 * m1, -m1, 0])
        // As a mask beside a causal one: [NH, Tq, Tk] + [Tq, Tk] broadcasts.
        let combined = bias + createCausalMask(queryLength: 2, keyLength: 3)
        XCTAssertEqual(combined[0, 0, 2].item(), -.infinity)
    }
}

import Foundation
