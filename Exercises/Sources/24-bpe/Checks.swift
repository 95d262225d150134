// The checks of 24-bpe: your answer against the library's.

import CourseKit

@main
struct Checks {
    static func main() {
        Course.run("24-bpe") { check in
            check.equal(mergePair(["l", "o", "w"], ("l", "o")), ["lo", "w"], case: "one occurrence", hint: 1)
            check.equal(mergePair(["a", "b", "a", "b"], ("a", "b")), ["ab", "ab"], case: "two occurrences, both joined", hint: 1)
            check.equal(mergePair(["a", "a", "a"], ("a", "a")), ["aa", "a"], case: "overlapping: a a a → aa a (from the left)", hint: 2)
            check.equal(mergePair(["x", "y"], ("y", "x")), ["x", "y"], case: "the pair in the other order does not match", hint: 1)
            let merges: [(left: String, right: String)] = [("l", "o"), ("lo", "w"), ("e", "r"), ("n", "e"), ("ne", "w"), ("new", "er"), ("low", "er")]
            check.equal(bpeEncode("lower", merges: merges), ["lower"], case: "lower: l o → lo w → low, e r → er, then low er", hint: 3)
            check.equal(bpeEncode("newer", merges: merges), ["newer"], case: "newer", hint: 3)
            check.equal(bpeEncode("slower", merges: Array(merges.prefix(3))), ["s", "low", "er"], case: "slower with the first three merges", hint: 3)
            check.equal(bpeEncode("ewe", merges: merges), ["e", "w", "e"], case: "no merge applies: the characters", hint: 3)
            check.equal(bpeEncode("", merges: merges), [], case: "the empty word", hint: 3)
        }
    }
}
