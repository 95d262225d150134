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

    /// Why these settings cannot run, or nil.
    public var problem: String? {
        if steps < 0 { return "steps must be at least 0, got \(steps)" }
        if batchSize < 1 { return "batchSize must be at least 1, got \(batchSize)" }
        if contextLength < 1 { return "contextLength must be at least 1, got \(contextLength)" }
        if gradientAccumulation < 1 { return "gradientAccumulation must be at least 1, got \(gradientAccumulation)" }
        if evalEvery < 0 || checkpointEvery < 0 || logEvery < 1 {
            return "evalEvery and checkpointEvery must be at least 0 and logEvery at least 1"
        }
        if evalEvery > 0 && evalBatches < 1 { return "evalBatches must be at least 1, got \(evalBatches)" }
        if let clip = gradientClip, !(clip > 0) { return "gradientClip must be positive, got \(clip)" }
        return nil
    }
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
