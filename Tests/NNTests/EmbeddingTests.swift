// EmbeddingTests.swift — looking rows up by token id.
//
// After reading this file you should know that an embedding is a table [V, C]
// read by row, that ids [B, T] give vectors [B, T, C], that the same id gives the
// same row wherever it appears, and that an id outside 0..<V is a programmer
// error (see NNTrapTests).
//
// Rebuild it yourself: Exercises/Sources/12-embedding (docs/Exercises.md).

import NDArray
import NN
import XCTest

final class EmbeddingTests: XCTestCase {
    func testEachIdGivesItsRow() {
        let table = NDArray<Float>.arange(12).reshaped(4, 3)           // V = 4, C = 3: row v is [3v, 3v+1, 3v+2]
        let embedding = Embedding<Float>(weight: table)
        let ids: NDArray<Int> = [[3, 0], [1, 3]]                       // [B 2, T 2]
        let x = embedding(ids)
        XCTAssertEqual(x.shape, [2, 2, 3])
        XCTAssertEqual(x, [[[9, 10, 11], [0, 1, 2]], [[3, 4, 5], [9, 10, 11]]])
    }

    func testShapeAsInLiteTorch() {
        // LiteTorch's test_embedding_shape: vocabulary 1000, dim 128, ids (2, 10) → (2, 10, 128).
        var rng = generator()
        let embedding = Embedding<Float>(numEmbeddings: 1000, embeddingDim: 128, using: &rng)
        let ids = NDArray<Int>.randomIntegers([2, 10], low: 0, high: 1000, using: &rng)
        let x = embedding(ids)
        XCTAssertEqual(x.shape, [2, 10, 128])
        XCTAssertEqual(x[1, 4], embedding.weight[ids[1, 4].item()])
    }

    func testDefaultInitialisationIsGPT2s() {
        var rng = generator(1)
        let embedding = Embedding<Float>(numEmbeddings: 500, embeddingDim: 64, using: &rng)
        XCTAssertEqual(Double(embedding.weight.std()), 0.02, accuracy: 0.0005)
        XCTAssertEqual(Double(embedding.weight.mean()), 0, accuracy: 0.0005)
        XCTAssertEqual(embedding.namedParameters.map(\.name), ["weight"])
    }
}
