// The checks of 12-embedding: your answer against the library's.

import CourseKit
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("12-embedding") { check in
            var rng = SeededGenerator(seed: 12)
            let table = NDArray<Float>.normal([10, 4], using: &rng)
            let layer = Embedding<Float>(weight: table)
            let ids = NDArray<Int>([[3, 1, 4], [1, 5, 9]])
            check.equal(embeddingLookup(ids, table: table), layer(ids), case: "ids [2, 3] into a [10, 4] table", hint: 1)
            check.equal(embeddingLookup(NDArray<Int>([[7, 7, 0, 9]]), table: table), layer(NDArray<Int>([[7, 7, 0, 9]])),
                        case: "a repeated id, the first row and the last (V − 1)", hint: 2)
            check.equal(embeddingLookup(ids, table: table.T.T), layer(ids), case: "the same table as a view of a view", hint: 3)
        }
    }
}
