// EncoderDecoderBlockTests.swift — the encoder and decoder layers of an encoder-decoder transformer.
//
// After reading this file you should know that an encoder block is a
// transformer block with a padding mask (it looks both ways), and that a
// decoder block adds cross-attention from the target (T tokens) to the
// encoder's output (S tokens), whose weights are [B, NH, T, S].

import NDArray
import NN
import XCTest

final class EncoderDecoderBlockTests: XCTestCase {
    func testDecoderMatchesPyTorchsDecoderLayer() {
        // nn.TransformerDecoderLayer(norm_first: True / False): causal target mask, padded source.
        for placement in NormPlacement.allCases {
            let fixture = TorchFixture("decoder_\(placement)")
            var rng = generator()
            let block = DecoderBlock<Float>(hiddenDim: 16, numHeads: 4, ffnDim: 32, dropout: 0,
                                            normPlacement: placement, activation: .gelu, using: &rng)
            fixture.load(into: block)
            let target: NDArray<Float> = fixture["input"], memory: NDArray<Float> = fixture["memory"]
            let (output, selfWeights, crossWeights) = block.forwardWithWeights(
                target, memory: memory, mask: createCausalMask(seqLen: 4), memoryMask: fixture["memory_mask"])
            assertClose(output, fixture["output"], tolerance: 5e-6, "\(placement)")
            XCTAssertEqual(selfWeights.shape, [2, 4, 4, 4])
            XCTAssertEqual(crossWeights.shape, [2, 4, 4, 7])
            XCTAssertEqual(crossWeights[1, .all, .all, 5..<7], .zeros([4, 4, 2]), "the source's padding gets no weight")
        }
    }

    func testEncoderLooksBothWaysButNotAtPadding() {
        var rng = generator(1)
        let encoder = EncoderBlock<Float>(hiddenDim: 16, numHeads: 4, ffnDim: 32, dropout: 0, using: &rng)
        var source = randomArray([1, 4, 16], seed: 2)
        let mask: NDArray<Float> = createPaddingMask(seqLengths: [3], maxLen: 4)
        let before = encoder(source, mask: mask)
        source[0, 2] = randomArray([16], seed: 3)
        let after = encoder(source, mask: mask)
        XCTAssertNotEqual(after[0, 0], before[0, 0], "token 0 sees token 2: no causal mask")
        source[0, 3] = randomArray([16], seed: 4)
        XCTAssertEqual(encoder(source, mask: mask)[0, 0..<3], after[0, 0..<3], "nobody sees the padding")
    }

    func testDecoderParameterNames() {
        var rng = generator()
        let names = DecoderBlock<Float>(hiddenDim: 8, numHeads: 2, ffnDim: 16, using: &rng).namedParameters.map(\.name)
        XCTAssertEqual(names.filter { $0.hasPrefix("crossAttn.") }, ["crossAttn.qkv.weight", "crossAttn.qkv.bias",
                                                                   "crossAttn.proj.weight", "crossAttn.proj.bias"])
        XCTAssertEqual(names.count, 6 + 4 + 4 + 4)   // three norms, two attentions, the feed-forward network
    }
}
