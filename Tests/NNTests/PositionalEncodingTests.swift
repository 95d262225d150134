// PositionalEncodingTests.swift — the sinusoidal table of "Attention Is All You Need".
//
// After reading this file you should know the table's layout (sines in even
// columns, cosines in odd ones, slower clocks further right), that row 0 is
// [0, 1, 0, 1, …], and that asking for T positions gives the first T rows.
//
// Rebuild it yourself: Exercises/Sources/13-sinusoidal-positions (docs/Exercises.md).

import NDArray
import NN
import TestSupport
import XCTest

final class PositionalEncodingTests: XCTestCase {
    func testTableMatchesTheFormulaInPyTorch() {
        for dim in [16, 15] {
            let pe = PositionalEncoding<Float>(maxSeqLen: 50, embeddingDim: dim)
            assertClose(pe.encoding, TorchFixture("sinusoidal_\(dim)")["output"], tolerance: 1e-7, "C = \(dim)")
        }
    }

    func testRowZeroAndTheFastestClock() {
        let pe = PositionalEncoding<Double>(maxSeqLen: 10, embeddingDim: 4)
        XCTAssertEqual(pe.encoding[0], [0, 1, 0, 1])
        // Column 0 turns at 1 radian per position; column 2 at 1/100 (10000^(2/4) = 100).
        let expected = NDArray<Double>([Foundation.sin(3), Foundation.cos(3), Foundation.sin(0.03), Foundation.cos(0.03)])
        assertClose(pe.encoding[3], expected, tolerance: 1e-15)
    }

    func testShapeAsInLiteTorchAndOffsets() {
        // LiteTorch's test_positional_encoding_shape: PE(512, 128), forward(50) → (50, 128).
        let pe = PositionalEncoding<Float>(maxSeqLen: 512, embeddingDim: 128)
        XCTAssertEqual(pe(seqLen: 50).shape, [50, 128])
        XCTAssertEqual(pe(seqLen: 3, offset: 7), pe.encoding[7..<10])
        XCTAssertEqual(pe.forward(positions: [[7, 0], [1, 2]]).shape, [2, 2, 128])
        XCTAssertEqual(pe.forward(positions: [[7, 0], [1, 2]])[0, 0], pe.encoding[7])
        XCTAssertTrue(pe.namedParameters.isEmpty, "a fixed table, not parameters")
    }
}

import Foundation
