// Trainer.swift — the training loop: batches, steps, evaluation, progress, checkpoints.
//
//   for step in 0 ..< steps:
//       lr = schedule(step)                              set on the optimizer before the step
//       x, y = random windows of the training part       (× gradientAccumulation micro-batches)
//       loss, grads = model.lossAndGradients(x, y)       each micro-batch's scaled by 1/accumulation
//       stop if loss or ‖grads‖ is not finite            naming the step (and the operation)
//       clip grads to gradientClip · AdamW step
//       every logEvery:         step 120/2000 | loss 2.0314 | lr 9.93e-04 | 10,532 tok/s | ETA 2m41s
//       every evalEvery:        mean loss of evalBatches random train and validation batches
//       every checkpointEvery:  the whole state to training.safetensors (TrainingCheckpoint.swift)
//
// nanoGPT's train.py, in a type. Every random draw of a batch comes from one
// seeded generator and dropout has its own streams, and both are saved with the
// weights and AdamW's moments, so a run resumed from a checkpoint continues bit
// for bit as if it had never stopped.
//
// Depends on: GPTBackward.swift (lossAndGradients), TokenDataset.swift,
// TrainingConfig.swift, LossCurve.swift, Backprop (Adam, clipping, NumericsCheck).
// Not here: the checkpoint's file (TrainingCheckpoint.swift), reading text (the tokenizers).

import Backprop
import Foundation
import NDArray

/// One step's figures.
public struct TrainingRecord: Codable, Sendable, Equatable {
    /// Steps done after this one (1 for the first).
    public var step: Int
    /// The training loss of the step's batch (the mean over its micro-batches).
    public var loss: Double
    /// The learning rate the step used.
    public var learningRate: Double
    /// The gradients' global norm before clipping.
    public var gradientNorm: Double
}

/// A loss estimate: the mean over `evalBatches` random batches of each part.
public struct Evaluation: Codable, Sendable, Equatable {
    /// Steps done when it was taken (0: before training).
    public var step: Int
    /// The mean training and validation losses.
    public var trainLoss: Double, validationLoss: Double
}

/// Trains a GPT on a token stream. See `run(checkpointDirectory:log:)`.
///
/// ```swift
/// let text = try String(contentsOfFile: "input.txt", encoding: .utf8)
/// let tokenizer = CharTokenizer(text: text)
/// let data = try TokenDataset(tokens: try tokenizer.encode(text), contextLength: 64)
/// var config = GPTConfig.shakespeareChar
/// config.vocabSize = tokenizer.vocabSize
/// let trainer = Trainer(model: GPTModel<Float>(config: config, using: &rng), data: data, config: .shakespeareChar)
/// try trainer.run(checkpointDirectory: URL(fileURLWithPath: "out"))
/// print(trainer.lossCurve())
/// ```
public final class Trainer<Scalar: NDFloatingPoint> {
    /// The model being trained (its weights change in place).
    public let model: GPTModel<Scalar>
    /// The token stream.
    public let data: TokenDataset
    /// The run's settings.
    public private(set) var config: TrainingConfig
    /// AdamW, with its moments.
    public internal(set) var optimizer: Adam<Scalar>
    /// The generator every training batch is drawn from (evaluation has streams of its own).
    public internal(set) var generator: SeededGenerator
    /// Steps done.
    public internal(set) var step = 0
    /// Every step's figures, in order.
    public internal(set) var history: [TrainingRecord] = []
    /// Every loss estimate, in order.
    public internal(set) var evaluations: [Evaluation] = []
    /// Seconds spent in training steps, and in evaluations, by this process.
    public private(set) var trainingSeconds = 0.0, evaluationSeconds = 0.0
    var gradients: Gradients<Scalar>

    /// A trainer at step 0. The model is put in training mode.
    /// - Parameters:
    ///   - model: its maxSeqLen must be at least `config.contextLength`
    ///   - data: both parts longer than `config.contextLength`
    public init(model: GPTModel<Scalar>, data: TokenDataset, config: TrainingConfig) {
        if let problem = config.problem { modelFailure("Trainer", problem) }
        if config.contextLength > model.config.maxSeqLen {
            modelFailure("Trainer", "contextLength \(config.contextLength) is longer than the model's maxSeqLen \(model.config.maxSeqLen)")
        }
        self.model = model
        self.data = data
        self.config = config
        self.optimizer = .adamW(learningRate: config.schedule.learningRate(at: 0), beta1: config.beta1, beta2: config.beta2,
                                eps: config.eps, weightDecay: config.weightDecay)
        self.generator = SeededGenerator(seed: config.seed)
        self.gradients = Gradients(zerosFor: model)
        model.train()
    }

