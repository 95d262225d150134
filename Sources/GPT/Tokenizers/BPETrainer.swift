// BPETrainer.swift — learning the merges from a text, as Hugging Face's BpeTrainer does.
//
//   text ──pre-tokenize──▶ word counts   "Ġthe" ×41, "Ġto" ×9, …        (ByteLevel.swift)
//   vocabulary: the special tokens, then the 256 byte characters sorted by code point
//
//   words  Ġ t h e ×41   Ġ t o ×9     pairs  (Ġ,t) 50  (t,h) 41  (h,e) 41  (t,o) 9
//   merge 0   Ġ + t  → Ġt             words  Ġt h e ×41   Ġt o ×9
//   merge 1   h + e  → he             (Ġt,h) and (h,e) tie at 41: the smaller (left id,
//                                      right id) wins, and "h" (a byte) < "Ġt" (new)
//   merge 2   Ġt + he → Ġthe
//   merge 3   Ġt + o  → Ġto           … until the vocabulary has vocabSize tokens, or
//                                      the best pair is seen fewer than minFrequency times
//
// Each merge adds one token. The pair counts are kept up to date as words are
// merged, not recounted: a heap holds each pair with its count and the words it
// occurs in; an entry whose count has changed since it was pushed is pushed
// again with the new count when it comes up. This is Hugging Face's algorithm
// (tokenizers/src/models/bpe/trainer.rs, `BpeTrainer::do_train`, with
// `initial_alphabet=ByteLevel.alphabet()`), so the vocabulary and merges come out
// the same, id for id and line for line.
//
// Like Hugging Face, the trainer does not look for the special tokens in the
// text: "<|endoftext|>" in the training text is trained on as ordinary
// characters ("<|", "endoftext", "|>"). Remove the separators first if that is
// not what you want.
//
// Depends on: ByteLevel.swift, BPETokenizer.swift (`TokenPair`, `BPEHeap`).
// Not here: limit_alphabet, continuing_subword_prefix, end_of_word_suffix,
// max_token_length, training on several texts, progress bars, threads.

extension BPETokenizer {
    /// Learns a byte-level BPE from `text`: Hugging Face's `BpeTrainer` with the `ByteLevel`
    /// pre-tokenizer (`add_prefix_space=False`) and `initial_alphabet=ByteLevel.alphabet()`,
    /// trained on `text` as one sequence (`train_from_iterator([text])`).
    ///
    /// ```swift
    /// let tokenizer = BPETokenizer.train(text: shakespeare, vocabSize: 512, specialTokens: ["<|endoftext|>"])
    /// try tokenizer.write(to: folder)                        // vocab.json, merges.txt
    /// ```
    /// - Parameters:
    ///   - vocabSize: stop when the vocabulary has this many tokens (special tokens and the 256
    ///     bytes count; a smaller value gives those and no merges)
    ///   - specialTokens: the first ids, in order: `<|endoftext|>` is id 0 with `["<|endoftext|>"]`
    ///   - minFrequency: stop when the most frequent pair occurs fewer times than this
    /// - Returns: a tokenizer with ids `0..<specialTokens.count` for the special tokens, the next
    ///   256 for the bytes, then one per merge.
    /// - Complexity: about O(W + M·w) for W words, M merges and w words touched per merge.
    public static func train(text: String, vocabSize: Int, specialTokens: [String] = [], minFrequency: Int = 0)
        -> BPETokenizer {
        precondition(vocabSize >= 0, "BPETokenizer.train: vocabSize must not be negative, got \(vocabSize)")
        precondition(minFrequency >= 0, "BPETokenizer.train: minFrequency must not be negative, got \(minFrequency)")
        precondition(!specialTokens.contains(""), "BPETokenizer.train: a special token cannot be empty")
        var trainer = BPETrainer(text: text, specialTokens: specialTokens)
        trainer.learnMerges(vocabSize: vocabSize, minFrequency: minFrequency)
        return trainer.tokenizer(specialTokens: specialTokens)
    }
}

/// The state of one training run.
struct BPETrainer {
    /// The token of each id so far.
    var tokens: [String] = []
    /// The id of each token so far.
    var ids: [String: Int] = [:]
    /// Each distinct word of the text, as token ids (bytes at first).
    var words: [[Int]] = []
    /// How often each word occurs in the text.
    var counts: [Int] = []
    /// How often each adjacent pair occurs, over all words, weighted by the words' counts.
    var pairCounts: [TokenPair: Int] = [:]
    /// The pairs to merge, most frequent first.
    var queue = BPEHeap<PairEntry>()
    /// The merges in order; nil where a later merge of the same pair replaced one (see `addMerge`).
    var merges: [(pair: TokenPair, id: Int)?] = []
    /// Where each pair's merge is in `merges`.
    var mergeIndex: [TokenPair: Int] = [:]

