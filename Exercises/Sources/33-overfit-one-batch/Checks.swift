// The checks of 33-overfit-one-batch: your answer against the library's.

import CourseKit
import Backprop
import GPT
import NDArray

@main
struct Checks {
    static func main() {
        Course.run("33-overfit-one-batch") { check in
            func model() -> GPTModel<Double> {
                var rng = SeededGenerator(seed: 33)
                let gpt = GPTModel<Double>(config: GPTConfig(vocabSize: 10, maxSeqLen: 8, numLayers: 1, numHeads: 2, hiddenDim: 16,
                                                            dropout: 0), using: &rng)
                return gpt
            }
            let inputs = NDArray<Int>([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]]), targets = NDArray<Int>([[2, 3, 4, 5, 6, 7], [5, 4, 3, 2, 1, 0]])
            // The reference: the same loop, step by step, on a model built from the same seed.
            let reference = model()
            var gradients = Gradients(zerosFor: reference)
            var optimizer = Adam<Double>.adamW(learningRate: 3e-3, beta2: 0.99, weightDecay: 0)
            var expected: [Double] = []
            for _ in 0..<150 {
                gradients.zero()
                expected.append(reference.lossAndGradients(inputIds: inputs, targets: targets, into: &gradients))
                optimizer.step(reference, gradients)
            }
            let losses = overfit(model(), inputs: inputs, targets: targets, steps: 150, learningRate: 3e-3)
            check.equal(losses.count, 150, case: "one loss per step", hint: 1)
            check.close(losses[0], expected[0], tolerance: 1e-12, case: "the first loss, before any update (about ln 10 = 2.30)", hint: 1)
            check.close(losses[1], expected[1], tolerance: 1e-9, case: "the second loss: one AdamW step taken", hint: 2)
            check.close(losses[149], expected[149], tolerance: 1e-6, case: "the last of 150 steps", hint: 3)
            check.equal(losses[149] < 0.05, true, case: "the batch learnt by heart: the last loss below 0.05", hint: 3)
        }
    }
}
