// BPETokenizer.swift — byte-level byte-pair encoding, as GPT-2 and Hugging Face's
// `tokenizers` do it: text → words → bytes → merged tokens → ids, and back.
//
//   "the cat" ──pre-tokenize──▶ "the"  "Ġcat"          (ByteLevel.swift: words, bytes as characters)
//
//   merges.txt       "the":  t h e            "Ġcat":  Ġ c a t
//   rank 0  h e              t he    rank 0            Ġ c at    rank 1
//   rank 1  a t              the     rank 2            Ġc at     rank 3
//   rank 2  t he                                       Ġcat      rank 4
//   rank 3  Ġ c
//   rank 4  Ġc at    ──vocab.json──▶  ["the", "Ġcat"]  →  ids [258, 260]
//                    (ids 0…255 are the bytes, then one per merge: "he" 256, "at" 257, …)
//
// Within a word, the adjacent pair whose merge has the lowest rank (the earliest
// line of merges.txt) is merged, the leftmost if it occurs twice, until no pair
// has a merge. `explain(_:)` prints these steps for any text. Special tokens
// such as "<|endoftext|>" are cut out of the text first and map straight to
// their ids, as Hugging Face's added tokens do. Decoding joins the tokens'
// bytes and reads them as UTF-8; bytes that are not valid UTF-8 (a token sampled
// mid-character) become U+FFFD, as Hugging Face's decoder does.
//
// Files are Hugging Face's `model.save` pair, byte for byte: vocab.json (token
// → id, compact, in id order) and merges.txt ("#version: 0.2", then one "left
// right" pair per line, in rank order). Both are read with checks that name the
// file, the line and the problem, and written atomically (BPETokenizer+Files.swift).
//
// Depends on: Foundation, ByteLevel.swift, BPEMergeQueue.swift, TokenizerError.swift.
// Not here: training (BPETrainer.swift), BPE dropout, offsets, unk tokens and
// byte fallback (a byte-level vocabulary has all 256 bytes), tiktoken's files.

import Foundation

/// A byte-level BPE tokenizer: GPT-2's, or one trained with `train(text:vocabSize:specialTokens:minFrequency:)`.
///
/// ```swift
/// let folder = URL(fileURLWithPath: "gpt2")                    // vocab.json, merges.txt
/// let tokenizer = try BPETokenizer(directory: folder)         // "<|endoftext|>" is special
/// let ids = tokenizer.encode("Hello world<|endoftext|>")      // GPT-2: [15496, 995, 50256]
/// let text = try tokenizer.decode(ids)                        // "Hello world<|endoftext|>"
/// print(tokenizer.explain("Hello"))                           // the merges, step by step
/// ```
///
/// Hugging Face: `Tokenizer(models.BPE.from_file(vocab, merges))` with the `ByteLevel`
/// pre-tokenizer (`add_prefix_space=False`) and decoder, and the special tokens added.
/// A value type, immutable after creation: share it freely between threads.
public struct BPETokenizer: Sendable, Equatable, CustomStringConvertible {
    /// One merge rule: the tokens `left` and `right`, next to each other, become `left + right`.
    public struct Merge: Hashable, Sendable, CustomStringConvertible {
        /// The left token (a byte-level string such as "Ġt").
        public let left: String
        /// The right token.
        public let right: String
        /// The token the merge makes.
        public var merged: String { left + right }
        /// A merge of `left` and `right`.
        public init(_ left: String, _ right: String) {
            self.left = left
            self.right = right
        }
        /// "left right", as a line of merges.txt.
        public var description: String { "\(left) \(right)" }
    }

    /// Every token (a byte-level string, or a special token) and its id.
    public let vocabulary: [String: Int]
    /// The merges in rank order: `merges[0]` is applied first.
    public let merges: [Merge]
    /// The tokens cut out of the text before anything else, such as "<|endoftext|>".
    public let specialTokens: [String]

    /// The token of each id.
    let tokens: [String]
    /// The bytes each id decodes to.
    let tokenBytes: [[UInt8]]
    /// Whether each id is a special token.
    let isSpecial: [Bool]
    /// The id of the one-byte token of each byte.
    let byteIDs: [Int]
    /// What each mergeable pair of ids becomes, and the merge's rank.
    let mergeTable: [TokenPair: MergeResult]
    /// The special tokens by their first character, longest first: (characters, id).
    let specialTokensByFirstCharacter: [Unicode.Scalar: [(characters: [Unicode.Scalar], id: Int)]]

