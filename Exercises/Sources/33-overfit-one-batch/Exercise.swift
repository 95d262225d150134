// 33-overfit-one-batch — a training loop that learns one batch by heart
//
// Task: write `overfit(_:inputs:targets:steps:learningRate:)`: the training loop, on one batch
// again and again, which a working model and optimizer must drive to a loss near 0. Each step:
// zero the gradients, compute the loss and every gradient (`lossAndGradients`), take an AdamW step.
//
//   inputs, targets [B, T] → the loss of each step, before its update
//
// Walkthrough: chapter 6, "One training step, by hand".
// Notebook: Notebooks/12-training.swift, lesson 12 (`swift run -c release lesson 12`).
// The library's own: Sources/GPT/Training/Trainer.swift (the loop), Sources/Backprop/Optimizers.swift.
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 33-overfit-one-batch`.

import Backprop
import CourseKit
import GPT
import NDArray

/// Trains `model` on one batch for `steps` steps with AdamW (β₂ = 0.99, no weight decay).
/// - Returns: each step's loss, measured before that step's update
func overfit(_ model: GPTModel<Double>, inputs: NDArray<Int>, targets: NDArray<Int>, steps: Int,
             learningRate: Double) -> [Double] {
    notDoneYet()
}
