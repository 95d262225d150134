// GPTModelTests.swift — the model: its parameters, its forward pass, its loss.
//
// After reading this file you should know how many parameters a GPT has and
// where they are, that logit [b, t] depends only on tokens 0…t, what the
// hidden states and attention weights look like, and how the loss is shifted.
//
// Rebuild it yourself: Exercises/Sources/20-gpt-forward, Exercises/Sources/21-cross-entropy (docs/Exercises.md).

import Foundation
import GPT
import NDArray
import NN
import TestSupport
import XCTest

final class GPTModelTests: XCTestCase {
    func testParameterCountIsTheFormula() {
        // wte V·C + wpe T·C + L blocks of 12C² + 13C + lnF 2C; tying stores the output projection once.
        let (v, t, c, l) = (23, 16, 32, 2)
        let tied = smallModel()
        XCTAssertEqual(tied.numParameters(), v * c + t * c + l * (12 * c * c + 13 * c) + 2 * c)
        XCTAssertEqual(tied.numParameters(excludingPositions: true), tied.numParameters() - t * c)
        XCTAssertEqual(tied.numParameters(), tied.namedParameters.map { $0.1.count }.reduce(0, +))
        XCTAssertNil(tied.parameter(named: "lmHead.weight"))
        let untied = smallModel(tieWeights: false)
        XCTAssertEqual(untied.numParameters(), tied.numParameters() + v * c)
        XCTAssertEqual(smallModel(.rotary).numParameters(), tied.numParameters() - t * c)   // no table
    }

    func testGPT2SmallHas124MParameters() {
        // Hugging Face's GPT2LMHeadModel has 124,439,808 parameters (zeros: nothing is drawn, it is quick).
        var zeros = SeededGenerator(seed: 0)
        let gpt2 = GPTModel<Float>(config: .gpt2Small, initialization: .zeros, using: &zeros)
        XCTAssertEqual(gpt2.numParameters(), 124_439_808)
        XCTAssertEqual(gpt2.parameter(named: "blocks.11.attn.qkv.weight")?.shape, [2304, 768])
        XCTAssertEqual(GPTConfig.preset(named: "gpt2-xl")?.numHeads, 25)
        XCTAssertEqual(GPTConfig.shakespeareChar.maxSeqLen, 64)
        XCTAssertEqual(GPTConfig.shakespeareChar.numLayers, 4)
    }

    func testLiteTorchsPresetsHaveLiteTorchsParameterCounts() {
        // LiteTorch's GPTModel counts 2VC + TC + L(4C² + 2CF + F + 5C) + 2C: an untied head, attention
        // without biases. Its code, run on each row of its guide's table, gives these counts.
        func liteTorchCount(_ c: GPTConfig) -> Int {
            let (v, t, l, d, f) = (c.vocabSize, c.maxSeqLen, c.numLayers, c.hiddenDim, c.ffnDim)
            return 2 * v * d + t * d + l * (4 * d * d + 2 * d * f + f + 5 * d) + 2 * d
        }
        for (name, count) in [("tiny", 59_264), ("small", 335_232), ("medium", 4_634_112), ("large", 14_716_416)] {
            let config = GPTConfig.preset(named: name)!
            XCTAssertEqual(liteTorchCount(config), count, name)
            var zeros = SeededGenerator(seed: 0)
            let model = GPTModel<Float>(config: config, initialization: .zeros, using: &zeros)
            XCTAssertEqual(model.numParameters(), count, name)
            XCTAssertEqual(model.namedParameters.map { $0.1.count }.reduce(0, +), count, name)
            XCTAssertNil(model.parameter(named: "blocks.0.attn.qkv.bias"), name)        // LiteTorch's W_q… have no bias
            XCTAssertNotNil(model.parameter(named: "blocks.0.ffn.up.bias"), name)       // its W1 has b1
            XCTAssertEqual(model.parameter(named: "lmHead.weight")?.shape, [config.vocabSize, config.hiddenDim], name)
        }
    }

