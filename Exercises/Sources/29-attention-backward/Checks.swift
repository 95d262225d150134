// The checks of 29-attention-backward: your answer against the library's.

import Backprop
import CourseKit
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("29-attention-backward") { check in
            var rng = SeededGenerator(seed: 32)
            let q = NDArray<Double>.normal([2, 2, 4, 3], using: &rng), k = NDArray<Double>.normal([2, 2, 4, 3], using: &rng)
            let v = NDArray<Double>.normal([2, 2, 4, 3], using: &rng), dO = NDArray<Double>.normal([2, 2, 4, 3], using: &rng)
            let attention = ScaledDotProductAttention<Double>()
            func reference(_ mask: NDArray<Double>?) -> (dQuery: NDArray<Double>, dKey: NDArray<Double>, dValue: NDArray<Double>) {
                attention.backward(dO, attention.forwardSaving(query: q, key: k, value: v, mask: mask).saved)
            }
            let plain = reference(nil), mine = attentionGradients(dOut: dO, query: q, key: k, value: v, mask: nil)
            check.close(mine.dValue, plain.dValue, tolerance: 1e-10, case: "dv, no mask", hint: 1)
            check.close(mine.dQuery, plain.dQuery, tolerance: 1e-10, case: "dq, no mask", hint: 2)
            check.close(mine.dKey, plain.dKey, tolerance: 1e-10, case: "dk, no mask", hint: 2)
            let causal: NDArray<Double> = createCausalMask(seqLen: 4)
            let masked = attentionGradients(dOut: dO, query: q, key: k, value: v, mask: causal), expected = reference(causal)
            check.close(masked.dQuery, expected.dQuery, tolerance: 1e-10, case: "dq with a causal mask", hint: 3)
            check.close(masked.dKey, expected.dKey, tolerance: 1e-10, case: "dk with a causal mask: the last key gets gradient from the last query only", hint: 3)
        }
    }
}
