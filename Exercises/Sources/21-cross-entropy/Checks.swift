// The checks of 21-cross-entropy: your answer against the library's.

import CourseKit
import Foundation
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("21-cross-entropy") { check in
            var rng = SeededGenerator(seed: 16)
            let logits = NDArray<Float>.normal([2, 3, 7], using: &rng)
            let targets = NDArray<Int>([[1, 6, 0], [3, 3, 2]])
            check.close(crossEntropyLoss(logits: logits, targets: targets, ignoreIndex: -100),
                        crossEntropy(logits: logits, targets: targets), tolerance: 1e-5, case: "logits [2, 3, 7], every target counts", hint: 1)
            let ignored = NDArray<Int>([[1, -100, 0], [-100, 3, 2]])
            check.close(crossEntropyLoss(logits: logits, targets: ignored, ignoreIndex: -100),
                        crossEntropy(logits: logits, targets: ignored), tolerance: 1e-5,
                        case: "two targets ignored: the mean is over the 4 that count, not 6", hint: 2)
            let uniform = NDArray<Float>.zeros([1, 1, 8])
            check.close(crossEntropyLoss(logits: uniform, targets: NDArray<Int>([[5]]), ignoreIndex: -100), Foundation.log(8.0),
                        tolerance: 1e-6, case: "uniform logits over V = 8, by hand: ln 8", hint: 1)
            let extreme: NDArray<Float> = [[[1e4, 0, -1e4], [-1e4, 0, 1e4]]]
            check.close(crossEntropyLoss(logits: extreme, targets: NDArray<Int>([[2, 2]]), ignoreIndex: -100),
                        crossEntropy(logits: extreme, targets: NDArray<Int>([[2, 2]])), tolerance: 1e-5,
                        case: "logits of ±1e4 (e^1e4 is inf)", hint: 3)
        }
    }
}