    /// Counts the words of `text` and starts the vocabulary: special tokens, then the 256 bytes.
    init(text: String, specialTokens: [String]) {
        for token in specialTokens { addToken(token) }
        for character in ByteLevel.alphabet { addToken(String(character)) }
        let byteIDs = ByteLevel.characters.map { ids[String($0)]! }

        // 1. The words and their counts, in the order they first appear.
        let scalars = Array(text.unicodeScalars)
        var wordIndex: [[UInt8]: Int] = [:]
        var bytes: [UInt8] = []
        for piece in ByteLevel.pieces(of: scalars[...]) {
            bytes.removeAll(keepingCapacity: true)
            for scalar in scalars[piece] { UTF8.encode(scalar) { bytes.append($0) } }
            if let index = wordIndex[bytes] {
                counts[index] += 1
            } else {
                wordIndex[bytes] = words.count
                words.append(bytes.map { byteIDs[Int($0)] })
                counts.append(1)
            }
        }

        // 2. Every adjacent pair: its count and the words it occurs in.
        var wordsOfPair: [TokenPair: Set<Int>] = [:]
        for (index, word) in words.enumerated() where word.count >= 2 {
            for position in 0..<(word.count - 1) {
                let pair = TokenPair(word[position], word[position + 1])
                pairCounts[pair, default: 0] += counts[index]
                wordsOfPair[pair, default: []].insert(index)
            }
        }
        push(wordsOfPair)
    }

    /// Gives `token` the next id, unless it has one.
    @discardableResult
    mutating func addToken(_ token: String) -> Int {
        if let id = ids[token] { return id }
        ids[token] = tokens.count
        tokens.append(token)
        return tokens.count - 1
    }

    /// Queues each pair that occurs (count > 0) with the words given for it. Sorted by pair so
    /// that equal entries enter in the same order on every run.
    mutating func push(_ wordsOfPair: [TokenPair: Set<Int>]) {
        for pair in wordsOfPair.keys.sorted() {
            let count = pairCounts[pair] ?? 0
            if count > 0 { queue.push(PairEntry(pair: pair, count: count, words: wordsOfPair[pair]!)) }
        }
    }

    /// 3. Merges the most frequent pair, again and again.
    mutating func learnMerges(vocabSize: Int, minFrequency: Int) {
        while tokens.count < vocabSize, var top = queue.pop() {
            let count = pairCounts[top.pair] ?? 0
            if top.count != count {                 // counted before a merge changed it: queue it again
                top.count = count
                queue.push(top)
                continue
            }
            if count < 1 || count < minFrequency { break }

            let id = addToken(tokens[top.pair.left] + tokens[top.pair.right])
            addMerge(top.pair, id: id)

            // Merge the pair in every word it occurs in; count the pairs that go and come.
            var wordsOfNewPair: [TokenPair: Set<Int>] = [:]
            for index in top.words {
                for (pair, change) in merge(top.pair, into: id, inWord: index) {
                    pairCounts[pair, default: 0] += change * counts[index]
                    if change > 0 { wordsOfNewPair[pair, default: []].insert(index) }
                }
            }
            push(wordsOfNewPair)
        }
    }

    /// Records a merge. If the same pair was merged before (which happens when one token can be
    /// made in two ways, say "a"+"bc" and "ab"+"c", and the heap holds two entries for a pair),
    /// the earlier one is dropped: Hugging Face keeps one rank per pair, the last.
    mutating func addMerge(_ pair: TokenPair, id: Int) {
        if let earlier = mergeIndex[pair] { merges[earlier] = nil }
        mergeIndex[pair] = merges.count
        merges.append((pair, id))
    }

    /// Replaces each (left, right) in word `index`, from the left, by `id`. Returns how the pair
    /// counts change: -1 for each pair broken (the neighbours' pairs with left and right), +1
    /// for each pair made (the neighbours with the new token). Hugging Face: `Word::merge`.
    mutating func merge(_ pair: TokenPair, into id: Int, inWord index: Int) -> [(TokenPair, Int)] {
        var changes: [(TokenPair, Int)] = []
        let word = words[index]
        var merged: [Int] = []                                   // built in one pass: O(length), not O(length²)
        merged.reserveCapacity(word.count)
        var i = 0
        while i < word.count {
            if i + 1 < word.count && word[i] == pair.left && word[i + 1] == pair.right {
                if let previous = merged.last {                  // the left neighbour, already merged if it was one
                    changes.append((TokenPair(previous, pair.left), -1))
                    changes.append((TokenPair(previous, id), 1))
                }
                if i + 2 < word.count {
                    changes.append((TokenPair(pair.right, word[i + 2]), -1))
                    changes.append((TokenPair(id, word[i + 2]), 1))
                }
                merged.append(id)
                i += 2
            } else {
                merged.append(word[i])
                i += 1
            }
        }
        words[index] = merged
        return changes
    }

    /// The trained tokenizer.
    func tokenizer(specialTokens: [String]) -> BPETokenizer {
        var vocabulary: [String: Int] = [:]
        for (id, token) in tokens.enumerated() { vocabulary[token] = id }
        let rules = merges.compactMap { $0 }.map { BPETokenizer.Merge(tokens[$0.pair.left], tokens[$0.pair.right]) }
        do throws(BPETokenizer.Inconsistency) {
            return try BPETokenizer(checking: vocabulary, merges: rules, specialTokens: specialTokens)
        } catch {
            fatalError("BPETokenizer.train made an inconsistent vocabulary (a bug): \(error.problem)")
        }
    }
}

/// A pair in the trainer's heap: the higher count comes out first; on a tie, the smaller
/// (left id, right id). `words`: the words the pair occurs in (or did, when it was pushed).
struct PairEntry: Comparable {
    let pair: TokenPair
    var count: Int
    var words: Set<Int>
    static func < (a: PairEntry, b: PairEntry) -> Bool { a.count != b.count ? a.count > b.count : a.pair < b.pair }
    static func == (a: PairEntry, b: PairEntry) -> Bool { a.count == b.count && a.pair == b.pair }
}