    /// V, the number of tokens: the ids are 0..<V.
    public var vocabSize: Int { tokens.count }

    /// The token of `id` (a byte-level string: "Ġworld" for " world"), or nil.
    public func token(for id: Int) -> String? { id >= 0 && id < tokens.count ? tokens[id] : nil }

    /// The id of `token` (a byte-level string, or a special token), or nil.
    public func id(for token: String) -> Int? { vocabulary[token] }

    // MARK: - Creating

    /// A tokenizer from a vocabulary and its merges.
    /// - Parameters:
    ///   - vocabulary: token → id; the ids exactly 0..<count, all 256 one-byte tokens present
    ///   - merges: in rank order; each merge's two tokens and their concatenation must be in the vocabulary
    ///     (if a pair appears twice, the later rank counts, as in Hugging Face)
    ///   - specialTokens: tokens of the vocabulary to cut out of the text before pre-tokenizing
    /// - Throws: `TokenizerError.invalidArgument` saying what does not fit.
    public init(vocabulary: [String: Int], merges: [Merge], specialTokens: [String] = []) throws(TokenizerError) {
        do throws(Inconsistency) {
            try self.init(checking: vocabulary, merges: merges, specialTokens: specialTokens)
        } catch {
            switch error.place {
            case .vocabulary: throw .invalidArgument("BPETokenizer: the vocabulary: \(error.problem)")
            case .merge(let rank): throw .invalidArgument("BPETokenizer: merge \(rank) (\"\(merges[rank])\"): \(error.problem)")
            case .specialTokens: throw .invalidArgument("BPETokenizer: \(error.problem)")
            }
        }
    }

    /// Where a vocabulary and its merges do not fit together, and how.
    struct Inconsistency: Error {
        enum Place { case vocabulary, merge(Int), specialTokens }
        let place: Place
        let problem: String
    }

    /// Checks the parts fit together and builds the lookup tables.
    init(checking vocabulary: [String: Int], merges: [Merge], specialTokens: [String]) throws(Inconsistency) {
        // The ids: each of 0..<count once.
        var slots = [String?](repeating: nil, count: vocabulary.count)
        let outside = vocabulary.filter { !(0..<vocabulary.count).contains($0.value) }
        if let (token, id) = outside.min(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
            let used = Set(vocabulary.values)
            let missing = (0..<vocabulary.count).first { !used.contains($0) }
            throw Inconsistency(place: .vocabulary, problem: "the \(vocabulary.count) tokens must have the ids "
                + "0..<\(vocabulary.count), each once, but " + (missing.map { "id \($0) has no token and " } ?? "")
                + "the token \(token.debugDescription) has id \(id)"
                + (outside.count > 1 ? " (and \(outside.count - 1) more tokens have ids outside 0..<\(vocabulary.count))" : ""))
        }
        for (token, id) in vocabulary {
            if let other = slots[id] {
                let (a, b) = other < token ? (other, token) : (token, other)      // the same message whatever the order
                throw Inconsistency(place: .vocabulary,
                                    problem: "the tokens \(a.debugDescription) and \(b.debugDescription) both have id \(id)")
            }
            slots[id] = token
        }
        let tokens = slots.map { $0! }           // count tokens, unique ids in 0..<count: every slot is filled
        // Every byte has a token, so every text can be encoded.
        var byteIDs: [Int] = []
        for (byte, character) in ByteLevel.characters.enumerated() {
            guard let id = vocabulary[String(character)] else {
                let hex = String(byte, radix: 16, uppercase: true)
                throw Inconsistency(place: .vocabulary, problem: "the byte 0x\(hex.count == 1 ? "0" + hex : hex) has no "
                    + "token (its character is \(TokenizerError.describe(character))); a byte-level vocabulary needs all 256")
            }
            byteIDs.append(id)
        }
        // Each merge joins two tokens into a third, all in the vocabulary.
        var mergeTable: [TokenPair: MergeResult] = [:]
        mergeTable.reserveCapacity(merges.count)
        for (rank, merge) in merges.enumerated() {
            for part in [merge.left, merge.right] where vocabulary[part] == nil {
                throw Inconsistency(place: .merge(rank), problem: "the token \(part.debugDescription) is not in the vocabulary")
            }
            guard let merged = vocabulary[merge.merged] else {
                throw Inconsistency(place: .merge(rank),
                                    problem: "the merged token \(merge.merged.debugDescription) is not in the vocabulary")
            }
            mergeTable[TokenPair(vocabulary[merge.left]!, vocabulary[merge.right]!)] = MergeResult(rank: rank, id: merged)
        }
        // Special tokens: in the vocabulary, and matched longest first.
        var isSpecial = [Bool](repeating: false, count: tokens.count)
        var byFirst: [Unicode.Scalar: [(characters: [Unicode.Scalar], id: Int)]] = [:]
        for token in specialTokens {
            guard let id = vocabulary[token], let first = token.unicodeScalars.first else {
                throw Inconsistency(place: .specialTokens, problem: token.isEmpty ? "a special token cannot be empty"
                    : "the special token \(token.debugDescription) is not in the vocabulary; pass the vocabulary's "
                        + "own special tokens as specialTokens (or [] if it has none)")
            }
            if isSpecial[id] { continue }
            isSpecial[id] = true
            byFirst[first, default: []].append((Array(token.unicodeScalars), id))
        }
        for key in byFirst.keys { byFirst[key]!.sort { $0.characters.count > $1.characters.count } }

        self.vocabulary = vocabulary
        self.merges = merges
        self.specialTokens = specialTokens
        self.tokens = tokens
        // A token that is not spelled with stand-ins (a special token with a real space, say) is its own UTF-8.
        self.tokenBytes = tokens.enumerated().map { id, token in
            isSpecial[id] ? Array(token.utf8) : (ByteLevel.decode(token) ?? Array(token.utf8))
        }
        self.isSpecial = isSpecial
        self.byteIDs = byteIDs
        self.mergeTable = mergeTable
        self.specialTokensByFirstCharacter = byFirst
    }

