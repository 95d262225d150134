// The checks of 30-gradient-check: your answer against the library's.

import CourseKit
import Foundation

@main
struct Checks {
    static func main() {
        Course.run("30-gradient-check") { check in
            // f(x) = x0²·x1 + sin(x2) + e^{x0·x2}, by hand: ∂/∂x0 = 2·x0·x1 + x2·e^{x0·x2}, ∂/∂x1 = x0², ∂/∂x2 = cos x2 + x0·e^{x0·x2}.
            func f(_ x: [Double]) -> Double { x[0] * x[0] * x[1] + Foundation.sin(x[2]) + Foundation.exp(x[0] * x[2]) }
            let x = [0.7, -1.3, 0.4]
            let exact = [2 * x[0] * x[1] + x[2] * Foundation.exp(x[0] * x[2]), x[0] * x[0],
                         Foundation.cos(x[2]) + x[0] * Foundation.exp(x[0] * x[2])]
            let mine = numericalGradient(of: f, at: x, h: 1e-5)
            check.equal(mine.count, 3, case: "one partial derivative per input", hint: 1)
            for i in 0..<3 {
                check.close(mine[i], exact[i], tolerance: 1e-8, case: "∂f/∂x\(i) at [0.7, −1.3, 0.4], against the derivative by hand", hint: 2)
            }
            // A large step shows the difference between the two formulas.
            let coarse = numericalGradient(of: f, at: x, h: 1e-2)
            check.close(coarse[1], exact[1], tolerance: 1e-9, case: "∂f/∂x1 with h = 0.01: exact for a function linear in x1 (central differences)", hint: 3)
            check.close(coarse[0], exact[0], tolerance: 5e-4, case: "∂f/∂x0 with h = 0.01: an error of O(h²), not O(h)", hint: 3)
        }
    }
}
