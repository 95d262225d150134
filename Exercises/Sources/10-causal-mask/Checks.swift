// The checks of 10-causal-mask: your answer against the library's.

import CourseKit
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("10-causal-mask") { check in
            for t in [4, 7] {
                check.equal(causalMask(t), createCausalMask(seqLen: t), case: "T = \(t)", hint: 1)
            }
            check.equal(causalMask(1), createCausalMask(seqLen: 1), case: "T = 1: one token sees itself", hint: 2)
            // With −∞, a masked key gets weight exactly 0 even when its score is huge (−1e9 would leak).
            let scores: NDArray<Float> = [[0, 4e9, 0], [0, 0, 0], [1, 2, 3]]
            let weights = (scores + causalMask(3)).softmax(axis: -1)
            check.equal(weights[0], [1, 0, 0], case: "row 0 with a key scoring 4e9 in its future: weights [1, 0, 0]", hint: 3)
        }
    }
}