    /// A one-line summary: `BPETokenizer(vocabSize: 400, merges: 143, specialTokens: ["<|endoftext|>"])`.
    public var description: String {
        "BPETokenizer(vocabSize: \(vocabSize), merges: \(merges.count), specialTokens: \(specialTokens))"
    }

    /// Equal when the vocabulary, the merges (in order) and the special tokens are.
    public static func == (a: BPETokenizer, b: BPETokenizer) -> Bool {
        a.vocabulary == b.vocabulary && a.merges == b.merges && a.specialTokens == b.specialTokens
    }

    // MARK: - Encoding

    /// The ids of `text`.
    ///
    /// Special tokens are cut out first (the leftmost, and the longest where two start at the
    /// same place) and become their ids; each stretch of text between them is pre-tokenized
    /// on its own, and each word's bytes are merged as `explain(_:)` shows. Every text can be
    /// encoded: there is no unknown token. Words seen twice are merged once (a per-call cache).
    /// - Parameter splittingSpecialTokens: false to encode "<|endoftext|>" in the text as
    ///   ordinary characters (Hugging Face: `encode_special_tokens=True`), for untrusted text.
    /// - Complexity: O(n log n) in the length of the longest word, O(n) overall for ordinary text.
    public func encode(_ text: String, splittingSpecialTokens: Bool = true) -> [Int] {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int] = []
        ids.reserveCapacity(scalars.count / 3)
        var cache: [[UInt8]: [Int]] = [:]
        var bytes: [UInt8] = []
        for segment in segments(of: scalars, splittingSpecialTokens: splittingSpecialTokens) {
            switch segment {
            case .special(let id):
                ids.append(id)
            case .text(let range):
                for piece in ByteLevel.pieces(of: scalars[range]) {
                    bytes.removeAll(keepingCapacity: true)
                    for scalar in scalars[piece] { UTF8.encode(scalar) { bytes.append($0) } }
                    if let known = cache[bytes] {
                        ids.append(contentsOf: known)
                    } else {
                        let merged = mergedIDs(of: bytes)
                        cache[bytes] = merged
                        ids.append(contentsOf: merged)
                    }
                }
            }
        }
        return ids
    }

    /// A stretch of the text: ordinary text (a range of unicode scalars) or one special token.
    enum Segment: Equatable {
        case text(Range<Int>)
        case special(Int)
    }

    /// The text cut at its special tokens, leftmost-longest as Hugging Face's added vocabulary does.
    func segments(of scalars: [Unicode.Scalar], splittingSpecialTokens: Bool) -> [Segment] {
        guard splittingSpecialTokens && !specialTokensByFirstCharacter.isEmpty else {
            return scalars.isEmpty ? [] : [.text(0..<scalars.count)]
        }
        var segments: [Segment] = []
        var textStart = 0
        var i = 0
        search: while i < scalars.count {
            for candidate in specialTokensByFirstCharacter[scalars[i]] ?? [] {
                let end = i + candidate.characters.count
                if end <= scalars.count && scalars[i..<end].elementsEqual(candidate.characters) {
                    if textStart < i { segments.append(.text(textStart..<i)) }
                    segments.append(.special(candidate.id))
                    i = end
                    textStart = end
                    continue search
                }
            }
            i += 1
        }
        if textStart < scalars.count { segments.append(.text(textStart..<scalars.count)) }
        return segments
    }

    /// The ids of one word: its bytes' tokens, merged lowest rank first (leftmost first on a tie).
    ///
    /// Hugging Face's `Word::merge_all`: the candidate merges wait in a heap ordered by (rank,
    /// position); the symbols form a linked list, so a merge costs O(log n), not O(n). Entries
    /// made stale by an earlier merge (a symbol merged away, or a neighbour changed) are skipped
    /// when they come up. `mergedIDsReference(of:)` is the plain twin, and the test oracle.
    func mergedIDs(of bytes: [UInt8]) -> [Int] {
        var symbols = bytes.map { byteIDs[Int($0)] }
        let n = symbols.count
        if n < 2 { return symbols }
        var next = Array(1...n)                      // next[i]: the symbol after i; n for none
        var previous = Array(-1..<(n - 1))           // previous[i]: the symbol before i; -1 for none
        var merged = [Bool](repeating: false, count: n)  // merged into the symbol on its left
        var queue = BPEHeap<MergeCandidate>()
        func consider(_ position: Int) {             // the pair (position, next[position]), if it has a merge
            guard next[position] < n, let merge = mergeTable[TokenPair(symbols[position], symbols[next[position]])]
            else { return }
            queue.push(MergeCandidate(rank: merge.rank, position: position, id: merge.id))
        }
        for position in 0..<(n - 1) { consider(position) }
        while let candidate = queue.pop() {
            let i = candidate.position
            let j = next[i]
            guard !merged[i], j < n, mergeTable[TokenPair(symbols[i], symbols[j])]?.id == candidate.id else {
                continue                             // stale: the pair at i is no longer this one
            }
            symbols[i] = candidate.id                // i absorbs j
            merged[j] = true
            next[i] = next[j]
            if next[j] < n { previous[next[j]] = i }
            if previous[i] >= 0 { consider(previous[i]) }
            consider(i)
        }
        return (0..<n).compactMap { merged[$0] ? nil : symbols[$0] }
    }

    /// The plain twin of `mergedIDs(of:)`: find the adjacent pair with the lowest rank
    /// (the leftmost among equals), merge it, repeat. O(n²) per word; the same result.
    /// - Parameter record: called after each merge with the merge's rank, its position, and the ids.
    func mergedIDsReference(of bytes: [UInt8], record: (_ rank: Int, _ position: Int, _ ids: [Int]) -> Void = { _, _, _ in })
        -> [Int] {
        var ids = bytes.map { byteIDs[Int($0)] }
        while ids.count >= 2 {
            var best: (rank: Int, position: Int, id: Int)?
            for position in 0..<(ids.count - 1) {
                if let merge = mergeTable[TokenPair(ids[position], ids[position + 1])], merge.rank < (best?.rank ?? .max) {
                    best = (merge.rank, position, merge.id)
                }
            }
            guard let best else { break }
            ids.replaceSubrange(best.position...(best.position + 1), with: [best.id])
            record(best.rank, best.position, ids)
        }
        return ids
    }

    // MARK: - Decoding

    /// The text of `ids`: their bytes joined and read as UTF-8. Bytes that do not form valid
    /// UTF-8 (one token of a three-byte character, say) each become U+FFFD "�", as in
    /// Hugging Face's `decode` (Rust's `from_utf8_lossy`), so decode(encode(text)) == text.
    /// - Parameter skippingSpecialTokens: leave special tokens out (Hugging Face's default; here false).
    /// - Throws: `TokenizerError.unknownID` for an id that names no token. Ids come from
    ///   outside (a model's samples, whose output layer may be larger than the vocabulary, as
    ///   nanoGPT pads GPT-2's 50257 to 50304; a file), so a bad one is reported, not a crash.
    public func decode(_ ids: [Int], skippingSpecialTokens: Bool = false) throws(TokenizerError) -> String {
        String(decoding: try bytes(of: ids, skippingSpecialTokens: skippingSpecialTokens), as: UTF8.self)
    }

    /// The bytes of `ids`, before they are read as UTF-8: for streaming text out as it is
    /// generated, where a character can end in the next token.
    /// - Throws: `TokenizerError.unknownID` for an id that names no token.
    public func bytes(of ids: [Int], skippingSpecialTokens: Bool = false) throws(TokenizerError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids {
            guard id >= 0 && id < tokens.count else {
                throw .unknownID(id, vocabularySize: tokens.count)
            }
            if skippingSpecialTokens && isSpecial[id] { continue }
            bytes.append(contentsOf: tokenBytes[id])
        }
        return bytes
    }

    // MARK: - Explaining

    /// How `text` becomes ids, step by step: its special tokens, its words, each word's bytes,
    /// every merge with its rank (its line in merges.txt, counting from 0), and the ids.
    ///
    /// ```
    /// "Ġthe" = bytes 20 74 68 65
    ///   start               Ġ t h e
    ///   rank 0   Ġ + t      Ġt h e
    ///   rank 2   h + e      Ġt he
    ///   rank 7   Ġt + he    Ġthe
    ///   ids                 [264]
    /// ```
    /// ("Ġ" is the space: see ByteLevel.swift.) The steps are those of `mergedIDsReference(of:)`,
    /// which gives the same ids as `encode` (tested).
    public func explain(_ text: String) -> String {
        var lines: [String] = []
        let scalars = Array(text.unicodeScalars)
        for segment in segments(of: scalars, splittingSpecialTokens: true) {
            switch segment {
            case .special(let id):
                lines.append("\(tokens[id].debugDescription) is a special token: id \(id)")
            case .text(let range):
                for piece in ByteLevel.pieces(of: scalars[range]) {
                    var bytes: [UInt8] = []
                    for scalar in scalars[piece] { UTF8.encode(scalar) { bytes.append($0) } }
                    lines.append(contentsOf: explainWord(bytes))
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The lines of `explain(_:)` for one word.
    func explainWord(_ bytes: [UInt8]) -> [String] {
        func spelled(_ ids: [Int]) -> String { ids.map { tokens[$0] }.joined(separator: " ") }
        let hex = bytes.map { String($0, radix: 16, uppercase: true) }.map { $0.count == 1 ? "0" + $0 : $0 }
        var steps: [(rank: Int, left: String, right: String, symbols: String)] = []
        var before = bytes.map { byteIDs[Int($0)] }
        let ids = mergedIDsReference(of: bytes) { rank, position, after in
            steps.append((rank, tokens[before[position]], tokens[before[position + 1]], spelled(after)))
            before = after
        }
        let rankWidth = steps.map { String($0.rank).count }.max() ?? 1
        let merges = steps.map { step in
            let rank = String(step.rank)
            return "rank " + String(repeating: " ", count: rankWidth - rank.count) + rank + "   \(step.left) + \(step.right)"
        }
        let width = max(merges.map(\.count).max() ?? 0, "start".count) + 4
        func padded(_ s: String) -> String { s + String(repeating: " ", count: width - s.count) }
        var lines = ["\(ByteLevel.encode(bytes).debugDescription) = bytes \(hex.joined(separator: " "))"]
        lines.append("  " + padded("start") + spelled(bytes.map { byteIDs[Int($0)] }))
        for (merge, step) in zip(merges, steps) { lines.append("  " + padded(merge) + step.symbols) }
        lines.append("  " + padded("ids") + "\(ids)")
        return lines
    }
}
