// TrainingConfig.swift — every setting of a training run, and what can stop one.
//
//   steps 2000 · batch 12 × 64 tokens · AdamW (β₁ 0.9, β₂ 0.99, λ 0.1) · lr warmup 100 → cosine to 1e-4
//   clip 1.0 · evaluate every 250 steps on 200 batches · checkpoint every 250 · seed 1337
//
// nanoGPT's train.py keeps these as module globals; here they are one Codable
// value, saved in every checkpoint so a resumed run uses the same settings.
// `shakespeareChar` is nanoGPT's CPU run of config/train_shakespeare_char.py.
//
// Depends on: Backprop (LearningRateSchedule).

import Backprop
import Foundation

/// The settings of a training run.
public struct TrainingConfig: Codable, Sendable, Equatable {
    /// Optimizer steps in the whole run.
    public var steps: Int
    /// B: windows per micro-batch.
    public var batchSize: Int
    /// T: tokens per window (at most the model's maxSeqLen).
    public var contextLength: Int
    /// Micro-batches per step: their gradients are averaged (an effective batch of B × this).
    public var gradientAccumulation = 1
    /// The learning rate at each step (applied from step 0).
    public var schedule: LearningRateSchedule
    /// AdamW's β₁, β₂, ε and decoupled weight decay λ (not on biases, norms or embeddings).
    public var beta1 = 0.9, beta2 = 0.95, eps = 1e-8, weightDecay = 0.1
    /// Clip the gradients' global norm to this (nil: no clipping).
    public var gradientClip: Double? = 1.0
    /// Estimate the train and validation losses every this many steps (and after the last); 0: never.
    public var evalEvery = 250
    /// Batches per loss estimate (their mean).
    public var evalBatches = 200
    /// Write a checkpoint every this many steps (and after the last); 0: only at the end.
    public var checkpointEvery = 250
    /// Print a progress line every this many steps.
    public var logEvery = 10
    /// Seeds the batches (the model's weights and dropout have their own seed).
    public var seed: UInt64 = 1337
    /// Scan every forward and backward result for NaN and infinity, to name the first bad operation
    /// (slower; see `NumericsCheck`).
    public var checkNumerics = false

    /// A run of `steps` steps; the other settings have their defaults.
    public init(steps: Int, batchSize: Int, contextLength: Int, schedule: LearningRateSchedule) {
        self.steps = steps
        self.batchSize = batchSize
        self.contextLength = contextLength
        self.schedule = schedule
    }

    /// nanoGPT's shakespeare-char CPU run: 2000 steps of 12 × 64, AdamW lr 1e-3 (100 warmup steps, then
    /// cosine to 1e-4 at step 2000), β₂ 0.99, weight decay 0.1, clip 1.0, evaluation on 200 batches.
    public static var shakespeareChar: TrainingConfig {
        var config = TrainingConfig(steps: 2000, batchSize: 12, contextLength: 64,
                                    schedule: .warmupCosine(maxLR: 1e-3, warmupSteps: 100, decaySteps: 2000, minLR: 1e-4))
        config.beta2 = 0.99
        return config
    }

    /// nanoGPT's fine-tuning run (config/finetune_shakespeare.py) on a model of `contextLength`
    /// positions: 20 steps of 1 window × 32 micro-batches, a constant learning rate of 3e-5,
    /// AdamW β₂ 0.95 and weight decay 0.1, clip 1.0, evaluation every 5 steps on 40 batches. A
    /// checkpoint is written every 5 steps too (nanoGPT's saves one only when the validation loss
    /// improves). nanoGPT also fine-tunes without dropout: that is the model's setting
    /// (`GPTModel.withDropout(_:)`), not the run's.
    public static func finetune(contextLength: Int) -> TrainingConfig {
        var config = TrainingConfig(steps: 20, batchSize: 1, contextLength: contextLength, schedule: .constant(3e-5))
        config.gradientAccumulation = 32
        config.evalEvery = 5
        config.evalBatches = 40
        config.checkpointEvery = 5
        return config
    }

