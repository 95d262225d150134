// Schedules.swift — the learning rate over a run, and clipping the gradient's size.
//
//   warmup + cosine:  lr(s) = maxLR · (s + 1)/warmup                          s < warmup
//                     lr(s) = minLR + ½(1 + cos(π·r))·(maxLR − minLR)         r = (s − warmup)/(decay − warmup)
//                     lr(s) = minLR                                           s ≥ decay
//   clipping:         g ← g · maxNorm/‖g‖  when ‖g‖ > maxNorm                 ‖g‖ = √(Σ over every parameter g²)
//
// A ramp up (large early gradients on random weights do not throw the model
// far) and a slow cosine descent (small steps to settle at the end): nanoGPT's
// get_lr, step for step. Clipping by the global norm keeps one bad batch from
// taking a huge step, without changing the step's direction.
//
// Depends on: Foundation, Gradients.swift.

import Foundation
import NDArray

/// The learning rate as a function of the step (counted from 0).
public enum LearningRateSchedule: Sendable, Equatable, Codable {
    /// The same rate every step.
    case constant(Double)
    /// nanoGPT's: linear warmup over `warmupSteps`, then cosine decay to `minLR` at `decaySteps`, then `minLR`.
    case warmupCosine(maxLR: Double, warmupSteps: Int, decaySteps: Int, minLR: Double)

    /// The most steps a schedule may name (2⁴⁰): far beyond any run, and far from overflow.
    public static let maxSteps = 1 << 40

    /// Why this schedule cannot be followed, or nil: every rate finite and at least 0, and
    /// warmupSteps and decaySteps in 0…`maxSteps` (a decay that ends before the warmup does is
    /// allowed, as in nanoGPT: the rate climbs, then drops to minLR).
    public var problem: String? {
        switch self {
        case .constant(let lr):
            return lr.isFinite && lr >= 0 ? nil : "the learning rate must be finite and at least 0, not \(lr)"
        case .warmupCosine(let maxLR, let warmup, let decay, let minLR):
            for (name, rate) in [("maxLR", maxLR), ("minLR", minLR)] where !(rate.isFinite && rate >= 0) {
                return "\(name) must be finite and at least 0, not \(rate)"
            }
            if !(0...Self.maxSteps).contains(warmup) {
                return "warmupSteps must be in 0…\(Self.maxSteps), not \(warmup)"
            }
            if !(0...Self.maxSteps).contains(decay) {
                return "decaySteps must be in 0…\(Self.maxSteps), not \(decay)"
            }
            return nil
        }
    }

    /// The rate for step `step` (0 is the first step).
    public func learningRate(at step: Int) -> Double {
        switch self {
        case .constant(let lr):
            return lr
        case .warmupCosine(let maxLR, let warmup, let decay, let minLR):
            if step < warmup { return maxLR * (Double(step) + 1) / Double(warmup) }
            if step >= decay { return minLR }
            let ratio = Double(step - warmup) / Double(Swift.max(decay - warmup, 1))
            return minLR + 0.5 * (1 + Foundation.cos(Double.pi * ratio)) * (maxLR - minLR)
        }
    }
}

/// Scales every gradient so that their global norm is at most `maxNorm`. PyTorch: `clip_grad_norm_`.
/// - Returns: the global norm before clipping
@discardableResult
@_specialize(where S == Float)
public func clipGradients<S: NDFloatingPoint>(_ gradients: inout Gradients<S>, maxNorm: Double) -> Double {
    let norm = gradients.globalNorm
    if norm > maxNorm {
        let scale = S(maxNorm / (norm + 1e-6))                               // PyTorch's 1e-6
        gradients.scale(by: scale)
    }
    return norm
}
