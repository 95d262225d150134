// The checks of 22-sampling: your answer against the library's.

import CourseKit
import Foundation
import GPT
import NDArray

@main
struct Checks {
    static func main() {
        Course.run("22-sampling") { check in
            func reference(_ logits: [Double], temperature: Double, topK: Int?, topP: Double?) -> [Double] {
                var z = logits
                Sampling.applyTemperature(&z, temperature)
                if let topK { Sampling.applyTopK(&z, topK) }
                if let topP { Sampling.applyTopP(&z, topP) }
                return Sampling.softmax(z)
            }
            let logits = [2.0, 0.5, 3.1, -1.0, 3.1, 0.0, 1.2]
            check.equal(greedyToken(logits), Sampling.argmax(logits), case: "greedy, with a tie at the top (2 and 4: the first wins)", hint: 1)
            for (t, k, p) in [(1.0, nil, nil), (0.5, nil, nil), (2.0, nil, nil)] as [(Double, Int?, Double?)] {
                check.close(NDArray(samplingDistribution(logits, temperature: t, topK: k, topP: p)), NDArray(reference(logits, temperature: t, topK: k, topP: p)),
                            tolerance: 1e-12, case: "temperature \(t) alone", hint: 1)
            }
            check.close(NDArray(samplingDistribution(logits, temperature: 1, topK: 3, topP: nil)), NDArray(reference(logits, temperature: 1, topK: 3, topP: nil)),
                        tolerance: 1e-12, case: "top-k 3", hint: 2)
            let tied = [1.0, 2.0, 2.0, 2.0, 0.0]
            check.close(NDArray(samplingDistribution(tied, temperature: 1, topK: 2, topP: nil)), NDArray(reference(tied, temperature: 1, topK: 2, topP: nil)),
                        tolerance: 1e-12, case: "top-k 2 with three logits tied at the 2nd: all three stay", hint: 2)
            for p in [0.5, 0.9, 0.01] {
                check.close(NDArray(samplingDistribution(logits, temperature: 0.8, topK: 5, topP: p)),
                            NDArray(reference(logits, temperature: 0.8, topK: 5, topP: p)), tolerance: 1e-12,
                            case: "temperature 0.8, top-k 5, top-p \(p)" + (p < 0.1 ? " (the most likely token always stays)" : ""), hint: 3)
            }
        }
    }
}
