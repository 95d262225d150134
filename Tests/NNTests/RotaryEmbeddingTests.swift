// RotaryEmbeddingTests.swift — RoPE: rotating queries and keys by position.
//
// After reading this file you should know what the rotation does to a vector
// (keeps its length), why it is used (q·k then depends only on how far apart
// the two tokens are), and what the offset is for (a KV cache: new tokens
// start at the cached count).
//
// Rebuild it yourself: Exercises/Sources/14-rotary-positions (docs/Exercises.md).

import NDArray
import NN
import TestSupport
import XCTest

final class RotaryEmbeddingTests: XCTestCase {
    func testMatchesTheRotateHalfFormulaInPyTorch() {
        let fixture = TorchFixture("rope")
        let rope = RotaryEmbedding<Float>(headDim: 8, maxSeqLen: 32)
        let offset: NDArray<Int> = fixture["offset"]
        assertClose(rope(fixture["input"], offset: offset.scalars[0]), fixture["output"], tolerance: 1e-6)
    }

    func testScoresDependOnlyOnTheDistance() {
        let rope = RotaryEmbedding<Double>(headDim: 8, maxSeqLen: 64)
        let q = randomArray([1, 1, 1, 8], seed: 1).asType(Double.self)
        let k = randomArray([1, 1, 1, 8], seed: 2).asType(Double.self)
        func score(_ m: Int, _ n: Int) -> Double { (rope(q, offset: m) * rope(k, offset: n)).sum() }
        XCTAssertEqual(score(5, 2), score(13, 10), accuracy: 1e-12)
        XCTAssertEqual(score(0, 0), (q * k).sum(), accuracy: 1e-12, "position 0 is no rotation")
        XCTAssertNotEqual(score(5, 2), score(5, 3), accuracy: 1e-6)
    }

    func testRotationKeepsLengthsAndPositionsMayBeGiven() {
        let rope = RotaryEmbedding<Float>(headDim: 4, maxSeqLen: 16)
        let x = randomArray([2, 3, 5, 4], seed: 3)
        let y = rope(x, offset: 6)
        assertClose(sqrt((y * y).sum(axis: -1)), sqrt((x * x).sum(axis: -1)), tolerance: 1e-6)
        // The same positions given per batch entry: [B, T].
        let positions = NDArray<Int>(shape: [2, 5], scalars: Array(6..<11) + Array(6..<11))
        XCTAssertEqual(rope.forward(x, positions: positions), y)
        XCTAssertEqual(rope.forward(x, positions: NDArray<Int>(Array(6..<11))), y)
    }
}
