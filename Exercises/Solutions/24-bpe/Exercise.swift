// 24-bpe (solution) — byte-pair encoding: one merge step, then a whole word
//
// Task: write `mergePair(_:_:)`, one merge step, and `bpeEncode(_:merges:)`, BPE's encoding of one
// word. A merge joins every occurrence of a pair of adjacent pieces, left to right, without
// overlaps; encoding starts from the characters and applies, again and again, the merge of
// lowest rank (earliest in the list) among the pairs present, until none applies.
//
//   ["l", "o", "w", "e", "r"] with merges [l o, lo w, e r] → ["low", "er"]
//
// Walkthrough: the tokenizer behind chapter 4's `tokenizer.encode` (`walkthrough tokenize TEXT` shows every merge).
// Notebook: Notebooks/05-tokens.swift, lesson 5 (`swift run -c release lesson 05`).
// The library's own: Sources/GPT/Tokenizers/BPETokenizer.swift (and BPEMergeQueue.swift).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 24-bpe`.

import CourseKit

/// One merge: every non-overlapping occurrence of (left, right), from the left, joined.
func mergePair(_ pieces: [String], _ pair: (left: String, right: String)) -> [String] {
    var out: [String] = []
    var i = 0
    while i < pieces.count {
        if i + 1 < pieces.count && pieces[i] == pair.left && pieces[i + 1] == pair.right {
            out.append(pair.left + pair.right)
            i += 2                                                   // the pieces just joined cannot join again
        } else {
            out.append(pieces[i])
            i += 1
        }
    }
    return out
}

/// BPE: a word's characters, merged by rank until no merge applies.
/// - Parameter merges: the merges in rank order (the first is applied first)
func bpeEncode(_ word: String, merges: [(left: String, right: String)]) -> [String] {
    var pieces = word.map { String($0) }
    while true {
        // The lowest-ranked merge among the adjacent pairs present.
        let present = Set(zip(pieces, pieces.dropFirst()).map { $0.0 + "\u{0}" + $0.1 })
        guard let best = merges.first(where: { present.contains($0.left + "\u{0}" + $0.right) }) else { return pieces }
        pieces = mergePair(pieces, best)
    }
}
