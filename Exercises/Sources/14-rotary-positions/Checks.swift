// The checks of 14-rotary-positions: your answer against the library's.

import CourseKit
import Foundation
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("14-rotary-positions") { check in
            var rng = SeededGenerator(seed: 17)
            let x = NDArray<Float>.normal([2, 3, 5, 8], using: &rng)
            let rope = RotaryEmbedding<Float>(headDim: 8, maxSeqLen: 64)
            check.close(rotate(x, offset: 0, base: 10000), rope(x), tolerance: 1e-5, case: "[2, 3, 5, 8] at positions 0..<5", hint: 1)
            check.close(rotate(x, offset: 0, base: 10000)[.all, .all, 0], x[.all, .all, 0], tolerance: 0,
                        case: "position 0 is not rotated at all (angle 0)", hint: 1)
            check.close(rotate(x, offset: 7, base: 10000), rope(x, offset: 7), tolerance: 1e-5,
                        case: "offset 7: the tokens after 7 cached ones", hint: 2)
            check.close(rotate(x, offset: 40, base: 10000), rope(x, offset: 40), tolerance: 1e-5,
                        case: "offset 40: larger angles (compute them in Double)", hint: 3)
        }
    }
}
