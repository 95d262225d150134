// 31-sgd-adamw — SGD with momentum, and AdamW
//
// Task: write `sgdStep` and `adamWStep`, the optimizers' updates of one parameter, as PyTorch's
// `torch.optim` computes them (step t counts from 1):
//
//   SGD:    v = μ·v + g   (the first v is g)        p = p − lr·v
//   AdamW:  p = p·(1 − lr·λ)                         decoupled weight decay
//           m = β₁·m + (1 − β₁)·g     v = β₂·v + (1 − β₂)·g²
//           p = p − lr·m̂ / (√v̂ + ε),  m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ)
//
// Walkthrough: chapter 6, "One training step, by hand".
// Notebook: Notebooks/12-training.swift, lesson 12 (`swift run -c release lesson 12`).
// The library's own: Sources/Backprop/Optimizers.swift (`SGD`, `Adam.adamW`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 31-sgd-adamw`.

import Backprop
import CourseKit
import Foundation
import NDArray
import NN

/// One SGD step with momentum; `velocity` starts empty.
func sgdStep(parameter: inout [Double], gradient: [Double], velocity: inout [Double]?, learningRate: Double,
             momentum: Double) {
    notDoneYet()
}

/// One AdamW step at step t (1, 2, …); m and v start as zeros.
func adamWStep(parameter: inout [Double], gradient: [Double], m: inout [Double], v: inout [Double], t: Int,
               learningRate: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double) {
    notDoneYet()
}
