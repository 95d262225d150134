// The checks of 25-cross-entropy-backward: your answer against the library's.

import Backprop
import CourseKit
import Foundation
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("25-cross-entropy-backward") { check in
            var rng = SeededGenerator(seed: 20)
            let logits = NDArray<Double>.normal([2, 3, 5], using: &rng)
            let targets = NDArray<Int>([[1, 4, 0], [2, 2, 3]])
            check.close(crossEntropyGradient(logits: logits, targets: targets, ignoreIndex: -100),
                        crossEntropyBackward(logits: logits, targets: targets), tolerance: 1e-10, case: "[2, 3, 5], every target counts", hint: 1)
            let ignored = NDArray<Int>([[1, -100, 0], [2, -100, 3]])
            check.close(crossEntropyGradient(logits: logits, targets: ignored, ignoreIndex: -100),
                        crossEntropyBackward(logits: logits, targets: ignored), tolerance: 1e-10,
                        case: "two targets ignored: their rows are 0, the others divided by 4", hint: 2)
            // Against finite differences of the loss itself.
            let h = 1e-6
            var bumped = logits
            bumped[0, 1, 4] = bumped[0, 1, 4] + NDArray<Double>(h)
            var lowered = logits
            lowered[0, 1, 4] = lowered[0, 1, 4] - NDArray<Double>(h)
            let numeric = (crossEntropy(logits: bumped, targets: targets) - crossEntropy(logits: lowered, targets: targets)) / (2 * h)
            check.close(crossEntropyGradient(logits: logits, targets: targets, ignoreIndex: -100)[0, 1, 4].item(), numeric,
                        tolerance: 1e-6, case: "entry [0, 1, 4] against a central difference of the loss", hint: 3)
        }
    }
}
