// The checks of 07-softmax: your answer against the library's.

import CourseKit
import Foundation
import NDArray

@main
struct Checks {
    static func main() {
        Course.run("07-softmax") { check in
            var rng = SeededGenerator(seed: 7)
            let x = NDArray<Float>.normal([2, 3, 5], using: &rng)
            check.close(softmaxRows(x), x.softmax(axis: -1), tolerance: 1e-6, case: "[2, 3, 5] of N(0, 1) scores", hint: 1)
            let big: NDArray<Float> = [[1000, 999, 998], [-1e4, -1e4 + 1, -1e4 + 2]]
            check.close(softmaxRows(big), big.softmax(axis: -1), tolerance: 1e-6, case: "logits of 1000 and of −1e4 (e^1000 is inf)", hint: 2)
            let masked: NDArray<Float> = [[0, -.infinity, -.infinity], [-.infinity, -.infinity, -.infinity]]
            check.close(softmaxRows(masked), masked.softmax(axis: -1), case: "a masked row, and a fully masked one (0s, not NaN)", hint: 3)
            check.close(logSumExpRows(x), x.logSumExp(axis: -1), tolerance: 1e-6, case: "log-sum-exp of [2, 3, 5]", hint: 1)
            check.close(logSumExpRows(big), big.logSumExp(axis: -1), tolerance: 1e-6, case: "log-sum-exp of 1000 and of −1e4", hint: 2)
            check.close(logSumExpRows(masked), masked.logSumExp(axis: -1), case: "log-sum-exp of a fully masked row: −∞", hint: 3)
        }
    }
}
