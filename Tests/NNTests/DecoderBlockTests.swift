// DecoderBlockTests.swift — the decoder layer, with cross-attention, against PyTorch.
//
// After reading this file you should know that a decoder block adds
// cross-attention from the target (T tokens) to the encoder's output (S
// tokens), whose weights are [B, NH, T, S], and that the source's padding gets
// no weight at all.

import NDArray
import NN
import TestSupport
import XCTest

final class DecoderBlockTests: XCTestCase {
    func testDecoderMatchesPyTorchsDecoderLayer() {
        // nn.TransformerDecoderLayer(norm_first: True / False): causal target mask, padded source.
        for placement in NormPlacement.allCases {
            let fixture = TorchFixture("decoder_\(placement)")
            var rng = generator()
            let block = DecoderBlock<Float>(hiddenDim: 16, numHeads: 4, ffnDim: 32, dropout: 0,
                                            normPlacement: placement, activation: .gelu, attentionBias: true, using: &rng)
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

    func testDecoderParameterNames() {
        var rng = generator()
        let names = DecoderBlock<Float>(hiddenDim: 8, numHeads: 2, ffnDim: 16, attentionBias: true, using: &rng).namedParameters.map(\.name)
        XCTAssertEqual(names.filter { $0.hasPrefix("crossAttn.") }, ["crossAttn.qkv.weight", "crossAttn.qkv.bias",
                                                                   "crossAttn.proj.weight", "crossAttn.proj.bias"])
        XCTAssertEqual(names.count, 6 + 4 + 4 + 4)   // three norms, two attentions, the feed-forward network
    }
}
