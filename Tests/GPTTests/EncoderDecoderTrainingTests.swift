// EncoderDecoderTrainingTests.swift — the encoder-decoder learns a task whose source and target lengths differ.
//
// After reading this file you should know how an encoder-decoder is trained
// with teacher forcing (the decoder reads BOS + the target, and predicts the
// target + EOS), and that it learns to reverse a sequence and keep every
// second symbol: "3 7 5 9 4 8" → "8 9 7", exactly, on sequences it never saw.

import Backprop
import Foundation
import GPT
import NDArray
import NN
import XCTest

final class EncoderDecoderTrainingTests: XCTestCase {
    let (pad, bos, eos) = (0, 1, 2)
    let symbols = 3..<9                                                   // six symbols

    /// The task: reverse, then keep positions 0, 2, 4, …  (6 symbols in, 3 out; 5 in, 3 out; 4 in, 2 out).
    func answer(_ source: [Int]) -> [Int] {
        source.reversed().enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
    }

    func randomSource(using rng: inout SeededGenerator) -> [Int] {
        (0..<(4 + Int(rng.next(below: 3)))).map { _ in symbols.lowerBound + Int(rng.next(below: UInt64(symbols.count))) }
    }

    /// Sources padded to the longest, decoder inputs (BOS + answer) and targets (answer + EOS, ignored past it).
    func batch(_ sources: [[Int]]) -> (src: NDArray<Int>, tgtIn: NDArray<Int>, targets: NDArray<Int>) {
        let s = sources.map(\.count).max()!, t = sources.map { answer($0).count }.max()! + 1
        var src: [Int] = [], tgtIn: [Int] = [], targets: [Int] = []
        for source in sources {
            let out = answer(source)
            src += source + Array(repeating: pad, count: s - source.count)
            tgtIn += [bos] + out + Array(repeating: pad, count: t - 1 - out.count)
            targets += out + [eos] + Array(repeating: -100, count: t - 1 - out.count)
        }
        return (NDArray(shape: [sources.count, s], scalars: src), NDArray(shape: [sources.count, t], scalars: tgtIn),
                NDArray(shape: [sources.count, t], scalars: targets))
    }

    func testItLearnsToReverseAndShortenToExactMatchOnHeldOutSequences() {
        var rng = SeededGenerator(seed: 7)
        var heldOut: [[Int]] = []
        while heldOut.count < 40 {
            let source = randomSource(using: &rng)
            if !heldOut.contains(source) { heldOut.append(source) }
        }
        let config = EncoderDecoderConfig(srcVocabSize: 9, tgtVocabSize: 9, maxSeqLen: 8, numEncoderLayers: 1,
                                          numDecoderLayers: 1, numHeads: 2, hiddenDim: 32, ffnDim: 64, dropout: 0)
        let model = EncoderDecoderTransformer<Float>(config: config, using: &rng)
        var optimizer = Adam<Float>.adamW(learningRate: 0, weightDecay: 0.01)
        let schedule = LearningRateSchedule.warmupCosine(maxLR: 1e-2, warmupSteps: 20, decaySteps: 300, minLR: 1e-3)
        var gradients = Gradients(zerosFor: model)
        var losses: [Double] = []
        for step in 0..<300 {
            var sources: [[Int]] = []
            while sources.count < 32 {                                      // never a held-out sequence
                let source = randomSource(using: &rng)
                if !heldOut.contains(source) { sources.append(source) }
            }
            let (src, tgtIn, targets) = batch(sources)
            gradients.zero()
            losses.append(model.lossAndGradients(src: src, tgtIn: tgtIn, targets: targets, into: &gradients))
            clipGradients(&gradients, maxNorm: 1)
            optimizer.learningRate = schedule.learningRate(at: step)
            optimizer.step(model, gradients)
        }
        XCTAssertGreaterThan(losses[0], 1.5)
        XCTAssertLessThan(losses.suffix(10).reduce(0, +) / 10, 0.05)
        let outputs = model.generate(src: heldOut, bos: bos, eos: eos, config: .greedy(maxNewTokens: 6))
        let exact = zip(heldOut, outputs).filter { source, output in output == [bos] + answer(source) + [eos] }.count
        XCTAssertEqual(exact, heldOut.count, "exact matches on held-out sequences")
    }
}