    func testLiteTorchsSignatureBuildsLiteTorchsModel() {
        // LiteTorch's test_gpt_parameter_count builds GPTModel(1000, 128, 2, 4, 64, 256): 235,776 parameters
        // there and here. GPT-2's choices (a tied head, attention biases) give 172,288 for the same sizes.
        var rng = SeededGenerator(seed: 0)
        let liteTorch = GPTModel<Float>(vocabSize: 1000, maxSeqLen: 128, numLayers: 2, numHeads: 4, hiddenDim: 64,
                                        ffnDim: 256, using: &rng)
        XCTAssertEqual(liteTorch.numParameters(), 235_776)
        XCTAssertEqual(liteTorch.config, .liteTorch(vocabSize: 1000, maxSeqLen: 128, numLayers: 2, numHeads: 4,
                                                     hiddenDim: 64, ffnDim: 256))
        let gpt2Style = GPTModel<Float>(config: GPTConfig(vocabSize: 1000, maxSeqLen: 128, numLayers: 2, numHeads: 4,
                                                          hiddenDim: 64, ffnDim: 256), using: &rng)
        XCTAssertEqual(gpt2Style.numParameters(), 172_288)
        // LiteTorch's defaults: GPT-2 small's sizes with ffn_dim 3072 whatever the width.
        let defaults = GPTConfig.liteTorch()
        XCTAssertEqual([defaults.vocabSize, defaults.maxSeqLen, defaults.numLayers, defaults.numHeads,
                        defaults.hiddenDim, defaults.ffnDim], [50257, 1024, 12, 12, 768, 3072])
        XCTAssertEqual(defaults.dropout, 0.1)
        XCTAssertEqual(GPTConfig.liteTorch(hiddenDim: 64).ffnDim, 3072)
    }

