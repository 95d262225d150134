// The checks of 08-layer-norm: your answer against the library's.

import CourseKit
import Foundation
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("08-layer-norm") { check in
            var rng = SeededGenerator(seed: 8)
            let layer = LayerNorm<Float>(normalizedShape: 6)
            layer.weight = NDArray<Float>.normal([6], using: &rng)
            layer.bias = NDArray<Float>.normal([6], using: &rng)
            let x = NDArray<Float>.normal([2, 3, 6], using: &rng)
            check.close(layerNormRows(x, weight: layer.weight!, bias: layer.bias!, eps: 1e-5), layer(x), tolerance: 1e-5,
                        case: "layer norm of [2, 3, 6] with γ and β", hint: 1)
            let constant = NDArray<Float>(shape: [1, 6], repeating: 3)
            check.close(layerNormRows(constant, weight: layer.weight!, bias: layer.bias!, eps: 1e-5), layer(constant), tolerance: 1e-5,
                        case: "a constant row: variance 0, so eps keeps it finite and y = β", hint: 2)
            let offset = x[0] + 10_000                                          // [3, 6], far from 0
            check.close(layerNormRows(offset, weight: layer.weight!, bias: layer.bias!, eps: 1e-5), layer(offset), tolerance: 1e-2,
                        case: "rows near 10,000 (mean(x²) − mean(x)² cancels to garbage in Float)", hint: 3)
            let rms = RMSNorm<Float>(normalizedShape: 6, eps: 1e-6)
            rms.weight = NDArray<Float>.normal([6], using: &rng)
            check.close(rmsNormRows(x, weight: rms.weight!, eps: 1e-6), rms(x), tolerance: 1e-5, case: "RMSNorm of [2, 3, 6]", hint: 1)
        }
    }
}
