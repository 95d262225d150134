// 24-bpe — byte-pair encoding: one merge step, then a whole word
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
    notDoneYet()
}

/// BPE: a word's characters, merged by rank until no merge applies.
/// - Parameter merges: the merges in rank order (the first is applied first)
func bpeEncode(_ word: String, merges: [(left: String, right: String)]) -> [String] {
    notDoneYet()
}
