// 32-warmup-cosine — the learning rate: a linear warmup, then a cosine decay
//
// Task: write `warmupCosine(step:maxLR:warmupSteps:decaySteps:minLR:)`, nanoGPT's schedule: the
// rate rises linearly to maxLR over the first warmupSteps steps (step 0 already trains, at
// maxLR / warmupSteps), then falls along half a cosine to minLR at decaySteps, and stays there.
//
// Walkthrough: chapter 6, "The learning-rate schedule".
// Notebook: Notebooks/12-training.swift, lesson 12 (`swift run -c release lesson 12`).
// The library's own: Sources/Backprop/Schedules.swift (`LearningRateSchedule.warmupCosine`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 32-warmup-cosine`.

import Backprop
import CourseKit
import Foundation

/// nanoGPT's learning rate at `step` (the first step is 0).
func warmupCosine(step: Int, maxLR: Double, warmupSteps: Int, decaySteps: Int, minLR: Double) -> Double {
    notDoneYet()
}
