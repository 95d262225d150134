// The checks of 31-sgd-adamw: your answer against the library's.

import Backprop
import CourseKit
import Foundation
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("31-sgd-adamw") { check in
            // The library's optimizers on a Linear layer's [2, 3] weight, three steps with changing gradients.
            var rng = SeededGenerator(seed: 26)
            let start = NDArray<Double>.normal([2, 3], using: &rng)
            let grads = (0..<3).map { _ in NDArray<Double>.normal([2, 3], using: &rng) }
            func run<Optimizer>(_ optimizer: inout Optimizer, _ step: (inout Optimizer, Linear<Double>, Gradients<Double>) -> Void) -> [[Double]] {
                let layer = Linear<Double>(weight: start, bias: nil)
                var out: [[Double]] = []
                for g in grads {
                    var gradients = Gradients(zerosFor: layer)
                    gradients.accumulate("weight", g)
                    step(&optimizer, layer, gradients)
                    out.append(layer.weight.scalars)
                }
                return out
            }
            var sgd = SGD<Double>(learningRate: 0.1, momentum: 0.9)
            let sgdReference = run(&sgd) { o, l, g in o.step(l, g) }
            var p = start.scalars, velocity: [Double]? = nil
            for (t, g) in grads.enumerated() {
                sgdStep(parameter: &p, gradient: g.scalars, velocity: &velocity, learningRate: 0.1, momentum: 0.9)
                check.close(NDArray(p), NDArray(sgdReference[t]), tolerance: 1e-12, case: "SGD with momentum 0.9, step \(t + 1)", hint: 1)
            }
            var adam = Adam<Double>.adamW(learningRate: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1)
            let adamReference = run(&adam) { o, l, g in o.step(l, g) }
            var q = start.scalars, m = [Double](repeating: 0, count: 6), v = [Double](repeating: 0, count: 6)
            for (t, g) in grads.enumerated() {
                adamWStep(parameter: &q, gradient: g.scalars, m: &m, v: &v, t: t + 1, learningRate: 0.01, beta1: 0.9, beta2: 0.99,
                          eps: 1e-8, weightDecay: 0.1)
                check.close(NDArray(q), NDArray(adamReference[t]), tolerance: 1e-12,
                            case: "AdamW (β₂ 0.99, weight decay 0.1), step \(t + 1)", hint: t == 0 ? 2 : 3)
            }
        }
    }
}
