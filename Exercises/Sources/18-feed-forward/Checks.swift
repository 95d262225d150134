// The checks of 18-feed-forward: your answer against the library's.

import CourseKit
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("18-feed-forward") { check in
            var rng = SeededGenerator(seed: 18)
            let layer = FeedForward<Float>(hiddenDim: 6, ffnDim: 24, dropout: 0, activation: .geluTanh, using: &rng)
            layer.up.bias = NDArray<Float>.normal([24], using: &rng)
            layer.down.bias = NDArray<Float>.normal([6], using: &rng)
            let x = NDArray<Float>.normal([2, 3, 6], using: &rng) * 3
            let mine = feedForward(x, upWeight: layer.up.weight, upBias: layer.up.bias!, downWeight: layer.down.weight,
                                   downBias: layer.down.bias!)
            check.close(mine, layer(x), tolerance: 1e-5, case: "x [2, 3, 6], F = 24, GELU's tanh form", hint: 1)
            let token = feedForward(x[0..<1, 1..<2], upWeight: layer.up.weight, upBias: layer.up.bias!,
                                    downWeight: layer.down.weight, downBias: layer.down.bias!)
            check.close(token, layer(x)[0..<1, 1..<2], tolerance: 1e-5, case: "one token alone gives what it gave among the others", hint: 2)
            let exact = FeedForward<Float>(hiddenDim: 6, ffnDim: 24, dropout: 0, activation: .gelu, using: &rng)
            exact.up.weight = layer.up.weight; exact.up.bias = layer.up.bias; exact.down.weight = layer.down.weight; exact.down.bias = layer.down.bias
            let exactOutput: NDArray<Float> = exact(x)
            let gap: Float = (mine - exactOutput).map { Swift.abs($0) }.max()
            check.equal(gap > 1e-5, true,
                        case: "the tanh form, not the exact GELU (they differ by up to 5e-4: enough to fail a tolerance of 1e-5)", hint: 3)
        }
    }
}
