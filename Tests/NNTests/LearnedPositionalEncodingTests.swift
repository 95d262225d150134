// LearnedPositionalEncodingTests.swift — a trained vector per position.
//
// After reading this file you should know that learned positions are an
// embedding table indexed by position, one parameter `weight` [maxSeqLen, C].

import NDArray
import NN
import XCTest

final class LearnedPositionalEncodingTests: XCTestCase {
    func testRowsAreTheTablesRows() {
        // LiteTorch's test_learned_positional_encoding_shape: (512, 128), forward(50) → (50, 128).
        var rng = generator()
        let wpe = LearnedPositionalEncoding<Float>(maxSeqLen: 512, embeddingDim: 128, using: &rng)
        XCTAssertEqual(wpe(seqLen: 50).shape, [50, 128])
        XCTAssertEqual(wpe(seqLen: 2, offset: 5), wpe.weight[5..<7])
        XCTAssertEqual(wpe.forward(positions: NDArray<Int>([3, 3])), stack([wpe.weight[3], wpe.weight[3]]))
        XCTAssertEqual(wpe.namedParameters.map(\.name), ["weight"])
        XCTAssertEqual(wpe.parameterCount, 512 * 128)
    }
}
