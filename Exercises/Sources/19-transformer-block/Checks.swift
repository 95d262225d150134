// The checks of 19-transformer-block: your answer against the library's.

import CourseKit
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("19-transformer-block") { check in
            var rng = SeededGenerator(seed: 29)
            let block = TransformerBlock<Float>(hiddenDim: 8, numHeads: 2, ffnDim: 32, dropout: 0, attentionBias: true, using: &rng)
            block.ln1.weight = NDArray<Float>.normal([8], using: &rng)
            block.ln2.bias = NDArray<Float>.normal([8], using: &rng)
            let x = NDArray<Float>.normal([2, 4, 8], using: &rng) * 3
            let causal = createCausalMask(seqLen: 4)
            check.close(preNormBlock(x, block, mask: causal), block(x, mask: causal), tolerance: 1e-5, case: "[2, 4, 8], causal", hint: 1)
            check.close(preNormBlock(x, block, mask: nil), block(x), tolerance: 1e-5, case: "no mask", hint: 2)
            let post = TransformerBlock<Float>(hiddenDim: 8, numHeads: 2, ffnDim: 32, dropout: 0, normPlacement: .post,
                                               attentionBias: true, using: &rng)
            post.ln1.weight = block.ln1.weight; post.ln2.bias = block.ln2.bias
            for (a, b) in zip(post.namedParameters, block.namedParameters) where a.name != "ln1.weight" && a.name != "ln2.bias" {
                post.updateParameters { name, value in if name == a.name { value = b.value } }
            }
            let gap: Float = (preNormBlock(x, block, mask: causal) - post(x, mask: causal)).map { Swift.abs($0) }.max()
            check.equal(gap > 1e-3, true, case: "pre-norm, not post-norm: ln(x + f(x)) is another block", hint: 3)
        }
    }
}
