// The checks of 16-heads: your answer against the library's.

import CourseKit
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("16-heads") { check in
            var rng = SeededGenerator(seed: 15)
            let layer = MultiHeadAttention<Float>(hiddenDim: 12, numHeads: 3, dropout: 0, using: &rng)
            let x = NDArray<Float>.arange(2 * 4 * 12).reshaped(2, 4, 12)
            check.equal(splitHeads(x, numHeads: 3), layer.splitHeads(x), case: "[2, 4, 12] into 3 heads of 4", hint: 1)
            check.equal(splitHeads(x, numHeads: 3)[0, 1, 2], x[0, 2, 4..<8], case: "head 1 of token 2 is channels 4..<8", hint: 2)
            let heads = layer.splitHeads(x)
            check.equal(mergeHeads(heads), layer.mergeHeads(heads), case: "merging [2, 3, 4, 4] back to [2, 4, 12]", hint: 3)
            check.equal(mergeHeads(splitHeads(x, numHeads: 3)), x, case: "split then merge gives x back", hint: 3)
            check.equal(splitHeads(x, numHeads: 1), x.reshaped(2, 1, 4, 12),
                        case: "one head: [2, 1, 4, 12]", hint: 1)
        }
    }
}
