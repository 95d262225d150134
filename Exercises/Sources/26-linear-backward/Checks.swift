// The checks of 26-linear-backward: your answer against the library's.

import Backprop
import CourseKit
import NDArray

@main
struct Checks {
    static func main() {
        Course.run("26-linear-backward") { check in
            var rng = SeededGenerator(seed: 21)
            let x = NDArray<Double>.normal([2, 3, 4], using: &rng), w = NDArray<Double>.normal([5, 4], using: &rng)
            let dY = NDArray<Double>.normal([2, 3, 5], using: &rng)
            let mine = linearGradients(dOut: dY, input: x, weight: w)
            let reference = linearBackward(dOut: dY, input: x, weight: w)
            check.close(mine.dInput, reference.dInput, tolerance: 1e-10, case: "dX of x [2, 3, 4], W [5, 4]", hint: 1)
            check.close(mine.dWeight, reference.dWeight, tolerance: 1e-10, case: "dW: summed over all B·T = 6 tokens", hint: 2)
            check.close(mine.dBias, reference.dBias!, tolerance: 1e-10, case: "db: summed over all 6 tokens", hint: 2)
            // dW against a central difference of Σ y·dY.
            let h = 1e-6
            func loss(_ w: NDArray<Double>) -> Double { (matmul(x, w.T) * dY).sum() }
            var up = w, down = w
            up[2, 1] = up[2, 1] + NDArray<Double>(h)
            down[2, 1] = down[2, 1] - NDArray<Double>(h)
            check.close(mine.dWeight[2, 1].item(), (loss(up) - loss(down)) / (2 * h), tolerance: 1e-6,
                        case: "dW[2, 1] against a central difference", hint: 3)
        }
    }
}
