// The checks of 27-softmax-backward: your answer against the library's.

import Backprop
import CourseKit
import NDArray

@main
struct Checks {
    static func main() {
        Course.run("27-softmax-backward") { check in
            var rng = SeededGenerator(seed: 24)
            let x = NDArray<Double>.normal([2, 3, 5], using: &rng), dY = NDArray<Double>.normal([2, 3, 5], using: &rng)
            let y = x.softmax(axis: -1)
            check.close(softmaxGradient(dOut: dY, output: y), softmaxBackward(dOut: dY, output: y), tolerance: 1e-12,
                        case: "rows of 5, against the library", hint: 1)
            // Against a central difference of Σ softmax(x)·dY.
            let h = 1e-6
            var up = x, down = x
            up[1, 2, 3] = up[1, 2, 3] + NDArray<Double>(h)
            down[1, 2, 3] = down[1, 2, 3] - NDArray<Double>(h)
            let numeric = ((up.softmax(axis: -1) * dY).sum() - (down.softmax(axis: -1) * dY).sum()) / (2 * h)
            check.close(softmaxGradient(dOut: dY, output: y)[1, 2, 3].item(), numeric, tolerance: 1e-7,
                        case: "entry [1, 2, 3] against a central difference", hint: 2)
            let masked = (x + NDArray<Double>([0, 0, -Double.infinity, 0, -Double.infinity])).softmax(axis: -1)
            check.close(softmaxGradient(dOut: dY, output: masked), softmaxBackward(dOut: dY, output: masked), tolerance: 1e-12,
                        case: "masked keys (weight 0) get no gradient", hint: 3)
        }
    }
}
