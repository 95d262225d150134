// The checks of 11-linear: your answer against the library's.

import CourseKit
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("11-linear") { check in
            var rng = SeededGenerator(seed: 11)
            let weight = NDArray<Float>.normal([6, 4], using: &rng), bias = NDArray<Float>.normal([6], using: &rng)
            let x = NDArray<Float>.normal([2, 3, 4], using: &rng)
            let layer = Linear<Float>(weight: weight, bias: bias)
            check.close(linearForward(x, weight: weight, bias: bias), layer(x), case: "x [2, 3, 4], weight [6, 4] ([out, in]), bias [6]", hint: 1)
            check.close(linearForward(x, weight: weight, bias: nil), Linear<Float>(weight: weight, bias: nil)(x),
                        case: "no bias", hint: 2)
            let square = NDArray<Float>.normal([4, 4], using: &rng)
            check.close(linearForward(x, weight: square, bias: nil), Linear<Float>(weight: square, bias: nil)(x),
                        case: "a square weight [4, 4]: x·W has the right shape too, but not the right values", hint: 3)
        }
    }
}