    /// Why these settings cannot run, or nil.
    ///
    /// Every count has a bound, so that settings read from a file can neither overflow the
    /// arithmetic nor start a loop that never ends: steps at most 2⁴⁰, B, T, the micro-batches
    /// and the evaluation batches at most `maxCount`, and B × T × micro-batches at most
    /// `maxTokensPerStep`.
    public var problem: String? {
        let maxSteps = LearningRateSchedule.maxSteps
        if !(0...maxSteps).contains(steps) { return "steps must be in 0…\(maxSteps), got \(steps)" }
        let counts: KeyValuePairs = ["batchSize": batchSize, "contextLength": contextLength,
                                     "gradientAccumulation": gradientAccumulation]
        for (name, value) in counts where !(1...Self.maxCount).contains(value) {
            return "\(name) must be in 1…\(Self.maxCount), got \(value)"
        }
        let (perMicroBatch, _) = batchSize.multipliedReportingOverflow(by: contextLength)   // both ≤ 2²⁰: no overflow
        let (perStep, overflow) = perMicroBatch.multipliedReportingOverflow(by: gradientAccumulation)
        if overflow || perStep > Self.maxTokensPerStep {
            return "a step of batchSize \(batchSize) × contextLength \(contextLength) × gradientAccumulation "
                + "\(gradientAccumulation) tokens is more than \(Self.maxTokensPerStep)"
        }
        if !(0...maxSteps).contains(evalEvery) || !(0...maxSteps).contains(checkpointEvery) || !(1...maxSteps).contains(logEvery) {
            return "evalEvery and checkpointEvery must be in 0…\(maxSteps) and logEvery in 1…\(maxSteps), "
                + "got \(evalEvery), \(checkpointEvery) and \(logEvery)"
        }
        if evalEvery > 0 && !(1...Self.maxCount).contains(evalBatches) {
            return "evalBatches must be in 1…\(Self.maxCount), got \(evalBatches)"
        }
        if let clip = gradientClip, !(clip > 0 && clip.isFinite) { return "gradientClip must be positive and finite, got \(clip)" }
        for (name, beta) in [("beta1", beta1), ("beta2", beta2)] where !(beta >= 0 && beta < 1) {
            return "\(name) must be in [0, 1), got \(beta)"
        }
        if !(eps > 0 && eps.isFinite) { return "eps must be positive and finite, got \(eps)" }
        if !(weightDecay >= 0 && weightDecay.isFinite) { return "weightDecay must be finite and at least 0, got \(weightDecay)" }
        if let problem = schedule.problem { return "schedule: " + problem }
        return nil
    }

    /// Why one micro-batch of these settings cannot be trained on `model` in this machine's memory, or nil.
    ///
    /// A lower bound on what the backward pass keeps, in Float: per layer the attention weights
    /// [B, NH, T, T], the feed-forward's hidden [B, T, F] and four [B, T, C]; and the logits [B, T, V]
    /// with their gradient. Counted in Double, so no size can overflow it; refusing here turns what
    /// would be a failed allocation in the middle of a step into a message.
    public func memoryProblem(for model: GPTConfig) -> String? {
        let (b, t) = (Double(batchSize), Double(contextLength))
        let perLayer = b * Double(model.numHeads) * t * t + b * t * Double(model.ffnDim) + 4 * b * t * Double(model.hiddenDim)
        let bytes = 4 * (Double(model.numLayers) * perLayer + 2 * b * t * Double(model.vocabSize))
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes > memory else { return nil }
        return "one batch of batchSize \(batchSize) × contextLength \(contextLength) would keep at least "
            + String(format: "%.1f GB", bytes / 1e9) + " of activations for the backward pass; this machine has "
            + String(format: "%.1f GB", memory / 1e9)
    }

    /// The largest batch size, context length, number of micro-batches or of evaluation batches (2²⁰).
    public static let maxCount = 1 << 20
    /// The most tokens one step may read, B × T × micro-batches (2³¹).
    public static let maxTokensPerStep = 1 << 31
}

/// Why a training run stopped or could not start.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// A part of the token stream is too short for one window.
    case notEnoughTokens(split: String, count: Int, needed: Int)
    /// The settings do not fit the model or each other.
    case invalidConfig(reason: String)
    /// The loss (or the gradients' norm) became NaN or infinite at `step`. `operation` names the first
    /// operation that produced a non-finite value when `checkNumerics` is on. The last checkpoint
    /// written before it is left as it was.
    case nonFinite(step: Int, what: String, operation: String?)
    /// A training checkpoint is missing a part or does not belong to this run.
    case invalidCheckpoint(path: String, reason: String)

    /// One line naming what is wrong.
    public var description: String {
        switch self {
        case .notEnoughTokens(let split, let count, let needed):
            return "training: the \(split) part has \(count) tokens; one window needs \(needed)"
        case .invalidConfig(let reason): return "training: \(reason)"
        case .nonFinite(let step, let what, let operation):
            return "training stopped at step \(step): the \(what) is not finite"
                + (operation.map { "; first non-finite value in \($0)" } ?? " (set checkNumerics to find the operation)")
        case .invalidCheckpoint(let path, let reason): return "training checkpoint \(path): \(reason)"
        }
    }
}