    func testAConfigWithoutAttentionBiasRoundTripsAndOldConfigsStillLoad() throws {
        let encoded = try JSONEncoder().encode(GPTConfig.tiny)
        XCTAssertEqual(try JSONDecoder().decode(GPTConfig.self, from: encoded), .tiny)
        // A config.json written before attentionBias existed: the attention follows `bias`, as it did then.
        var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(GPTConfig.gpt2Small)) as! [String: Any]
        old["attentionBias"] = nil
        let decoded = try JSONDecoder().decode(GPTConfig.self, from: JSONSerialization.data(withJSONObject: old))
        XCTAssertNil(decoded.attentionBias)
        XCTAssertEqual(decoded, .gpt2Small)
        var zeros = SeededGenerator(seed: 0)
        let model = GPTModel<Float>(config: decoded, initialization: .zeros, using: &zeros)
        XCTAssertEqual(model.parameter(named: "blocks.0.attn.qkv.bias")?.shape, [2304])
        XCTAssertEqual(model.numParameters(), 124_439_808)                    // GPT-2's, biases and all
    }

    func testForwardCheckingThrowsWhereLiteTorchRaises() {
        let model = smallModel()                                   // context 16, V = 23
        XCTAssertThrowsError(try model.forward(checking: NDArray<Int>.zeros([1, 17]))) { error in
            XCTAssertEqual(error as? GPTInputError, .sequenceTooLong(length: 17, maxSeqLen: 16))
            XCTAssertEqual("\(error)", "sequence length 17 exceeds maxSeqLen 16: crop it to the last 16 tokens")
        }
        XCTAssertThrowsError(try model.forward(checking: NDArray<Int>([[1, 2], [3, 23]]))) { error in
            XCTAssertEqual(error as? GPTInputError, .idOutOfRange(id: 23, position: [1, 1], vocabSize: 23))
        }
        XCTAssertThrowsError(try model.forward(checking: NDArray<Int>([1, 2]))) { error in
            XCTAssertEqual(error as? GPTInputError, .notABatch(shape: [2]))
        }
        let ids = NDArray<Int>([[3, 1, 4]])
        XCTAssertEqual(try model.forward(checking: ids), model(ids))
    }

    func testTheSameSeedGivesTheSameWeights() {
        let a = smallModel(seed: 5), b = smallModel(seed: 5), c = smallModel(seed: 6)
        XCTAssertEqual(a.namedParameters.map { $0.1 }, b.namedParameters.map { $0.1 })
        XCTAssertNotEqual(a.wte.weight, c.wte.weight)
    }

    func testGPT2Initialisation() {
        var rng = SeededGenerator(seed: 3)
        let model = GPTModel<Float>(config: GPTConfig(vocabSize: 500, maxSeqLen: 64, numLayers: 4, numHeads: 4,
                                                      hiddenDim: 64), using: &rng)
        func std(_ name: String) -> Double {
            let x = model.parameter(named: name)!.scalars.map(Double.init)
            let mean = x.reduce(0, +) / Double(x.count)
            return (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count)).squareRoot()
        }
        XCTAssertEqual(std("wte.weight"), 0.02, accuracy: 0.001)
        XCTAssertEqual(std("blocks.0.ffn.up.weight"), 0.02, accuracy: 0.001)
        XCTAssertEqual(std("blocks.0.attn.proj.weight"), 0.02 / 8.0.squareRoot(), accuracy: 0.0005)   // 2L = 8
        XCTAssertEqual(model.parameter(named: "blocks.1.attn.qkv.bias")!, .zeros([192]))
        XCTAssertEqual(model.parameter(named: "blocks.1.ln1.weight")!, .ones([64]))
    }

    func testLogitsDependOnlyOnEarlierTokens() {
        for kind in PositionEncodingKind.allCases {
            let model = smallModel(kind)
            let a = NDArray<Int>([[3, 1, 4, 1, 5, 9, 2, 6]])
            var changed = a
            changed[0, 5] = 7                                     // a later token changes…
            let la = model(a), lb = model(changed)
            assertClose(lb[.all, 0..<5], la[.all, 0..<5], tolerance: 0, "\(kind)")   // …earlier logits do not
            XCTAssertNotEqual(lb[.all, 5..<8], la[.all, 5..<8], "\(kind)")
        }
    }

    func testBatchRowsAreIndependent() {
        let model = smallModel()
        let batch = model(NDArray<Int>([[3, 1, 4, 1], [5, 9, 2, 6]]))
        assertClose(batch[1 ..< 2], model(NDArray<Int>([[5, 9, 2, 6]])), tolerance: 1e-6)
    }

    func testHiddenStatesAndAttentions() {
        let model = smallModel()
        let ids = NDArray<Int>([[3, 1, 4, 1, 5]])
        let out = model.forward(ids, outputHiddenStates: true, outputAttentions: true)
        XCTAssertEqual(out.hiddenStates.count, 3)                                  // embeddings + 2 blocks
        assertClose(out.hiddenStates[0], model.wte(ids) + model.wpe!(seqLen: 5), tolerance: 0)
        assertClose(model.project(out.hiddenStates[2]), out.logits, tolerance: 1e-6)          // the last is after lnF
        XCTAssertEqual(out.attentions.map(\.shape), [[1, 4, 5, 5], [1, 4, 5, 5]])
        let weights = out.attentions[1]
        assertClose(weights.sum(axis: -1), .ones([1, 4, 5]), tolerance: 1e-6)    // rows are distributions
        XCTAssertEqual(weights[0, 2, 1, 2].item(), 0)                              // query 1 cannot see key 2
    }

    func testLastLogitsOnlyIsTheLastRow() {
        let model = smallModel()
        let ids = NDArray<Int>([[3, 1, 4, 1, 5], [2, 7, 1, 8, 2]])
        assertClose(model.forward(ids, lastLogitsOnly: true).logits, model(ids)[.all, 4..<5], tolerance: 1e-6)
    }

    func testCrossEntropyMatchesPyTorch() {
        // F.cross_entropy([[1, 2, 3], [0.5, -1, 2]], [2, -100]) = 0.407606 (the second row is ignored);
        // label_smoothing=0.1: 0.507606; targets [2, 0] with smoothing 0.2: 1.174459.
        let logits = NDArray<Float>([[1, 2, 3], [0.5, -1, 2]])
        XCTAssertEqual(crossEntropy(logits: logits, targets: NDArray<Int>([2, -100])), 0.40760595, accuracy: 1e-6)
        XCTAssertEqual(crossEntropy(logits: logits, targets: NDArray<Int>([2, -100]), labelSmoothing: 0.1),
                       0.50760591, accuracy: 1e-6)
        XCTAssertEqual(crossEntropy(logits: logits, targets: NDArray<Int>([2, 0]), labelSmoothing: 0.2),
                       1.17445862, accuracy: 1e-6)
        XCTAssertTrue(crossEntropy(logits: logits, targets: NDArray<Int>([-100, -100])).isNaN)
    }

    func testComputeLossShiftsWithoutWrapAround() {
        let model = smallModel()
        let tokens = NDArray<Int>([[3, 1, 4, 1, 5, 9], [2, 6, 5, 3, 5, 8]])
        let logits = model(tokens[.all, 0..<5].contiguous()).scalars.map(Double.init)   // [2, 5, 23]
        // By hand: position t of row b predicts tokens[b, t + 1]; the last token is never an input.
        var total = 0.0
        for b in 0..<2 {
            for t in 0..<5 {
                let row = Array(logits[((b * 5 + t) * 23)..<((b * 5 + t + 1) * 23)])
                let logSum = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +))
                total += logSum - row[tokens[b, t + 1].item()]
            }
        }
        XCTAssertEqual(model.computeLoss(tokens), total / 10, accuracy: 1e-5)
        XCTAssertEqual(model.perplexity(tokens), Foundation.exp(total / 10), accuracy: 1e-3)
        // Explicit targets with one ignored position: the mean is over the other nine.
        var targets = tokens[.all, 1..<6].contiguous()
        targets[1, 4] = -100
        let nine = model.computeLoss(inputIds: tokens[.all, 0..<5].contiguous(), targets: targets)
        let row = Array(logits[(9 * 23)..<(10 * 23)])
        let last = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +)) - row[8]
        XCTAssertEqual(nine, (total - last) / 9, accuracy: 1e-5)
    }

    func testSummaryListsEveryParameterAndTheMemory() {
        let model = smallModel()
        let summary = model.summary()
        XCTAssertTrue(summary.contains("blocks.1.ffn.down.weight"), summary)
        XCTAssertTrue(summary.contains("[32, 128]"), summary)
        XCTAssertTrue(summary.contains("total parameters: 26,720"), summary)
        // KV cache: 2 (k, v) × L × C floats = 2 × 2 × 32 × 4 bytes = 512 bytes per token.
        XCTAssertTrue(summary.contains("KV cache per token: 512 B"), summary)
        XCTAssertTrue(summary.contains("wte.weight (tied: also the output projection)"), summary)
        // The columns line up whatever the longest name: every shape starts where the header's "shape" does,
        // and every count where "count" does (the tied row's long label once pushed them out).
        let lines = summary.split(separator: "\n").map(String.init)
        let header = try! XCTUnwrap(lines.first { $0.hasPrefix("name") })
        let shapeColumn = header.distance(from: header.startIndex, to: header.range(of: "shape")!.lowerBound)
        let countColumn = header.distance(from: header.startIndex, to: header.range(of: "count")!.lowerBound)
        let first = lines.firstIndex(of: header)! + 1
        let rows = Array(lines[first..<(first + model.namedParameters.count)])
        XCTAssertTrue(lines[first + rows.count].hasPrefix("total parameters"))
        for row in rows {
            let characters = Array(row)
            guard characters.count > countColumn else { XCTFail("a short row: \(row)"); continue }
            XCTAssertEqual(characters[shapeColumn], "[", row)
            XCTAssertEqual(characters[shapeColumn - 1], " ", row)
            XCTAssertTrue(characters[countColumn].isNumber && characters[countColumn - 1] == " ", row)
        }
    }
}
