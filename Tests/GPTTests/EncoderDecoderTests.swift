// EncoderDecoderTests.swift — the original transformer, checked against the same model in PyTorch.
//
// After reading this file you should know how the encoder's padding mask, the
// decoder's causal-plus-padding mask and cross-attention fit together: with
// PyTorch's weights (nn.TransformerEncoderLayer / nn.TransformerDecoderLayer,
// pre-norm) our memory and logits match, for a source and target of different
// lengths, and greedy decoding writes the same tokens.

import Foundation
import GPT
import NDArray
import NN
import TestSupport
import XCTest

final class EncoderDecoderTests: XCTestCase {
    /// The model of scripts/make_gpt_fixtures.py, with its weights loaded by our parameter names.
    func pytorchModel() -> EncoderDecoderTransformer<Float> {
        var rng = SeededGenerator(seed: 0)
        let config = EncoderDecoderConfig(srcVocabSize: 11, tgtVocabSize: 13, maxSeqLen: 32, numEncoderLayers: 2,
                                          numDecoderLayers: 2, numHeads: 4, hiddenDim: 16, ffnDim: 32, dropout: 0.1)
        let model = EncoderDecoderTransformer<Float>(config: config, using: &rng)
        var loaded = 0
        model.updateParameters { name, value in
            let array: NDArray<Float> = fixture("seq2seq/" + name)
            XCTAssertEqual(array.shape, value.shape, name)
            value = array
            loaded += 1
        }
        let files = try! FileManager.default.contentsOfDirectory(atPath: fixtureURL("seq2seq").path)
        let data: Set = ["src.npy", "tgt.npy", "logits.npy", "memory.npy", "greedy.npy"]
        XCTAssertEqual(loaded, files.filter { !data.contains($0) }.count)      // every weight file was used
        model.eval()
        return model
    }

    func testMemoryAndLogitsMatchPyTorch() {
        let model = pytorchModel()
        let src: NDArray<Int> = fixture("seq2seq/src"), tgt: NDArray<Int> = fixture("seq2seq/tgt")
        XCTAssertNotEqual(src.shape[1], tgt.shape[1])                          // different lengths
        let memory = model.encode(src)
        let expectedMemory: NDArray<Float> = fixture("seq2seq/memory")
        for b in 0..<2 {                                                       // real source positions only
            for s in 0..<src.shape[1] where src[b, s].item() != 0 {
                assertClose(memory[b, s], expectedMemory[b, s], tolerance: 1e-5, "memory [\(b), \(s)]")
            }
        }
        assertClose(model(src: src, tgt: tgt), fixture("seq2seq/logits"), tolerance: 1e-5)
    }

    func testGreedyDecodingWritesPyTorchsTokens() {
        let model = pytorchModel()
        let src: NDArray<Int> = fixture("seq2seq/src")
        let sources = (0..<2).map { b in (0..<src.shape[1]).map { src[b, $0].item() }.filter { $0 != 0 } }
        let greedy: NDArray<Int> = fixture("seq2seq/greedy")
        let expected = (0..<2).map { b -> [Int] in
            let row = (0..<greedy.shape[1]).map { greedy[b, $0].item() }
            return row.firstIndex(of: 2).map { Array(row[...$0]) } ?? row     // up to EOS (2), then PyTorch padded
        }
        var config = GenerationConfig.greedy(maxNewTokens: 8)
        XCTAssertEqual(model.generate(src: sources, bos: 1, eos: 2, config: config), expected)
        config.useCache = false
        XCTAssertEqual(model.generate(src: sources, bos: 1, eos: 2, config: config), expected)
    }

    func testBeamSearchWithTheCacheEqualsItWithout() {
        let model = pytorchModel()
        var config = GenerationConfig.beamSearch(numBeams: 3, maxNewTokens: 8)
        let cached = model.generate(src: [[3, 4, 5, 6], [7, 8, 9]], bos: 1, eos: 2, config: config)
        config.useCache = false
        XCTAssertEqual(model.generate(src: [[3, 4, 5, 6], [7, 8, 9]], bos: 1, eos: 2, config: config), cached)
        config.numBeams = 1
        XCTAssertEqual(model.generate(src: [[3, 4, 5, 6]], bos: 1, eos: 2, config: config),
                       model.generate(src: [[3, 4, 5, 6]], bos: 1, eos: 2, config: .greedy(maxNewTokens: 8)))
    }

    func testTheSourcePaddingIsInvisible() {
        // A source padded with extra pads gives the same logits as without them.
        let model = pytorchModel()
        let tgt = NDArray<Int>([[1, 5, 6]])
        assertClose(model(src: NDArray<Int>([[3, 4, 5, 0, 0]]), tgt: tgt), model(src: NDArray<Int>([[3, 4, 5]]), tgt: tgt),
                    tolerance: 1e-6)
    }
}
