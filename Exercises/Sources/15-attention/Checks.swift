// The checks of 15-attention: your answer against the library's.

import CourseKit
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("15-attention") { check in
            var rng = SeededGenerator(seed: 14)
            let q = NDArray<Float>.normal([2, 3, 5, 4], using: &rng), k = NDArray<Float>.normal([2, 3, 5, 4], using: &rng)
            let v = NDArray<Float>.normal([2, 3, 5, 4], using: &rng)
            let reference = ScaledDotProductAttention<Float>()
            let plain = reference(query: q, key: k, value: v)
            let mine = attention(query: q, key: k, value: v, mask: nil)
            check.close(mine.weights, plain.weights, tolerance: 1e-5, case: "weights of [2, 3, 5, 4] queries and keys, no mask", hint: 1)
            check.close(mine.output, plain.output, tolerance: 1e-5, case: "output, no mask", hint: 1)
            let causal = createCausalMask(seqLen: 5)
            check.close(attention(query: q, key: k, value: v, mask: causal).output, reference(query: q, key: k, value: v, mask: causal).output,
                        tolerance: 1e-5, case: "a causal mask [T, T], broadcast over [B, NH]", hint: 2)
            let fewer = NDArray<Float>.normal([2, 3, 2, 4], using: &rng)                 // Tq = 2 queries over Tk = 5 keys
            check.close(attention(query: fewer, key: k, value: v, mask: nil).output, reference(query: fewer, key: k, value: v).output,
                        tolerance: 1e-5, case: "Tq = 2 queries over Tk = 5 keys (cross-attention's shapes)", hint: 3)
            var blind = NDArray<Float>.zeros([5, 5])
            blind[0] = NDArray(shape: [5], repeating: -.infinity)                        // query 0 may see nothing
            check.close(attention(query: q, key: k, value: v, mask: blind).weights[.all, .all, 0], .zeros([2, 3, 5]),
                        case: "a query whose every key is masked: weights 0, output 0, never NaN", hint: 3)
        }
    }
}
