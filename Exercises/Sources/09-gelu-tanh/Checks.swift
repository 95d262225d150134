// The checks of 09-gelu-tanh: your answer against the library's.

import CourseKit
import Foundation
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("09-gelu-tanh") { check in
            let x = NDArray<Float>.arange(-4, 4, step: 0.25).reshaped(4, 8)
            check.close(geluTanh(x), gelu(x, approximate: true), tolerance: 1e-6, case: "x from −4 to 4 in steps of ¼", hint: 1)
            check.close(geluTanh(x), GELU<Float>(approximate: true).forwardReference(x), tolerance: 1e-6,
                        case: "the same, against the formula in whole-array operations", hint: 2)
            let far: NDArray<Float> = [-30, -12, 12, 30]
            check.close(geluTanh(far), gelu(far, approximate: true), tolerance: 1e-6, case: "far from 0: ±12, ±30 (x³ is large)", hint: 3)
            check.close(geluTanh(far), [0, 0, 12, 30], tolerance: 1e-6, case: "far from 0, by hand: 0 on the left, x on the right", hint: 3)
        }
    }
}
