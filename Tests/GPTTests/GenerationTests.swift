// GenerationTests.swift — greedy, sampling, beam search, stop tokens, the step explainer.
//
// After reading this file you should know what each knob of the sampler does
// to a distribution (checked on hand-made logits), that one seed gives one
// text, and how beam search scores its hypotheses.
//
// Rebuild it yourself: Exercises/Sources/22-sampling (docs/Exercises.md).

import Foundation
import GPT
import NDArray
import NN
import XCTest

final class SamplingTests: XCTestCase {
    func testRepetitionPenaltyLowersPositiveAndNegativeLogits() {
        var logits = [2.0, -2.0, 1.0]
        Sampling.applyRepetitionPenalty(&logits, history: [0, 1, 1], penalty: 2)
        XCTAssertEqual(logits, [1.0, -4.0, 1.0])          // −2 × 2, not −2 ÷ 2 (which would raise it)
    }

    func testTemperature() {
        var logits = [2.0, 1.0]
        Sampling.applyTemperature(&logits, 0.5)
        XCTAssertEqual(logits, [4.0, 2.0])
        let p = Sampling.softmax(logits)
        XCTAssertEqual(p[0], 1 / (1 + Foundation.exp(-2)), accuracy: 1e-12)
    }

    func testTopKKeepsTiesWithTheKth() {
        var logits = [1.0, 3.0, 2.0, 2.0, 0.0]
        Sampling.applyTopK(&logits, 2)
        XCTAssertEqual(logits, [-.infinity, 3.0, 2.0, 2.0, -.infinity])
    }

    func testTopPKeepsTheSmallestSetReachingP() {
        let probabilities = [0.1, 0.5, 0.25, 0.15]
        var logits = probabilities.map { Foundation.log($0) }
        Sampling.applyTopP(&logits, 0.7)                   // 0.5 + 0.25 = 0.75 ≥ 0.7: two tokens
        XCTAssertEqual(logits.map(\.isFinite), [false, true, true, false])
        var one = probabilities.map { Foundation.log($0) }
        Sampling.applyTopP(&one, 0.3)                      // the top token alone passes 0.3
        XCTAssertEqual(one.map(\.isFinite), [false, true, false, false])
    }

    func testEachStepMatchesHuggingFacesProcessors() {
        // transformers' RepetitionPenalty(1.7) → Temperature(0.8) → TopK(7) → TopP(0.6) on the same logits
        // (row 1 has ties at the top-k boundary); −inf marks a cut token.
        let logits: NDArray<Double> = fixture("sampling/logits"), history: NDArray<Int> = fixture("sampling/history")
        for row in 0..<2 {
            var values = logits[row].scalars
            let seen = history[row].scalars
            func check(_ name: String, line: UInt = #line) {
                let expected: NDArray<Double> = fixture("sampling/" + name)
                let want = expected[row].scalars
                XCTAssertEqual(values.map(\.isFinite), want.map(\.isFinite), "\(name), row \(row)", line: line)
                for (x, y) in zip(values, want) where y.isFinite {
                    XCTAssertEqual(x, y, accuracy: 1e-5 * (1 + Swift.abs(y)), "\(name), row \(row)", line: line)
                }
            }
            Sampling.applyRepetitionPenalty(&values, history: seen, penalty: 1.7)
            check("after_penalty")
            Sampling.applyTemperature(&values, 0.8)
            check("after_temperature")
            Sampling.applyTopK(&values, 7)
            check("after_top_k")
            Sampling.applyTopP(&values, 0.6)
            check("after_top_p")
        }
    }

    func testDrawsFollowTheDistribution() {
        var rng = SeededGenerator(seed: 9)
        var counts = [0, 0, 0]
        for _ in 0..<20000 { counts[Sampling.draw([0.2, 0.5, 0.3], using: &rng)] += 1 }
        XCTAssertEqual(Double(counts[0]) / 20000, 0.2, accuracy: 0.015)
        XCTAssertEqual(Double(counts[1]) / 20000, 0.5, accuracy: 0.015)
        XCTAssertEqual(Sampling.draw([0, 0, 1], using: &rng), 2)
    }
}

final class GenerationTests: XCTestCase {
    func testGreedyTakesTheArgmaxEachStep() {
        let model = smallModel()
        let result = model.generate(prompts: [[3, 1, 4]], config: .greedy(maxNewTokens: 5))
        var tokens = [3, 1, 4]
        for _ in 0..<5 { tokens.append(model(NDArray(shape: [1, tokens.count], scalars: tokens))[0, tokens.count - 1].argmax()) }
        XCTAssertEqual(result.sequences[0], tokens)
        XCTAssertEqual(result.stopReasons, [.maxNewTokens])
    }

