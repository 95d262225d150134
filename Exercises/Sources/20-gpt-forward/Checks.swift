// The checks of 20-gpt-forward: your answer against the library's.

import CourseKit
import GPT
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("20-gpt-forward") { check in
            var rng = SeededGenerator(seed: 30)
            let config = GPTConfig(vocabSize: 13, maxSeqLen: 8, numLayers: 2, numHeads: 2, hiddenDim: 16)
            let model = GPTModel<Float>(config: config, using: &rng)
            model.updateParameters { name, value in if !name.contains("ln") { value = value * 10 } }   // sharper than a new model
            model.eval()
            let ids = NDArray<Int>([[3, 1, 4, 1, 5, 9], [2, 6, 5, 3, 5, 8]])
            check.close(gptLogits(ids, model), model(ids), tolerance: 1e-4, case: "[2, 6] ids, 2 blocks, a tied head", hint: 1)
            let short = NDArray<Int>([[7, 12]])
            check.close(gptLogits(short, model), model(short), tolerance: 1e-4, case: "T = 2 of a context of 8: positions 0 and 1 only", hint: 2)
            var untiedConfig = config
            untiedConfig.tieWeights = false
            let untied = GPTModel<Float>(config: untiedConfig, using: &rng)
            untied.eval()
            check.close(gptLogits(ids, untied), untied(ids), tolerance: 1e-4, case: "an untied head (lmHead)", hint: 3)
        }
    }
}
