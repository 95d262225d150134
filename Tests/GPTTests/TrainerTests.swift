// TrainerTests.swift — the training loop: batches, the schedule, checkpoints, resuming, NaN.
//
// After reading this file you should know how the token stream is cut and
// windowed, that the learning rate the optimizer uses is the schedule's from
// step 0, that a run stopped and resumed from its checkpoint ends with exactly
// the weights of a run that never stopped, and that a NaN stops the run with
// the step (and the operation) named while the last good checkpoint stays.
//
// Rebuild it yourself: Exercises/Sources/33-overfit-one-batch (docs/Exercises.md).

import Backprop
import Foundation
@testable import GPT
import NDArray
import NN
import XCTest

final class TrainerTests: XCTestCase {
    var scratch: URL!

    override func setUp() {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-\(UUID())")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// A stream with structure to learn: the pattern 0 1 2 … 9 with a random symbol every 5th token.
    func stream(count: Int) -> [Int] {
        var rng = SeededGenerator(seed: 11)
        return (0..<count).map { $0 % 5 == 4 ? 10 + Int(rng.next(below: 3)) : $0 % 10 }
    }

    func tinyModel(dropout: Double = 0, seed: UInt64 = 5) -> GPTModel<Float> {
        var rng = SeededGenerator(seed: seed)
        return GPTModel(config: GPTConfig(vocabSize: 13, maxSeqLen: 16, numLayers: 2, numHeads: 2, hiddenDim: 16,
                                          dropout: dropout), using: &rng)
    }

    func tinyConfig(steps: Int) -> TrainingConfig {
        var config = TrainingConfig(steps: steps, batchSize: 4, contextLength: 12,
                                    schedule: .warmupCosine(maxLR: 3e-3, warmupSteps: 3, decaySteps: steps, minLR: 3e-4))
        (config.evalEvery, config.evalBatches, config.checkpointEvery, config.logEvery) = (0, 2, 0, 1)
        return config
    }

    func testTheSplitIsACutAndEachTargetIsTheNextToken() throws {
        let tokens = Array(0..<1000)
        let data = try TokenDataset(tokens: tokens, contextLength: 8)
        XCTAssertEqual(data.train, Array(0..<900))
        XCTAssertEqual(data.validation, Array(900..<1000))
        var rng = SeededGenerator(seed: 1)
        let (x, y) = data.batch(.validation, batchSize: 50, contextLength: 8, using: &rng)
        XCTAssertEqual(x.shape, [50, 8])
        XCTAssertTrue(x.scalars.allSatisfy { $0 >= 900 } && y.scalars.allSatisfy { $0 < 1000 })
        XCTAssertEqual(y.scalars, x.scalars.map { $0 + 1 })                     // consecutive tokens, shifted by one
        let (trainX, trainY) = data.batch(.train, batchSize: 200, contextLength: 8, using: &rng)
        XCTAssertTrue(trainX.scalars.allSatisfy { $0 < 900 } && trainY.scalars.allSatisfy { $0 < 900 })
        var again = SeededGenerator(seed: 1)
        XCTAssertEqual(data.batch(.validation, batchSize: 50, contextLength: 8, using: &again).inputs.scalars, x.scalars)
        XCTAssertThrowsError(try TokenDataset(tokens: Array(0..<50), contextLength: 8)) { error in
            XCTAssertEqual(error as? TrainingError, .notEnoughTokens(split: "validation", count: 5, needed: 9))
        }
    }

    func testTheScheduleSetsTheOptimizersRateFromStepZero() throws {
        let model = tinyModel()
        let reference = tinyModel()
        let trainer = Trainer(model: model, data: try TokenDataset(tokens: stream(count: 400), contextLength: 12),
                              config: tinyConfig(steps: 5))
        var generator = SeededGenerator(seed: trainer.config.seed)
        var adam = Adam<Float>.adamW(learningRate: 0, beta1: 0.9, beta2: 0.95, weightDecay: 0.1)
        try trainer.run(log: { _ in })
        for step in 0..<5 {                                                       // the same steps by hand
            adam.learningRate = trainer.config.schedule.learningRate(at: step)
            let (x, y) = trainer.data.batch(.train, batchSize: 4, contextLength: 12, using: &generator)
            var gradients = Gradients(zerosFor: reference)
            _ = reference.lossAndGradients(inputIds: x, targets: y, into: &gradients)
            clipGradients(&gradients, maxNorm: 1)
            adam.step(reference, gradients)
        }
        // Warmup over 3 steps, then cosine from 3e-3 at step 3 to 3e-4 at step 5.
        for (rate, expected) in zip(trainer.history.map(\.learningRate), [1e-3, 2e-3, 3e-3, 3e-3, 3e-4 + 0.5 * 27e-4]) {
            XCTAssertEqual(rate, expected, accuracy: 1e-15)
        }
        for ((name, trained), (_, byHand)) in zip(model.namedParameters, reference.namedParameters) {
            XCTAssertEqual(trained.scalars, byHand.scalars, name)
        }
    }

    func testTrainingLowersTheLossAndPrintsProgressAndACurve() throws {
        let trainer = Trainer(model: tinyModel(), data: try TokenDataset(tokens: stream(count: 2000), contextLength: 12),
                              config: { var c = tinyConfig(steps: 60); (c.evalEvery, c.logEvery) = (30, 20); return c }())
        var lines: [String] = []
        try trainer.run(log: { lines.append($0) })
        XCTAssertEqual(trainer.evaluations.map(\.step), [0, 30, 60])
        let first = trainer.evaluations[0], last = trainer.evaluations[2]
        XCTAssertGreaterThan(first.validationLoss, 2.3)                         // about ln 13 = 2.56 at the start
        XCTAssertLessThan(last.validationLoss, 2.0)                              // the fixed pattern is being learnt
        XCTAssertTrue(lines[1].hasPrefix("step 20/60 | loss "), lines[1])
        XCTAssertTrue(lines[1].contains(" | lr ") && lines[1].contains(" tok/s | ETA "), lines[1])
        XCTAssertEqual(lines.filter { $0.contains("val loss") }.count, 3)
        let curve = trainer.lossCurve(width: 30, height: 6)
        XCTAssertTrue(curve.contains("*") && curve.contains("o") && curve.contains("└"), curve)
    }

    func testTheLossCurveDrawsEachColumnsMean() {
        let curve = renderLossCurve(train: [(1, 4), (2, 2), (3, 3), (4, 1)], validation: [(4, 2)], width: 4, height: 4)
        XCTAssertEqual(curve, """
            4.00 ┤*
                 │  *
                 │ * o
            1.00 ┤   *
                 └────
                  1  4
                  step    * train loss   o validation loss
            """)
    }

    func testAResumedRunEndsWithTheWeightsOfARunThatNeverStopped() throws {
        let n = 5
        let data = try TokenDataset(tokens: stream(count: 600), contextLength: 12)
        var config = tinyConfig(steps: 2 * n)
        (config.evalEvery, config.checkpointEvery) = (n, n)
        let straight = Trainer(model: tinyModel(dropout: 0.2), data: data, config: config)
        try straight.run(log: { _ in })

        config.steps = n
        let first = Trainer(model: tinyModel(dropout: 0.2), data: data, config: config)
        try first.run(checkpointDirectory: scratch, log: { _ in })
        let resumed = try Trainer<Float>.resume(from: scratch, data: data)
        XCTAssertEqual(resumed.step, n)
        // From the tokens alone (the saved run's context length, the default 90/10 cut): the same run.
        let fromTokens = try Trainer<Float>.resume(from: scratch, tokens: stream(count: 600))
        XCTAssertEqual(fromTokens.history, resumed.history)
        XCTAssertEqual(fromTokens.generator, resumed.generator)
        XCTAssertEqual(fromTokens.model.namedParameters.map(\.value), resumed.model.namedParameters.map(\.value))
        resumed.setTotalSteps(2 * n)
        try resumed.run(log: { _ in })

        XCTAssertEqual(resumed.history, straight.history)
        XCTAssertEqual(resumed.evaluations, straight.evaluations)
        for ((name, a), (_, b)) in zip(resumed.model.namedParameters, straight.model.namedParameters) {
            XCTAssertEqual(a.scalars, b.scalars, "\(name) differs after resuming")
        }
        for name in straight.gradients.names {
            XCTAssertEqual(resumed.optimizer.moments[name]?.v.scalars, straight.optimizer.moments[name]?.v.scalars, name)
        }
        // The folder also holds the model alone, for generation.
        let saved = try GPTModel<Float>.load(from: scratch)
        XCTAssertEqual(saved.blocks[1].ffn.down.weight.scalars, first.model.blocks[1].ffn.down.weight.scalars)
    }

    func testANaNStopsTheRunNamingTheStepAndKeepsTheLastCheckpoint() throws {
        let data = try TokenDataset(tokens: stream(count: 600), contextLength: 12)
        var config = tinyConfig(steps: 8)
        (config.checkpointEvery, config.checkNumerics) = (2, true)
        let trainer = Trainer(model: tinyModel(), data: data, config: config)
        config.steps = 4
        for _ in 0..<4 { try trainer.takeStep() }
        try trainer.saveCheckpoint(to: scratch)
        trainer.model.blocks[1].ffn.up.weight[0, 0] = NDArray(Float.nan)       // a weight goes bad
        XCTAssertThrowsError(try trainer.run(checkpointDirectory: scratch, log: { _ in })) { error in
            XCTAssertEqual(error as? TrainingError, .nonFinite(step: 5, what: "loss (nan)", operation: "blocks.1.ffn forward"))
            XCTAssertEqual("\(error)", "training stopped at step 5: the loss (nan) is not finite; first non-finite value in blocks.1.ffn forward")
        }
        XCTAssertEqual(trainer.step, 4)
        XCTAssertEqual(try Trainer<Float>.resume(from: scratch, data: data).step, 4)   // the last good checkpoint

        trainer.setTotalSteps(8)
        var unchecked = trainer.config
        unchecked.checkNumerics = false
        let plain = Trainer(model: trainer.model, data: data, config: unchecked)
        XCTAssertThrowsError(try plain.takeStep()) { error in
            XCTAssertEqual(error as? TrainingError, .nonFinite(step: 1, what: "loss (nan)", operation: nil))
            XCTAssertTrue("\(error)".hasSuffix("(set checkNumerics to find the operation)"))
        }
    }

    func testSettingsThatWouldOverflowOrNeverEndAreRefused() throws {
        func problem(_ change: (inout TrainingConfig) -> Void) -> String {
            var config = tinyConfig(steps: 10)
            change(&config)
            return config.problem ?? "nil"
        }
        XCTAssertEqual(problem { _ in }, "nil")
        XCTAssertEqual(problem { $0.batchSize = 1 << 24 }, "batchSize must be in 1…1048576, got 16777216")
        XCTAssertEqual(problem { $0.contextLength = .max }, "contextLength must be in 1…1048576, got \(Int.max)")
        XCTAssertEqual(problem { $0.gradientAccumulation = 1 << 24 }, "gradientAccumulation must be in 1…1048576, got 16777216")
        XCTAssertEqual(problem { ($0.batchSize, $0.contextLength, $0.gradientAccumulation) = (1 << 20, 1 << 10, 4) },
                       "a step of batchSize 1048576 × contextLength 1024 × gradientAccumulation 4 tokens is more than 2147483648")
        XCTAssertEqual(problem { $0.steps = .max }, "steps must be in 0…1099511627776, got \(Int.max)")
        XCTAssertEqual(problem { $0.schedule = .warmupCosine(maxLR: 1e-3, warmupSteps: .min, decaySteps: 10, minLR: 0) },
                       "schedule: warmupSteps must be in 0…1099511627776, not \(Int.min)")
        XCTAssertEqual(problem { $0.schedule = .constant(.nan) }, "schedule: the learning rate must be finite and at least 0, not nan")
        XCTAssertEqual(problem { $0.beta2 = 1 }, "beta2 must be in [0, 1), got 1.0")
        // A window longer than any stream: refused with the size asked for, not an overflow trap.
        XCTAssertThrowsError(try TokenDataset(tokens: stream(count: 100), contextLength: .max)) { error in
            XCTAssertEqual(error as? TrainingError, .notEnoughTokens(split: "train", count: 90, needed: .max))
        }
    }

    func testACheckpointWithSettingsOrAStreamThatCannotRunIsRefused() throws {
        let data = try TokenDataset(tokens: stream(count: 600), contextLength: 12)
        let trainer = Trainer(model: tinyModel(), data: data, config: tinyConfig(steps: 1))
        try trainer.run(checkpointDirectory: scratch, log: { _ in })
        let url = scratch.appendingPathComponent("training.safetensors")
        let saved = try SafeTensorsFile(contentsOf: url)
        let tensors: [(String, NDArray<Float>)] = try saved.names.map { ($0, try saved.array($0)) }
        func refusal(_ key: String, _ edit: (String) -> String) throws -> String {
            var metadata = saved.metadata
            metadata[key] = edit(metadata[key]!)
            try SafeTensorsFile.write(tensors, metadata: metadata, to: url)
            do {
                _ = try Trainer<Float>.resume(from: scratch, data: data)
                return "resumed"
            } catch {
                guard case .invalidCheckpoint(_, let reason) = error as? TrainingError else { return "\(error)" }
                return reason
            }
        }
        // One step would run 2²⁴ micro-batches: refused before it starts.
        let accumulation = try refusal("training_config") {
            $0.replacingOccurrences(of: #""gradientAccumulation":1"#, with: #""gradientAccumulation":16777216"#)
        }
        XCTAssertEqual(accumulation, "gradientAccumulation must be in 1…1048576, got 16777216")
        // Generators of four zero words would spin for ever in next(below:).
        let zeros = try refusal("state") {
            $0.replacingOccurrences(of: #""s([0-3])":[0-9]+"#, with: #""s$1":0"#, options: .regularExpression)
        }
        XCTAssertTrue(zeros.contains("four zero words cannot generate"), zeros)
        // A step count that the next step would overflow.
        let step = try refusal("state") {
            $0.replacingOccurrences(of: #""step":[0-9]+"#, with: #""step":9223372036854775807"#, options: .regularExpression)
        }
        XCTAssertEqual(step, "its step 9223372036854775807 is not in 0…1099511627776")
        let optimizerStep = try refusal("state") {
            $0.replacingOccurrences(of: #""optimizerSteps":[0-9]+"#, with: #""optimizerSteps":-1"#, options: .regularExpression)
        }
        XCTAssertEqual(optimizerStep, "its optimizer step -1 is not in 0…1099511627776")
    }

    func testACheckpointOfAnotherStreamIsRefused() throws {
        let data = try TokenDataset(tokens: stream(count: 600), contextLength: 12)
        let trainer = Trainer(model: tinyModel(), data: data, config: tinyConfig(steps: 1))
        try trainer.run(checkpointDirectory: scratch, log: { _ in })
        let other = try TokenDataset(tokens: stream(count: 700), contextLength: 12)
        XCTAssertThrowsError(try Trainer<Float>.resume(from: scratch, data: other)) { error in
            guard case .invalidCheckpoint(_, let reason) = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "it was trained on 540 + 60 tokens, not this stream's 630 + 70")
        }
        var shuffled = stream(count: 600)
        shuffled.swapAt(10, 11)                                             // the same length, one pair swapped
        XCTAssertThrowsError(try Trainer<Float>.resume(from: scratch, data: try TokenDataset(tokens: shuffled, contextLength: 12))) { error in
            guard case .invalidCheckpoint(_, let reason) = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(reason, "it was trained on another token stream of the same length (another text, or another tokenizer)")
        }
        XCTAssertThrowsError(try Trainer<Float>.resume(from: scratch.appendingPathComponent("nothing"), data: data)) { error in
            XCTAssertEqual(error as? CheckpointError, .missingFile(path: scratch.appendingPathComponent("nothing/training.safetensors").path))
        }
    }
}
