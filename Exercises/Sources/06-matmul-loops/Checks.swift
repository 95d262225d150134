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
            let big = NDArray<Float>.normal([13, 17], using: &rng), other = NDArray<Float>.normal([17, 11], using: &rng)
            for tile in [4, 5, 32] {
                check.close(matmulBlocked(big, other, tile: tile), matmul(big, other), tolerance: 1e-5,
                            case: "blocked, [13, 17]·[17, 11] in tiles of \(tile)" + (tile == 32 ? " (one tile holds it all)" : " (the last tiles are smaller)"),
                            hint: 4)
            }
        }
    }
}
