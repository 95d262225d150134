// The checks of 28-layer-norm-backward: your answer against the library's.

import Backprop
import CourseKit
import NDArray

@main
struct Checks {
    static func main() {
        Course.run("28-layer-norm-backward") { check in
            var rng = SeededGenerator(seed: 25)
            let x = NDArray<Double>.normal([2, 3, 6], using: &rng) * 2 + 1, dY = NDArray<Double>.normal([2, 3, 6], using: &rng)
            let gamma = NDArray<Double>.normal([6], using: &rng)
            let (mean, rstd) = x.layerNormStatistics(eps: 1e-5)
            let reference = layerNormBackward(dOut: dY, input: x, weight: gamma, mean: mean, rstd: rstd)
            let mine = layerNormGradients(dOut: dY, input: x, weight: gamma, eps: 1e-5)
            check.close(mine.dBias, reference.dBias, tolerance: 1e-10, case: "dβ: Σ over the B·T rows", hint: 1)
            check.close(mine.dWeight, reference.dWeight!, tolerance: 1e-10, case: "dγ: Σ over the rows of dY·n", hint: 1)
            check.close(mine.dInput, reference.dInput, tolerance: 1e-9, case: "dX of x [2, 3, 6]", hint: 2)
            // dX against a central difference of Σ layerNorm(x)·dY.
            let h = 1e-6
            func loss(_ x: NDArray<Double>) -> Double { (x.layerNorm(weight: gamma, bias: nil, eps: 1e-5) * dY).sum() }
            var up = x, down = x
            up[0, 2, 4] = up[0, 2, 4] + NDArray<Double>(h)
            down[0, 2, 4] = down[0, 2, 4] - NDArray<Double>(h)
            check.close(mine.dInput[0, 2, 4].item(), (loss(up) - loss(down)) / (2 * h), tolerance: 1e-6,
                        case: "dX[0, 2, 4] against a central difference: x moves its row's mean and variance too", hint: 3)
        }
    }
}