    func testOneSeedGivesOneText() {
        let model = smallModel()
        let config = GenerationConfig.sampling(maxNewTokens: 12, temperature: 1.5, seed: 42)
        let a = model.generate(prompts: [[3, 1]], config: config)
        let b = model.generate(prompts: [[3, 1]], config: config)
        var other = config
        other.seed = 43
        let c = model.generate(prompts: [[3, 1]], config: other)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.newTokens, c.newTokens)
        let liteTorchForm = model.generate([3, 1], maxNewTokens: 12, temperature: 1.5, seed: 42)   // [1, 2 + 12], as LiteTorch
        XCTAssertEqual(liteTorchForm.shape, [1, 14])
        XCTAssertEqual(liteTorchForm, NDArray([a.sequences[0]]))
    }

    func testTopKOneIsGreedy() {
        let model = smallModel()
        var config = GenerationConfig.sampling(maxNewTokens: 6, temperature: 2, topK: 1, seed: 1)
        let sampled = model.generate(prompts: [[5, 9]], config: config)
        config = .greedy(maxNewTokens: 6)
        XCTAssertEqual(sampled.newTokens, model.generate(prompts: [[5, 9]], config: config).newTokens)
    }

    func testSamplingUsesOnlyTheNucleus() {
        // With top-p 0.5 every drawn token must be in the nucleus of its step's distribution.
        let model = smallModel()
        let config = GenerationConfig.sampling(maxNewTokens: 10, temperature: 1, topP: 0.5, seed: 7)
        var steps: [NDArray<Float>] = []
        let result = model.generate(prompts: [[2]], config: config, onLogits: { _, logits in steps.append(logits) })
        for (step, logits) in steps.enumerated() {
            var values = logits[0].scalars.map(Double.init)
            Sampling.applyTopP(&values, 0.5)
            XCTAssertTrue(values[result.newTokens[0][step]].isFinite, "step \(step)")
        }
    }

    func testDropoutIsOffWhileGenerating() {
        let model = smallModel()
        model.train()
        let trained = model.generate(prompts: [[3, 1, 4]], config: .greedy(maxNewTokens: 4))
        XCTAssertTrue(model.isTraining)                                      // restored afterwards
        model.eval()
        XCTAssertEqual(trained, model.generate(prompts: [[3, 1, 4]], config: .greedy(maxNewTokens: 4)))
    }

    func testAStopTokenEndsTheSequence() {
        let model = smallModel()
        let free = model.generate(prompts: [[3, 1, 4], [2, 7]], config: .greedy(maxNewTokens: 6))
        var config = GenerationConfig.greedy(maxNewTokens: 6)
        config.stopTokens = [free.newTokens[0][2]]                          // row 0's third token
        var streamed: [[Int]] = [[], []]
        let stopped = model.generate(prompts: [[3, 1, 4], [2, 7]], config: config) { row, token in
            streamed[row].append(token)
        }
        let firstStop = free.newTokens[0].firstIndex(of: free.newTokens[0][2])!
        XCTAssertEqual(stopped.newTokens[0], Array(free.newTokens[0].prefix(firstStop + 1)))
        XCTAssertEqual(stopped.stopReasons[0], .stopToken)
        XCTAssertEqual(streamed, stopped.newTokens)
    }

    func testBeamScoreIsTheLogProbabilityDividedByLengthOnce() {
        let model = smallModel()
        for lengthPenalty in [0.0, 1.0, 2.0] {
            let result = model.generate(prompts: [[3, 1, 4]],
                                        config: .beamSearch(numBeams: 4, maxNewTokens: 5, lengthPenalty: lengthPenalty))
            let sequence = result.sequences[0]
            let logits = model(NDArray(shape: [1, sequence.count - 1], scalars: Array(sequence.dropLast())))
            var logProbability = 0.0
            for t in 2..<(sequence.count - 1) {
                let row = logits[0, t].scalars.map(Double.init)
                let logSum = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +))
                logProbability += row[sequence[t + 1]] - logSum
            }
            XCTAssertEqual(result.scores[0], logProbability / Foundation.pow(5, lengthPenalty), accuracy: 1e-4)
        }
    }

    func testOneBeamIsGreedy() {
        let model = smallModel()
        XCTAssertEqual(model.generate(prompts: [[8, 2]], config: .beamSearch(numBeams: 1, maxNewTokens: 6)).newTokens,
                       model.generate(prompts: [[8, 2]], config: .greedy(maxNewTokens: 6)).newTokens)
    }

    func testBeamSearchFindsAtLeastGreedysLogProbability() {
        // Without a length penalty or stop tokens, the best of 8 beams is at least as likely as greedy's path here.
        let model = smallModel()
        let greedy = model.generate(prompts: [[3, 1, 4]], config: .greedy(maxNewTokens: 5))
        let beam = model.generate(prompts: [[3, 1, 4]], config: .beamSearch(numBeams: 8, maxNewTokens: 5, lengthPenalty: 0))
        XCTAssertGreaterThanOrEqual(beam.scores[0], greedy.scores[0] - 1e-6)
    }

    func testExplainingOneStep() {
        let model = smallModel()
        let config = GenerationConfig(doSample: true, temperature: 0.7, topK: 5, topP: 0.8, seed: 3)
        let explanation = model.explainNextToken([3, 1, 4], config: config, candidates: 6) { "t\($0)" }
        let c = explanation.candidates
        XCTAssertEqual(c.count, 6)
        XCTAssertEqual(c.map(\.probability), c.map(\.probability).sorted(by: >))
        XCTAssertEqual(c[5].afterTopK, 0)                                     // the 6th is cut by top-k 5
        XCTAssertGreaterThan(c[0].afterTemperature, c[0].probability)        // T < 1 sharpens
        XCTAssertLessThanOrEqual(explanation.survivors, 5)
        XCTAssertGreaterThan(c.first { $0.token == explanation.chosen }!.afterTopP, 0)
        // The same draw as generate's first token with the same seed.
        XCTAssertEqual(model.generate(prompts: [[3, 1, 4]], config: GenerationConfig(maxNewTokens: 1, doSample: true,
                       temperature: 0.7, topK: 5, topP: 0.8, seed: 3)).newTokens[0], [explanation.chosen])
        let text = explanation.description
        XCTAssertTrue(text.contains("top-k 5"), text)
        XCTAssertTrue(text.contains("drawn: \"t\(explanation.chosen)\""), text)
        // A long token name widens its column: every row's logit starts where the header's "logit" does.
        let long = model.explainNextToken([3, 1, 4], config: config, candidates: 3) { "a long BPE piece \($0)" }
        let lines = long.description.split(separator: "\n").map(String.init)
        let column = lines[1].distance(from: lines[1].startIndex, to: lines[1].range(of: "logit")!.lowerBound)
        for row in lines[2..<5] {
            let characters = Array(row)
            XCTAssertEqual(characters[column - 1], " ", row)
            XCTAssertTrue(characters[column].isNumber || characters[column] == "-", row)
        }
    }

    func testRepetitionPenaltyInsideGenerate() {
        // Greedy with θ = 3 is the argmax of the full forward's logits after the penalty, step by step.
        let model = smallModel()
        var config = GenerationConfig.greedy(maxNewTokens: 8)
        config.repetitionPenalty = 3
        let result = model.generate(prompts: [[3, 1, 4]], config: config)
        var tokens = [3, 1, 4]
        for _ in 0..<8 {
            var logits = model(NDArray(shape: [1, tokens.count], scalars: tokens))[0, tokens.count - 1].scalars.map(Double.init)
            Sampling.applyRepetitionPenalty(&logits, history: tokens, penalty: 3)
            tokens.append(Sampling.argmax(logits))
        }
        XCTAssertEqual(result.sequences[0], tokens)
        XCTAssertNotEqual(result.newTokens, model.generate(prompts: [[3, 1, 4]], config: .greedy(maxNewTokens: 8)).newTokens)
    }

    func testEdgeCases() {
        let model = smallModel()                                                  // V 23, context 16
        // No new tokens: the prompts come back unchanged.
        let none = model.generate(prompts: [[3, 1], [4]], config: .greedy(maxNewTokens: 0))
        XCTAssertEqual(none.sequences, [[3, 1], [4]])
        XCTAssertEqual(model.generate(prompts: [[3, 1]], config: .beamSearch(numBeams: 2, maxNewTokens: 0)).newTokens, [[]])
        // A prompt of exactly the context: the first token reads it whole, then the window slides.
        let full = Array(repeating: 5, count: 8) + [1, 2, 3, 4, 6, 7, 8, 9]
        var config = GenerationConfig.greedy(maxNewTokens: 3)
        let cached = model.generate(prompts: [full], config: config)
        config.useCache = false
        XCTAssertEqual(cached, model.generate(prompts: [full], config: config))
        // More beams than tokens in the vocabulary.
        let wide = model.generate(prompts: [[3]], config: .beamSearch(numBeams: 30, maxNewTokens: 3))
        XCTAssertEqual(wide.newTokens[0].count, 3)
        // Every row stops at once: the loop ends, and each row ends with its stop token.
        config = .greedy(maxNewTokens: 5)
        config.stopTokens = Set(0..<23)
        let stopped = model.generate(prompts: [[3], [4, 5]], config: config)
        XCTAssertEqual(stopped.newTokens.map(\.count), [1, 1])
        XCTAssertEqual(stopped.stopReasons, [.stopToken, .stopToken])
    }

    func testEachRowOfABatchSamplesAsIfAlone() {
        // Row 0 of a batch draws like the prompt alone: its draws do not depend on its batch-mates.
        let model = smallModel()
        let config = GenerationConfig.sampling(maxNewTokens: 6, temperature: 1.3, seed: 5)
        let batch = model.generate(prompts: [[3, 1, 4], [2, 7]], config: config)
        XCTAssertEqual(batch.newTokens[0], model.generate(prompts: [[3, 1, 4]], config: config).newTokens[0])
    }
}
