// TransformerBlockTests.swift — pre-norm and post-norm blocks, against PyTorch's own layers.
//
// After reading this file you should know where the two layer norms sit in each
// placement, which parameters a block has and how many (12C² + 13C for an
// FFN of 4C with attention biases, GPT-2's; 12C² + 9C without, LiteTorch's), and
// that a causal block, like causal attention, never looks ahead.
//
// Rebuild it yourself: Exercises/Sources/19-transformer-block (docs/Exercises.md).

import NDArray
import NN
import TestSupport
import XCTest

final class TransformerBlockTests: XCTestCase {
    func testPreAndPostNormMatchPyTorchsEncoderLayer() {
        // PyTorch's nn.TransformerEncoderLayer(norm_first: True / False) with a causal src_mask.
        for placement in NormPlacement.allCases {
            let fixture = TorchFixture("block_\(placement)")
            var rng = generator()
            let block = TransformerBlock<Float>(hiddenDim: 16, numHeads: 4, ffnDim: 32, dropout: 0,
                                                normPlacement: placement, activation: .gelu, attentionBias: true, using: &rng)
            fixture.load(into: block)
            let x: NDArray<Float> = fixture["input"]
            assertClose(block(x, mask: createCausalMask(seqLen: 5)), fixture["output"], tolerance: 5e-6, "\(placement)")
        }
    }

    func testParameterNamesAndCount() {
        var rng = generator()
        let block = TransformerBlock<Float>(hiddenDim: 16, numHeads: 4, ffnDim: 64, attentionBias: true, using: &rng)
        XCTAssertEqual(block.namedParameters.map(\.name), [
            "ln1.weight", "ln1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias",
            "ln2.weight", "ln2.bias", "ffn.up.weight", "ffn.up.bias", "ffn.down.weight", "ffn.down.bias",
        ])
        XCTAssertEqual(block.parameterCount, 12 * 16 * 16 + 13 * 16)
    }

    func testShapeAsInLiteTorchAndNoLookingAhead() {
        // LiteTorch's test_transformer_block_shape: Block(64, 4, 256, dropout=0) on (2, 8, 64) → (2, 8, 64).
        var rng = generator(2)
        let block = TransformerBlock<Float>(hiddenDim: 64, numHeads: 4, ffnDim: 256, dropout: 0, using: &rng)
        // LiteTorch's signature builds LiteTorch's block: 4C² + 2CF + F + 5C parameters (no attention biases).
        XCTAssertEqual(block.parameterCount, 4 * 64 * 64 + 2 * 64 * 256 + 256 + 5 * 64)
        XCTAssertNil(block.parameter(named: "attn.qkv.bias"))
        var x = randomArray([2, 8, 64], seed: 3)
        let mask: NDArray<Float> = createCausalMask(seqLen: 8)
        let before = block(x, mask: mask)
        XCTAssertEqual(before.shape, [2, 8, 64])
        x[.all, 7] = randomArray([2, 64], seed: 4)
        XCTAssertEqual(block(x, mask: mask)[.all, 0..<7], before[.all, 0..<7])
    }

    func testDropoutIsTheIdentityInEvalModeAndEvalReachesEveryLayer() {
        var rng = generator(3)
        let block = TransformerBlock<Float>(hiddenDim: 16, numHeads: 2, ffnDim: 32, dropout: 0.5, attentionBias: true, using: &rng)
        let x = randomArray([1, 4, 16], seed: 5)
        XCTAssertNotEqual(block(x), block(x), "training: a new dropout mask each call")
        block.eval()
        XCTAssertFalse(block.attn.attention.dropout.isTraining)
        XCTAssertFalse(block.ffn.dropout.isTraining)
        XCTAssertEqual(block(x), block(x))
        // With dropout 0 the same weights give the same output: eval is exactly "no dropout".
        var same = generator(3)
        let noDropout = TransformerBlock<Float>(hiddenDim: 16, numHeads: 2, ffnDim: 32, dropout: 0, attentionBias: true, using: &same)
        XCTAssertEqual(block(x), noDropout(x))
    }

    func testTheSameSeedGivesTheSameWeights() {
        var a = generator(11), b = generator(11), c = generator(12)
        let first = TransformerBlock<Float>(hiddenDim: 16, numHeads: 4, ffnDim: 32, attentionBias: true, using: &a)
        let second = TransformerBlock<Float>(hiddenDim: 16, numHeads: 4, ffnDim: 32, attentionBias: true, using: &b)
        let third = TransformerBlock<Float>(hiddenDim: 16, numHeads: 4, ffnDim: 32, attentionBias: true, using: &c)
        for ((name, p), (_, q)) in zip(first.namedParameters, second.namedParameters) { XCTAssertEqual(p, q, name) }
        XCTAssertNotEqual(first.attn.qkv.weight, third.attn.qkv.weight)
        // A known value pins the stream itself, so a change to the initialisation order cannot pass unnoticed.
        XCTAssertEqual(first.attn.qkv.weight[0, 0].item(), TransformerBlockTests.firstWeightForSeed11, accuracy: 0)
    }

    /// attn.qkv.weight[0, 0] of a 16-wide block built from seed 11 (Xavier uniform over [48, 16]).
    static let firstWeightForSeed11: Float = -0.16945927

    func testCachedBlockMatchesTheFullSequence() {
        var rng = generator(8)
        let block = TransformerBlock<Float>(hiddenDim: 16, numHeads: 4, ffnDim: 32, dropout: 0, attentionBias: true, using: &rng)
        let x = randomArray([1, 5, 16], seed: 9)
        let full = block(x, mask: createCausalMask(seqLen: 5))
        let cache = KeyValueCache<Float>()
        let steps = (0..<5).map { t in block(x[.all, t..<(t + 1)], cache: cache) }
        assertClose(concatenate(steps, axis: 1), full, tolerance: 1e-5)
    }
}

extension TransformerBlockTests {
    func testTheREADMEExample() {
        var rng = SeededGenerator(seed: 0)
        let block = TransformerBlock<Float>(hiddenDim: 64, numHeads: 4, ffnDim: 256, dropout: 0, using: &rng)
        let x = NDArray<Float>.normal([2, 8, 64], using: &rng)
        let (y, weights) = block.forwardWithWeights(x, mask: createCausalMask(seqLen: 8))
        XCTAssertEqual(y.shape, [2, 8, 64])
        XCTAssertEqual(weights.shape, [2, 4, 8, 8])
        XCTAssertEqual(block.namedParameters.first?.name, "ln1.weight")
        assertClose(weights.sum(axis: -1), .ones([2, 4, 8]), tolerance: 1e-6)
    }
}
