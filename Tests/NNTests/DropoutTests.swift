// DropoutTests.swift — zeroing at random while training, nothing in evaluation.
//
// After reading this file you should know what "inverted" dropout means (the
// survivors are scaled by 1/(1 − p) during training, so evaluation needs no
// change), that eval mode is exactly the identity, and that the masks come from
// a seeded stream: the same seed, the same masks.

import NDArray
import NN
import XCTest

final class DropoutTests: XCTestCase {
    func testEvaluationIsTheIdentity() {
        var rng = generator()
        let dropout = Dropout<Float>(p: 0.5, using: &rng)
        dropout.eval()
        let x = randomArray([4, 8], seed: 1)
        let y = dropout(x)
        XCTAssertEqual(y, x)
        XCTAssertTrue(y.sharesStorage(with: x), "not even a copy")
    }

    func testTrainingZerosAboutPAndScalesTheRest() {
        var rng = generator()
        let dropout = Dropout<Float>(p: 0.2, using: &rng)
        let x = NDArray<Float>.ones([100_000])
        let y = dropout(x)
        let zeros = (y .== 0).countTrue()
        XCTAssertEqual(Double(zeros) / 100_000, 0.2, accuracy: 0.01)
        XCTAssertEqual((y .== 1.25).countTrue(), 100_000 - zeros, "every survivor is exactly 1/(1 − 0.2)")
        XCTAssertEqual(Double(y.mean()), 1, accuracy: 0.02, "the expectation is kept")
    }

    func testTheSameSeedGivesTheSameMasks() {
        var a = generator(9), b = generator(9)
        let x = NDArray<Float>.ones([1000])
        let first = Dropout<Float>(p: 0.5, using: &a), second = Dropout<Float>(p: 0.5, using: &b)
        XCTAssertEqual(first(x), second(x))
        XCTAssertNotEqual(first(x), first(x), "each call draws a new mask from the stream")
    }

    func testEdgeProbabilities() {
        var rng = generator()
        let x = randomArray([50], seed: 2)
        XCTAssertEqual(Dropout<Float>(p: 0, using: &rng)(x), x)
        XCTAssertEqual(Dropout<Float>(p: 1, using: &rng)(x), .zeros([50]))
    }
}
