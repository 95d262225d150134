// The checks of 23-kv-cache: your answer against the library's.

import CourseKit
import NDArray
import NN

@main
struct Checks {
    static func main() {
        Course.run("23-kv-cache") { check in
            var rng = SeededGenerator(seed: 19)
            let prompt = NDArray<Float>.normal([2, 3, 4, 5], using: &rng)
            let step1 = NDArray<Float>.normal([2, 3, 1, 5], using: &rng), step2 = NDArray<Float>.normal([2, 3, 1, 5], using: &rng)
            let cache = KeyValueCache<Float>()
            var mine = appendToCache(nil, prompt)
            check.equal(mine, cache.append(keys: prompt, values: prompt).keys, case: "the first step: the prompt's 4 tokens", hint: 1)
            mine = appendToCache(mine, step1)
            check.equal(mine, cache.append(keys: step1, values: step1).keys, case: "one new token after 4: [2, 3, 5, 5]", hint: 2)
            mine = appendToCache(mine, step2)
            check.equal(mine, cache.append(keys: step2, values: step2).keys, case: "and another: [2, 3, 6, 5]", hint: 2)
            check.equal(mine[.all, .all, 5], step2[.all, .all, 0], case: "the newest token is last along T", hint: 3)
        }
    }
}
