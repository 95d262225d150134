// The checks of 13-sinusoidal-positions: your answer against the library's.

import CourseKit
import Foundation
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("13-sinusoidal-positions") { check in
            for (t, c) in [(16, 8), (50, 32)] {
                check.close(sinusoidalTable(maxSeqLen: t, embeddingDim: c), PositionalEncoding<Float>(maxSeqLen: t, embeddingDim: c).encoding,
                            tolerance: 1e-5, case: "T = \(t), C = \(c)", hint: 1)
            }
            check.close(sinusoidalTable(maxSeqLen: 4, embeddingDim: 6)[0], [0, 1, 0, 1, 0, 1], case: "position 0, by hand: sin 0 = 0, cos 0 = 1", hint: 2)
            check.close(sinusoidalTable(maxSeqLen: 8, embeddingDim: 5), PositionalEncoding<Float>(maxSeqLen: 8, embeddingDim: 5).encoding,
                        tolerance: 1e-5, case: "an odd C = 5: three sine columns, two cosine", hint: 3)
        }
    }
}
