// The checks of 32-warmup-cosine: your answer against the library's.

import Backprop
import CourseKit
import Foundation

@main
struct Checks {
    static func main() {
        Course.run("32-warmup-cosine") { check in
            let schedule = LearningRateSchedule.warmupCosine(maxLR: 1e-3, warmupSteps: 100, decaySteps: 2000, minLR: 1e-4)
            for step in [0, 1, 50, 99] {
                check.close(warmupCosine(step: step, maxLR: 1e-3, warmupSteps: 100, decaySteps: 2000, minLR: 1e-4),
                            schedule.learningRate(at: step), tolerance: 1e-12, case: "warmup, step \(step)", hint: 1)
            }
            for step in [100, 101, 1050, 1999] {
                check.close(warmupCosine(step: step, maxLR: 1e-3, warmupSteps: 100, decaySteps: 2000, minLR: 1e-4),
                            schedule.learningRate(at: step), tolerance: 1e-12, case: "the cosine, step \(step)", hint: 2)
            }
            for step in [2000, 5000] {
                check.close(warmupCosine(step: step, maxLR: 1e-3, warmupSteps: 100, decaySteps: 2000, minLR: 1e-4), 1e-4,
                            tolerance: 1e-12, case: "after decaySteps, step \(step): minLR", hint: 3)
            }
        }
    }
}
