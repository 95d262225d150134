// The checks of 06-matmul-loops: your answer against the library's.

import CourseKit
import NDArray

@main
struct Checks {
    static func main() {
        Course.run("06-matmul-loops") { check in
            var rng = SeededGenerator(seed: 6)
            let a = NDArray<Float>.normal([5, 7], using: &rng), b = NDArray<Float>.normal([7, 3], using: &rng)
            check.close(matmulLoops(a, b), matmul(a, b), tolerance: 1e-5, case: "[5, 7]·[7, 3]", hint: 1)
            check.close(matmulLoops(b.T, a.T), matmul(b.T, a.T), tolerance: 1e-5,
                        case: "transposed views [3, 7]·[7, 5] (not contiguous)", hint: 2)
            let column = NDArray<Float>.normal([4, 1], using: &rng), row = NDArray<Float>.normal([1, 6], using: &rng)
            check.close(matmulLoops(column, row), matmul(column, row), tolerance: 1e-6, case: "K = 1: an outer product [4, 1]·[1, 6]", hint: 3)
        }
    }
}
