// The checks of 17-multi-head-attention: your answer against the library's.

import CourseKit
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("17-multi-head-attention") { check in
            var rng = SeededGenerator(seed: 28)
            let layer = MultiHeadAttention<Float>(hiddenDim: 8, numHeads: 2, dropout: 0, bias: true, using: &rng)
            layer.qkv.bias = NDArray<Float>.normal([24], using: &rng)
            layer.proj.bias = NDArray<Float>.normal([8], using: &rng)
            let x = NDArray<Float>.normal([2, 5, 8], using: &rng)
            func mine(_ mask: NDArray<Float>?, heads: Int = 2) -> NDArray<Float> {
                multiHeadSelfAttention(x, qkvWeight: layer.qkv.weight, qkvBias: layer.qkv.bias!, projWeight: layer.proj.weight,
                                       projBias: layer.proj.bias!, numHeads: heads, mask: mask)
            }
            check.close(mine(nil), layer(query: x, key: x, value: x), tolerance: 1e-5, case: "[2, 5, 8], 2 heads, no mask", hint: 1)
            let causal = createCausalMask(seqLen: 5)
            check.close(mine(causal), layer(query: x, key: x, value: x, mask: causal), tolerance: 1e-5, case: "a causal mask", hint: 2)
            let four = MultiHeadAttention<Float>(hiddenDim: 8, numHeads: 4, dropout: 0, bias: true, using: &rng)
            four.qkv.weight = layer.qkv.weight; four.qkv.bias = layer.qkv.bias; four.proj.weight = layer.proj.weight; four.proj.bias = layer.proj.bias
            check.close(mine(causal, heads: 4), four(query: x, key: x, value: x, mask: causal), tolerance: 1e-5,
                        case: "the same weights in 4 heads of 2: HS = C / NH changes the scale √HS", hint: 3)
        }
    }
}