    /// Trains until `config.steps` steps are done (from `step`: a resumed trainer goes on where it stopped),
    /// or until `shouldStop` says so.
    /// - Parameters:
    ///   - checkpointDirectory: where checkpoints go (nil: none are written)
    ///   - shouldStop: asked after every step; when it returns true, the run writes a checkpoint (if it
    ///     has a folder) and returns before `config.steps` (`step` says how far it got). The
    ///     `walkthrough train` command answers it from Ctrl-C.
    ///   - log: each progress and evaluation line
    /// - Throws: `TrainingError.nonFinite` when a loss or gradient norm is NaN or infinite (the last
    ///   checkpoint is kept as it was); a `CheckpointError` when one cannot be written
    @_specialize(where Scalar == Float)
    public func run(checkpointDirectory: URL? = nil, shouldStop: () -> Bool = { false },
                    log: (String) -> Void = { print($0) }) throws {
        let tokensPerStep = config.batchSize * config.contextLength * config.gradientAccumulation
        if step == 0 && config.evalEvery > 0 && evaluations.isEmpty { log(describe(evaluate())) }
        var windowStart = DispatchTime.now().uptimeNanoseconds, windowSteps = 0
        while step < config.steps {
            let started = DispatchTime.now().uptimeNanoseconds
            let record = try takeStep()
            trainingSeconds += seconds(since: started)
            windowSteps += 1
            if step % config.logEvery == 0 || step == config.steps {
                let elapsed = seconds(since: windowStart)
                let perStep = elapsed / Double(windowSteps)
                log(String(format: "step %d/%d | loss %.4f | lr %.2e | %@ tok/s | ETA %@", step, config.steps, record.loss,
                           record.learningRate, grouped(Int(Double(tokensPerStep) / perStep)) as NSString,
                           duration(perStep * Double(config.steps - step)) as NSString))
                (windowStart, windowSteps) = (DispatchTime.now().uptimeNanoseconds, 0)
            }
            if config.evalEvery > 0 && (step % config.evalEvery == 0 || step == config.steps) {
                log(describe(evaluate()))
                windowStart = DispatchTime.now().uptimeNanoseconds
            }
            let stopping = step < config.steps && shouldStop()
            if let checkpointDirectory,
               (config.checkpointEvery > 0 && step % config.checkpointEvery == 0) || step == config.steps || stopping {
                try saveCheckpoint(to: checkpointDirectory)
                windowStart = DispatchTime.now().uptimeNanoseconds
            }
            if stopping {
                log("stopped at step \(step)/\(config.steps)"
                    + (checkpointDirectory.map { ": checkpoint written to \($0.path)" } ?? ""))
                return
            }
        }
    }

    /// One optimizer step: draws the batches, runs forward and backward, clips, and steps AdamW.
    /// - Returns: the step's record (also appended to `history`)
    @discardableResult
    @_specialize(where Scalar == Float)
    public func takeStep() throws -> TrainingRecord {
        let learningRate = config.schedule.learningRate(at: step)
        optimizer.learningRate = learningRate
        gradients.zero()
        let trace = config.checkNumerics ? NonFiniteTrace() : nil
        var loss = 0.0
        let micro = config.gradientAccumulation
        for _ in 0..<micro {
            let (x, y) = data.batch(.train, batchSize: config.batchSize, contextLength: config.contextLength, using: &generator)
            loss += NumericsCheck.$trace.withValue(trace) {
                model.lossAndGradients(inputIds: x, targets: y, lossScale: 1 / Double(micro), into: &gradients)
            } / Double(micro)
        }
        if !loss.isFinite || trace?.firstOperation != nil {
            throw TrainingError.nonFinite(step: step + 1, what: loss.isFinite ? "gradient" : "loss (\(loss))",
                                          operation: trace?.firstOperation)
        }
        let norm = config.gradientClip.map { clipGradients(&gradients, maxNorm: $0) } ?? gradients.globalNorm
        if !norm.isFinite {
            throw TrainingError.nonFinite(step: step + 1, what: "gradients' norm (\(norm))", operation: nil)
        }
        optimizer.step(model, gradients)
        step += 1
        let record = TrainingRecord(step: step, loss: loss, learningRate: learningRate, gradientNorm: norm)
        history.append(record)
        return record
    }

    /// The mean loss over `config.evalBatches` random batches of each part, in evaluation mode
    /// (no dropout); appended to `evaluations`. nanoGPT's estimate_loss.
    ///
    /// The batches come from a stream of their own, seeded by `config.seed` and `step`, never from
    /// the training batches' generator: evaluating more often, less often or not at all leaves the
    /// training run unchanged, and a run stopped at step N and extended takes the same steps as one
    /// started with the longer count (given the same schedule).
    @discardableResult
    @_specialize(where Scalar == Float)
    public func evaluate() -> Evaluation {
        let started = DispatchTime.now().uptimeNanoseconds
        model.eval()
        defer { model.train() }
        var means: [Double] = []
        var batches = SeededGenerator(seed: (config.seed ^ 0x5851_F42D_4C95_7F2D) &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15)
        for split in [TokenDataset.Split.train, .validation] {
            var total = 0.0
            for _ in 0..<config.evalBatches {
                let (x, y) = data.batch(split, batchSize: config.batchSize, contextLength: config.contextLength, using: &batches)
                total += model.computeLoss(inputIds: x, targets: y)
            }
            means.append(total / Double(config.evalBatches))
        }
        let evaluation = Evaluation(step: step, trainLoss: means[0], validationLoss: means[1])
        evaluations.append(evaluation)
        evaluationSeconds += seconds(since: started)
        return evaluation
    }

    /// Sets where `run` stops: after `steps` steps in all, counted from the run's start (not from now).
    /// More than `config.steps` trains a resumed run further; fewer stops a run early (its schedule
    /// stays the one it started with: give `decaySteps` for the whole length).
    public func setTotalSteps(_ steps: Int) {
        precondition(steps >= 0, "Trainer.setTotalSteps: steps must be at least 0, got \(steps)")
        config.steps = steps
    }

    /// The training loss per step (and the validation estimates) as an ASCII chart.
    public func lossCurve(width: Int = 64, height: Int = 12) -> String {
        renderLossCurve(train: history.map { ($0.step, $0.loss) },
                        validation: evaluations.map { ($0.step, $0.validationLoss) }, width: width, height: height)
    }

    private func describe(_ e: Evaluation) -> String {
        String(format: "step %d: train loss %.4f, val loss %.4f", e.step, e.trainLoss, e.validationLoss)
    }
}

func seconds(since start: UInt64) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// 161 → "2m41s".
func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", s / 60 % 60))m" }
    if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
    return "\(s)s"
}
