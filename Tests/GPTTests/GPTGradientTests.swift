// GPTGradientTests.swift — the whole GPT's gradients: against finite differences, and against PyTorch.
//
// After reading this file you should know that every parameter of a GPT gets
// the gradient the definition of a derivative gives (in Double, for learned,
// sinusoidal and rotary positions, tied or not), and that on a GPT-2 made by
// transformers the loss and every gradient match PyTorch's autograd in Float.

import Backprop
import Foundation
import GPT
import NDArray
import NN
import TestSupport
import XCTest

final class GPTGradientTests: XCTestCase {
    func testEveryGradientMatchesFiniteDifferences() {
        let configs: [(PositionEncodingKind, Bool, NormPlacement, FeedForwardVariant)] = [
            (.learned, true, .pre, .standard), (.rotary, false, .pre, .swiglu), (.sinusoidal, true, .post, .standard),
        ]
        for (positions, tied, placement, variant) in configs {
            var rng = SeededGenerator(seed: 3)
            let config = GPTConfig(vocabSize: 11, maxSeqLen: 8, numLayers: 2, numHeads: 2, hiddenDim: 8, ffnDim: 12,
                                   dropout: 0, positionEncoding: positions, normPlacement: placement,
                                   ffnVariant: variant, tieWeights: tied)
            let model = GPTModel<Double>(config: config, using: &rng)
            model.updateParameters { name, value in                       // larger weights: sharper gradients
                value = name.contains("ln") ? value + NDArray<Double>.normal(value.shape, using: &rng) * 0.3
                    : value * 20 + NDArray<Double>.normal(value.shape, using: &rng) * 0.05
            }
            let inputs = NDArray<Int>([[1, 5, 2, 9, 3], [4, 4, 10, 0, 7]])
            let targets = NDArray<Int>([[5, 2, 9, 3, -100], [4, 10, 0, 7, 6]])     // one ignored position
            var gradients = Gradients(zerosFor: model)
            let loss = model.lossAndGradients(inputIds: inputs, targets: targets, into: &gradients)
            XCTAssertEqual(loss, model.computeLoss(inputIds: inputs, targets: targets), accuracy: 1e-12)
            let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.0, $0.1) })
            let analytic = Dictionary(uniqueKeysWithValues: gradients.names.map { ($0, gradients[$0]!) })
            let results = checkGradients(parameters, analytic: analytic) { v in
                model.updateParameters { name, value in value = v[name]! }
                return model.computeLoss(inputIds: inputs, targets: targets)
            }
            model.updateParameters { name, value in value = parameters[name]! }
            XCTAssertEqual(results.count, model.namedParameters.count)
            for result in results {
                XCTAssertLessThanOrEqual(result.maxError, 1e-6, "\(positions), tied \(tied), \(placement): \(result)")
            }
        }
    }

    func testLossAndEveryGradientMatchPyTorch() throws {
        // transformers' GPT2LMHeadModel(tokens, labels=tokens): the loss and autograd's gradients.
        let model = try GPTModel<Float>.load(from: fixtureURL("gpt2_tiny"))
        let tokens: NDArray<Int> = fixture("gpt2_tiny_grads/tokens")
        let n = tokens.shape[1]
        var gradients = Gradients(zerosFor: model)
        let loss = model.lossAndGradients(inputIds: tokens[.all, 0..<(n - 1)].contiguous(),
                                          targets: tokens[.all, 1..<n].contiguous(), into: &gradients)
        let expectedLoss: NDArray<Float> = fixture("gpt2_tiny_grads/loss")
        XCTAssertEqual(loss, Double(expectedLoss.item()), accuracy: 1e-5 * Double(expectedLoss.item()))
        for name in gradients.names {
            let expected: NDArray<Float> = fixture("gpt2_tiny_grads/" + name)
            let actual = gradients[name]!
            XCTAssertEqual(actual.shape, expected.shape, name)
            // Relative to the gradient's largest element: tiny entries of a gradient need no tighter match.
            let scale = expected.scalars.map { Double(Swift.abs($0)) }.max()!
            let worst = zip(actual.scalars, expected.scalars).map { Double(Swift.abs($0 - $1)) }.max()!
            XCTAssertGreaterThan(scale, 0, name)
            XCTAssertLessThanOrEqual(worst / scale, 1e-4, "\(name): worst difference \(worst), largest gradient \(scale)")
        }
    }

    func testTheTrainingForwardIsTheForward() {
        // lossAndGradients runs the model's one forward pass (keeping what the backward reads): its loss
        // is computeLoss's to the bit, for every position kind and norm placement.
        for positions in PositionEncodingKind.allCases {
            for placement in NormPlacement.allCases {
                var rng = SeededGenerator(seed: 4)
                let config = GPTConfig(vocabSize: 11, maxSeqLen: 8, numLayers: 2, numHeads: 2, hiddenDim: 8,
                                       positionEncoding: positions, normPlacement: placement)
                let model = GPTModel<Float>(config: config, using: &rng)
                model.eval()
                let x = NDArray<Int>([[1, 2, 3, 4], [5, 6, 7, 8]]), y = NDArray<Int>([[2, 3, 4, 5], [6, 7, 8, 9]])
                var gradients = Gradients(zerosFor: model)
                let loss = model.lossAndGradients(inputIds: x, targets: y, into: &gradients)
                XCTAssertEqual(loss, model.computeLoss(inputIds: x, targets: y), "\(positions), \(placement)")
            }
        }
    }

    func testWithDropoutTheTrainingForwardDrawsTheForwardsMasks() {
        // In training mode, with dropout: from the same dropout streams, lossAndGradients's forward and
        // computeLoss's draw the same masks and give the same loss, bit for bit.
        var rng = SeededGenerator(seed: 6)
        let config = GPTConfig(vocabSize: 11, maxSeqLen: 8, numLayers: 2, numHeads: 2, hiddenDim: 8, dropout: 0.3)
        let model = GPTModel<Float>(config: config, using: &rng)
        let dropouts = [model.embeddingDropout] + model.blocks.flatMap {
            [$0.attn.attention.dropout, $0.attn.residualDropout, $0.ffn.dropout]
        }
        let streams = dropouts.map(\.generator)
        let x = NDArray<Int>([[1, 2, 3, 4], [5, 6, 7, 8]]), y = NDArray<Int>([[2, 3, 4, 5], [6, 7, 8, 9]])
        let plain = model.computeLoss(inputIds: x, targets: y)
        for (dropout, stream) in zip(dropouts, streams) { dropout.generator = stream }
        var gradients = Gradients(zerosFor: model)
        XCTAssertEqual(model.lossAndGradients(inputIds: x, targets: y, into: &gradients), plain)
        model.eval()
        XCTAssertNotEqual(model.computeLoss(inputIds: x, targets: y), plain)    // the masks did change the loss
    }

    func testGradientsAccumulateUntilZeroed() {
        var rng = SeededGenerator(seed: 1)
        let model = GPTModel<Float>(vocabSize: 11, maxSeqLen: 8, numLayers: 1, numHeads: 2, hiddenDim: 8, ffnDim: 32, dropout: 0,
                                    using: &rng)
        let x = NDArray<Int>([[1, 2, 3]]), y = NDArray<Int>([[2, 3, 4]])
        var gradients = Gradients(zerosFor: model)
        _ = model.lossAndGradients(inputIds: x, targets: y, into: &gradients)
        let once = gradients["blocks.0.attn.qkv.weight"]!
        _ = model.lossAndGradients(inputIds: x, targets: y, into: &gradients)
        XCTAssertEqual(gradients.accumulatedBackwards, 2)
        assertClose(gradients["blocks.0.attn.qkv.weight"]!, once * 2, tolerance: 1e-6)
    }

    func testTwoHalfMicroBatchesEqualOneBatch() {
        // Gradient accumulation: each micro-batch's loss scaled by ½ adds up to the big batch's gradient.
        var rng = SeededGenerator(seed: 2)
        let model = GPTModel<Double>(vocabSize: 11, maxSeqLen: 8, numLayers: 1, numHeads: 2, hiddenDim: 8, ffnDim: 32, dropout: 0,
                                     using: &rng)
        let x = NDArray<Int>([[1, 2, 3, 4], [5, 6, 7, 8]]), y = NDArray<Int>([[2, 3, 4, 5], [6, 7, 8, 9]])
        var whole = Gradients(zerosFor: model), parts = Gradients(zerosFor: model)
        let loss = model.lossAndGradients(inputIds: x, targets: y, into: &whole)
        let first = model.lossAndGradients(inputIds: x[0..<1].contiguous(), targets: y[0..<1].contiguous(), lossScale: 0.5,
                                           into: &parts)
        let second = model.lossAndGradients(inputIds: x[1..<2].contiguous(), targets: y[1..<2].contiguous(), lossScale: 0.5,
                                            into: &parts)
        XCTAssertEqual(loss, (first + second) / 2, accuracy: 1e-12)
        for name in whole.names { assertClose(parts[name]!, whole[name]!, tolerance: 1e-12, name) }
        XCTAssertEqual(parts.accumulatedBackwards, 2)
    }

    func testTheEncoderDecodersGradientsMatchFiniteDifferences() {
        // Pre-norm (post-norm blocks are checked one by one in BackpropTests): the model's own wiring.
        let placement = NormPlacement.pre
        var rng = SeededGenerator(seed: 8)
        let config = EncoderDecoderConfig(srcVocabSize: 7, tgtVocabSize: 9, maxSeqLen: 8, numEncoderLayers: 1,
                                          numDecoderLayers: 2, numHeads: 2, hiddenDim: 4, ffnDim: 6, dropout: 0,
                                          normPlacement: placement)
        let model = EncoderDecoderTransformer<Double>(config: config, using: &rng)
        model.updateParameters { name, value in
            if name.hasSuffix("bias") || name.contains("Norm") || name.contains(".ln") {
                value = value + NDArray<Double>.normal(value.shape, using: &rng) * 0.3
            }
        }
        let src = NDArray<Int>([[3, 4, 5, 6, 2], [5, 6, 1, 0, 0]])           // row 1 padded after 3 tokens
        let tgtIn = NDArray<Int>([[1, 4, 5, 6], [1, 7, 8, 0]])
        let targets = NDArray<Int>([[4, 5, 6, 2], [7, 8, 2, -100]])
        var gradients = Gradients(zerosFor: model)
        let loss = model.lossAndGradients(src: src, tgtIn: tgtIn, targets: targets, into: &gradients)
        func evaluate() -> Double { crossEntropy(logits: model(src: src, tgt: tgtIn), targets: targets) }
        XCTAssertEqual(loss, evaluate(), accuracy: 1e-12)
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.0, $0.1) })
        let analytic = Dictionary(uniqueKeysWithValues: gradients.names.map { ($0, gradients[$0]!) })
        let results = checkGradients(parameters, analytic: analytic) { v in
            model.updateParameters { name, value in value = v[name]! }
            return evaluate()
        }
        model.updateParameters { name, value in value = parameters[name]! }
        XCTAssertEqual(results.count, model.namedParameters.count)
        for result in results {
            XCTAssertLessThanOrEqual(result.maxError, 1e-6, "\(placement): \(result)")
        }
        // A padded source token gets no gradient: its embedding row (id 0) is untouched.
        XCTAssertEqual(gradients["srcEmbedding.weight"]![0], .zeros([4]))
    }
}
