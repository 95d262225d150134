// The checks of 04-broadcasting: your answer against the library's.

import CourseKit
import NDArray

@main
struct Checks {
    static func main() {
        Course.run("04-broadcasting") { check in
            let pairs: [([Int], [Int], String)] = [
                ([2, 8, 4], [4], "a bias: [B, T, C] and [C]"), ([2, 4, 8, 8], [8, 8], "a causal mask: [B, NH, T, T] and [T, T]"),
                ([2, 1, 4], [3, 1], "[2, 1, 4] and [3, 1]: both stretch"), ([3, 1], [2, 1, 4], "the same, the other way round"),
                ([5], [], "a scalar's shape []"), ([2, 3], [4], "[2, 3] and [4]: no"), ([2, 1], [8, 4, 3], "[2, 1] and [8, 4, 3]: no"),
                ([1], [0], "[1] and an empty [0]: 1 stretches to 0"), ([0], [2], "[0] and [2]: no, 0 is not 1"),
            ]
            for (a, b, name) in pairs {
                check.equal(broadcastShape(a, b), try? broadcastShapes(a, b), case: name, hint: a.count == b.count ? 2 : 1)
            }
        }
    }
}
