// FeedForwardTests.swift — the position-wise network: standard, GLU, SwiGLU.
//
// After reading this file you should know the three formulas, which
// parameters each variant has (`up`, `gate`, `down`), and that the network
// works on each position alone: changing one token changes only its own output.
//
// Rebuild it yourself: Exercises/Sources/18-feed-forward (docs/Exercises.md).

import NDArray
import NN
import TestSupport
import XCTest

final class FeedForwardTests: XCTestCase {
    func testEachVariantMatchesPyTorch() {
        for variant in FeedForwardVariant.allCases {
            let fixture = TorchFixture("ffn_\(variant)")
            var rng = generator()
            let ffn = FeedForward<Float>(hiddenDim: 8, ffnDim: 12, dropout: 0, activation: .gelu, variant: variant,
                                         using: &rng)
            fixture.load(into: ffn)
            assertClose(ffn(fixture["input"]), fixture["output"], tolerance: 2e-6, "\(variant)")
        }
    }

    func testParameterNames() {
        var rng = generator()
        XCTAssertEqual(FeedForward<Float>(hiddenDim: 4, ffnDim: 8, using: &rng).namedParameters.map(\.name),
                       ["up.weight", "up.bias", "down.weight", "down.bias"])
        XCTAssertEqual(FeedForward<Float>(hiddenDim: 4, ffnDim: 8, variant: .swiglu, bias: false, using: &rng)
                        .namedParameters.map(\.name), ["gate.weight", "up.weight", "down.weight"])
    }

    func testShapeAsInLiteTorchAndPositionsStayApart() {
        // LiteTorch's test_feed_forward_shape: FeedForward(64, 256, dropout=0) on (2, 8, 64) → (2, 8, 64).
        var rng = generator()
        let ffn = FeedForward<Float>(hiddenDim: 64, ffnDim: 256, dropout: 0, using: &rng)
        var x = randomArray([2, 8, 64], seed: 4)
        let before = ffn(x)
        XCTAssertEqual(before.shape, [2, 8, 64])
        x[1, 5] = NDArray<Float>.full([64], 7)
        let after = ffn(x)
        XCTAssertEqual(after[0], before[0])
        XCTAssertEqual(after[1, 0..<5], before[1, 0..<5])
        XCTAssertNotEqual(after[1, 5], before[1, 5])
    }

    func testReLUVariantByHand() {
        // up = identity, down = identity: y = relu(x).
        var rng = generator()
        let ffn = FeedForward<Double>(hiddenDim: 2, ffnDim: 2, dropout: 0, using: &rng)
        ffn.updateParameters { name, value in value = name.hasSuffix("weight") ? .eye(2) : .zeros([2]) }
        XCTAssertEqual(ffn(NDArray<Double>([[-1, 2]])), [[0, 2]])
    }
}
