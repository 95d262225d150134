// %% [markdown]
// # Lesson 5 · Tokens: characters, bytes and byte pairs
//
// A GPT never sees text. It sees a list of integers, the token ids, each one a row of
// its embedding table (lesson 6). A tokenizer turns text into ids and back. This lesson
// builds the two kinds the library has: one token per character, as nanoGPT's
// Shakespeare model uses, and GPT-2's byte-level byte-pair encoding (BPE), which starts
// from the 256 bytes and learns, from a text, which neighbouring pieces to glue
// together. We learn a few merges by hand and check them against the library's trainer.
//
// Run this lesson with `swift run -c release lesson 05`; its rendered copy, with every
// output, is `Notebooks/Rendered/05-tokens.md`.

// %%
import GPT
import Notebook

// %% [markdown]
// ## A character tokenizer from scratch
//
// The simplest vocabulary: the characters of the training text, each once, sorted. A
// character's id is its place in that list; encoding looks each character up, decoding
// reads the list at each id. "Character" here means a unicode scalar (a code point),
// which is what Python's `sorted(set(text))` iterates over.

// %%
cell()
let text = "First Citizen:\nBefore we proceed any further, hear me speak."
let vocabulary = Set(text.unicodeScalars).sorted()          // sorted by code point
let idOf = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })

func encodeCharacters(_ s: String) -> [Int] { s.unicodeScalars.map { idOf[$0]! } }
func decodeCharacters(_ ids: [Int]) -> String {
    var scalars = String.UnicodeScalarView()
    for id in ids { scalars.append(vocabulary[id]) }
    return String(scalars)
}

print("V =", vocabulary.count)
print(vocabulary.map { String($0).debugDescription }.joined(separator: " "))
let ids = encodeCharacters("hear me")
print("encode(\"hear me\") =", ids)
print("decode back:", decodeCharacters(ids).debugDescription)

// %% [markdown]
// The newline sorts first (code point 10), then the space (32), the punctuation, the
// capitals and the small letters. The library's `CharTokenizer` builds the same list, so
// it gives the same ids.

// %%
cell()
let charTokenizer = CharTokenizer(text: text)
print("same vocabulary:", charTokenizer.characters == vocabulary)
do {
    let libraryIDs = try charTokenizer.encode(text)
    print("same ids for the whole text:", libraryIDs == encodeCharacters(text))
    print("decode(encode(text)) == text:", try charTokenizer.decode(libraryIDs) == text)
    _ = try charTokenizer.encode("Hear me!")
} catch {
    print("CharTokenizer:", error)
}

// %% [markdown]
// That last line shows the weakness: a character the text did not have ("H", "!") has
// no id at all. A vocabulary of characters is closed, and a big enough one (every
// Chinese character, every emoji) would be enormous.
//
// ## Characters are bytes in UTF-8
//
// A file holds bytes, not characters. UTF-8 writes each code point as one to four
// bytes: the 128 ASCII characters as themselves, everything else as a lead byte
// (110xxxxx for two bytes, 1110xxxx for three, 11110xxx for four) and continuation bytes
// 10xxxxxx, each carrying six bits of the code point. So "é" (U+00E9, 233) needs two:
// 110·00011 and 10·101001, that is C3 A9. Here is that arithmetic, checked against
// Swift's own `utf8` view.

// %%
cell()
func utf8TwoBytes(_ codePoint: Int) -> [Int] {                 // for 0x80 ..< 0x800
    [0b1100_0000 | (codePoint >> 6), 0b1000_0000 | (codePoint & 0b11_1111)]
}
let e = Int(("é" as Unicode.Scalar).value)
print("é is U+00E9 =", e, " by hand:", utf8TwoBytes(e).map { String($0, radix: 16, uppercase: true) },
      " Swift:", "é".utf8.map { String($0, radix: 16, uppercase: true) })
for word in ["a", "é", "€", "🙂", "café"] {
    let bytes = Array(word.utf8)
    print(word.padding(toLength: 5, withPad: " ", startingAt: 0),
          "\(word.unicodeScalars.count) scalar(s), \(bytes.count) byte(s):",
          bytes.map { String($0, radix: 16, uppercase: true) }.joined(separator: " "))
}

// %% [markdown]
// Tokenize bytes instead of characters and the vocabulary is exactly 256, whatever the
// language: nothing is ever unknown. The price is length: "café" is 5 tokens, not 4, and
// each Chinese character is 3. BPE wins the length back by learning merges.
//
// ## GPT-2's byte-to-unicode table
//
// GPT-2 stores its vocabulary as text (vocab.json, merges.txt), and a token may be any
// run of bytes, including a space, a newline or half of "é". So it spells every byte
// with a printable character: the 188 bytes that already print (! to ~, ¡ to ¬, ® to
// ÿ) stand for themselves, and the other 68 (controls, space, DEL, …) get the
// characters from U+0100 (Ā) on, in byte order. A space (byte 32, the 33rd of those 68)
// becomes U+0120 "Ġ", a newline (byte 10) U+010A "Ċ". That is the "Ġ" you see in GPT-2's
// tokens. Our own table, checked against the library's `ByteLevel.characters`:

// %%
cell()
func bytesToUnicode() -> [Unicode.Scalar] {                   // GPT-2's bytes_to_unicode()
    var table: [Unicode.Scalar] = []
    var next: UInt32 = 0x100                                    // the first stand-in
    for byte in 0..<256 {
        let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || byte >= 0xAE
        if printable {
            table.append(Unicode.Scalar(UInt8(byte)))
        } else {
            table.append(Unicode.Scalar(next)!)
            next += 1
        }
    }
    return table
}
let byteToCharacter = bytesToUnicode()
func spell(_ bytes: some Sequence<UInt8>) -> String {
    var scalars = String.UnicodeScalarView()
    for byte in bytes { scalars.append(byteToCharacter[Int(byte)]) }
    return String(scalars)
}
print("the same table as ByteLevel.characters:", byteToCharacter == ByteLevel.characters)
print("space → \(spell([32]))   newline → \(spell([10]))   tab → \(spell([9]))")
print("\" café\\n\" is spelled", spell(" café\n".utf8).debugDescription,
      " library:", ByteLevel.encode(Array(" café\n".utf8)).debugDescription)

// %% [markdown]
// ## Byte-pair encoding by hand
//
// BPE learns its vocabulary from a text. Start from the bytes. Count every pair of
// neighbouring tokens; the most frequent pair becomes a new token, and every occurrence
// of it in the text is replaced by that token. Repeat: each merge adds one token to the
// vocabulary and shortens the text. New tokens get ids 256, 257, …
//
// Our tiny text repeats a few words, so the pairs inside them are frequent. First, the
// pair counts of the raw bytes, as a bar chart:

// %%
cell()
let corpus = "low low low low lower lower newest newest newest widest widest"
typealias Pair = (left: Int, right: Int)
var tokenText = [String](repeating: "", count: 256)            // what each id spells
for byte in 0..<256 { tokenText[byte] = spell([UInt8(byte)]) }

/// Each adjacent pair with its count, in the order the pairs first appear.
func pairCounts(_ sequence: [Int]) -> [(pair: Pair, count: Int)] {
    var counts: [(pair: Pair, count: Int)] = []
    var place: [[Int]: Int] = [:]
    for (left, right) in zip(sequence, sequence.dropFirst()) {
        if let i = place[[left, right]] { counts[i].count += 1 } else {
            place[[left, right]] = counts.count
            counts.append(((left, right), 1))
        }
    }
    return counts
}
let bytes = corpus.utf8.map { Int($0) }
print(bytes.count, "bytes; the most frequent pairs:")
for (pair, count) in pairCounts(bytes).sorted(by: { $0.count > $1.count }).prefix(6) {
    let name = tokenText[pair.left] + " " + tokenText[pair.right]
    print(name.padding(toLength: 6, withPad: " ", startingAt: 0), String(repeating: "█", count: count), count)
}

// %% [markdown]
// Now the loop: find the most frequent pair (the first one seen, on a tie), give it the
// next id, replace it everywhere from the left, and print the merge and the text's length.

// %%
cell()
/// `sequence` with every (left, right), from the left, replaced by `id`.
func merge(_ sequence: [Int], _ pair: Pair, into id: Int) -> [Int] {
    var out: [Int] = []
    var i = 0
    while i < sequence.count {
        if i + 1 < sequence.count && sequence[i] == pair.left && sequence[i + 1] == pair.right {
            out.append(id)
            i += 2
        } else {
            out.append(sequence[i])
            i += 1
        }
    }
    return out
}
var sequence = bytes
for step in 0..<8 {
    let counts = pairCounts(sequence)
    var best = counts[0]
    for candidate in counts where candidate.count > best.count { best = candidate }
    let id = 256 + step
    tokenText.append(tokenText[best.pair.left] + tokenText[best.pair.right])
    sequence = merge(sequence, best.pair, into: id)
    let name = "\(tokenText[best.pair.left]) + \(tokenText[best.pair.right]) → \(tokenText[id].debugDescription)"
    print("merge \(step): \(name)".padding(toLength: 38, withPad: " ", startingAt: 0),
          "id \(id), seen \(best.count)×, \(sequence.count) tokens", String(repeating: "█", count: sequence.count / 2))
}
print(sequence.map { tokenText[$0] }.joined(separator: " | "))

// %% [markdown]
// Eight merges took the text from 62 tokens to 26, and the vocabulary from 256 to 264.
// (Merge 6 saved only two tokens: its three pairs overlap in "Ġlow Ġlow Ġlow Ġlow", and
// a merge from the left fits twice.) Two of the merges cross a word boundary: "estĠ"
// glues a word's ending to the space after it, and "ĠlowĠlow" is two words in one token.
// A vocabulary full of such accidents wastes its entries on phrases of the training text.
//
// ## GPT-2's way: words first, then merges inside words
//
// GPT-2 (and the library, which follows Hugging Face's trainer) makes two changes:
//
// 1. The text is first cut into words, and pairs are counted *inside* words only. A space
//    sticks to the word after it, so " lower" is one word, "Ġlower" in bytes. (The full
//    rule, GPT-2's regular expression, also separates digits, punctuation and runs of
//    spaces: `ByteLevel.preTokenize`. For letters and single spaces it is "cut before each
//    space", which we write by hand.)
// 2. The 256 byte tokens are numbered by their stand-in character's code point, not by
//    byte value: "!" is 0, "a" is 64, "Ġ" is 220, the same ids as GPT-2's vocab.json. A tie
//    between pairs goes to the smaller (left id, right id).
//
// Each distinct word is merged once and weighted by how often it occurs.

// %%
cell()
var words: [String] = []
for character in corpus {
    if character == " " || words.isEmpty { words.append("") }
    words[words.count - 1].append(character)
}
print("cut by hand:", words.map(\.debugDescription).joined(separator: " "))
print("the same as ByteLevel.preTokenize:", words == ByteLevel.preTokenize(corpus))

var wordCounts: [(word: String, count: Int)] = []
for word in words {
    if let i = wordCounts.firstIndex(where: { $0.word == word }) {
        wordCounts[i].count += 1
    } else {
        wordCounts.append((word, 1))
    }
}
var vocab = byteToCharacter.sorted().map { String($0) }          // id → token, the 256 bytes first
var idOfToken = Dictionary(uniqueKeysWithValues: vocab.enumerated().map { ($1, $0) })
print("ids of \"!\", \"a\", \"Ġ\":", idOfToken["!"]!, idOfToken["a"]!, idOfToken["Ġ"]!)
var pieces = wordCounts.map { entry in spell(entry.word.utf8).unicodeScalars.map { idOfToken[String($0)]! } }
for (entry, ids) in zip(wordCounts, pieces) {
    let word = "  \(entry.count) × \(spell(entry.word.utf8).debugDescription)"
    print(word.padding(toLength: 16, withPad: " ", startingAt: 0), ids)
}

// %% [markdown]
// The same loop as before, on the words: count the pairs (each word's pairs times its
// count), take the most frequent, the smaller ids on a tie, merge it in every word.

// %%
cell()
var myMerges: [(left: String, right: String)] = []
for step in 0..<8 {
    var counts: [[Int]: Int] = [:]
    for (ids, entry) in zip(pieces, wordCounts) {
        for (left, right) in zip(ids, ids.dropFirst()) { counts[[left, right], default: 0] += entry.count }
    }
    let ranked = counts.sorted { a, b in                        // most frequent first, then the smaller ids
        a.value != b.value ? a.value > b.value : a.key.lexicographicallyPrecedes(b.key)
    }
    let best = ranked[0]
    let (left, right) = (best.key[0], best.key[1])
    let token = vocab[left] + vocab[right]
    let id = vocab.count
    vocab.append(token)
    idOfToken[token] = id
    myMerges.append((vocab[left], vocab[right]))
    pieces = pieces.map { merge($0, (left, right), into: id) }
    let total = zip(pieces, wordCounts).map { $0.count * $1.count }.reduce(0, +)
    print("merge \(step): \(vocab[left]) + \(vocab[right]) → \(token.debugDescription)"
            .padding(toLength: 30, withPad: " ", startingAt: 0),
          "id \(id), seen \(best.value)×, \(total) tokens", String(repeating: "█", count: total / 2))
}
for (ids, entry) in zip(pieces, wordCounts) {
    print("  \(entry.count) × " + ids.map { vocab[$0] }.joined(separator: " "))
}

// %% [markdown]
// No merge crosses a word now; the vocabulary got "Ġnew" instead of "ĠlowĠlow". Note the
// tie at merge 2: "e s" and "Ġ low" were both seen 5 times, and (68, 82) is smaller than
// (220, 257). The first loop broke the same tie the other way.
//
// Now the library's trainer, `BPETokenizer.train`, on the same text, asked for a
// vocabulary of 256 + 8 tokens. It keeps its pair counts up to date in a heap instead of
// recounting (Hugging Face's algorithm), but it must pick the same pairs:

// %%
cell()
let bpe = BPETokenizer.train(text: corpus, vocabSize: 256 + 8)
print(bpe)
print("library merges:", bpe.merges.map(\.description))
print("the same merges:", bpe.merges.map { [$0.left, $0.right] } == myMerges.map { [$0.left, $0.right] })
print("the same ids:", vocab.indices.allSatisfy { bpe.id(for: vocab[$0]) == $0 })
print("merges.txt:", bpe.mergesFileContents.debugDescription)

// %% [markdown]
// ## Encoding new text with the merges
//
// To encode, cut the text into words, spell each word's bytes, then apply the learned
// merges in the order they were learned: find the pair present with the earliest merge
// (the leftmost, if it occurs twice), merge it, repeat until no pair has a merge. The
// order matters: a merge learned late may need tokens made by earlier ones.

// %%
cell()
let tokens = vocab, tokenIDs = idOfToken                       // the trained vocabulary, fixed from here on
let rank = Dictionary(uniqueKeysWithValues: myMerges.enumerated().map { r, merge in
    ([tokenIDs[merge.left]!, tokenIDs[merge.right]!], r)        // (left id, right id) → the merge's rank
})
func encodeWord(_ word: String) -> [Int] {
    var ids = spell(word.utf8).unicodeScalars.map { tokenIDs[String($0)]! }
    while true {
        var best: (rank: Int, position: Int)? = nil
        for position in 0..<max(0, ids.count - 1) {
            if let r = rank[[ids[position], ids[position + 1]]], r < (best?.rank ?? .max) { best = (r, position) }
        }
        guard let best else { return ids }
        let token = tokens[ids[best.position]] + tokens[ids[best.position + 1]]
        ids.replaceSubrange(best.position...(best.position + 1), with: [tokenIDs[token]!])
    }
}
let sentence = "the newest lowest slower wider café"
let mine = ByteLevel.preTokenize(sentence).flatMap(encodeWord)
let theirs = bpe.encode(sentence)
print("by hand:", mine.map { tokens[$0] }.joined(separator: " "))
print("library:", theirs.map { bpe.token(for: $0)! }.joined(separator: " "))
print("the same ids:", mine == theirs, " \(sentence.utf8.count) bytes → \(theirs.count) tokens")

// %% [markdown]
// "lowest" and "slower" were never in the text, but their pieces were. The library's
// `explain` shows the merges of one word, with each merge's rank (its line in
// merges.txt, counted from 0):

// %%
cell()
print(bpe.explain(" lowest"))

// %% [markdown]
// ## Decoding, and the round trip
//
// Decoding joins the tokens' bytes and reads them as UTF-8. Because every byte has a
// token, any text encodes and decodes back to itself, even characters the training text
// never had (they stay one token per byte: no merge applies). A single token can end in
// the middle of a character: "é" here is two byte tokens, and one of them alone is not
// valid UTF-8, so it decodes to "�". A model that samples such a token shows the
// character only once the next token arrives.

// %%
cell()
do {
    for sample in [sentence, "Ünïcödé 🙂 and\ttabs\n", "low   lower"] {
        let ids = bpe.encode(sample)
        let roundTrip = try bpe.decode(ids) == sample
        print(roundTrip, "\(sample.utf8.count) bytes → \(ids.count) tokens:", sample.debugDescription)
    }
    let halfOfE = bpe.encode("é")
    print("\"é\" →", halfOfE, " decode([\(halfOfE[0])]) =", try bpe.decode([halfOfE[0]]).debugDescription)
} catch {
    print("decode:", error)
}

// %% [markdown]
// ## What you built, and where the library does it
//
// - The character vocabulary is `CharTokenizer` in `Sources/GPT/Tokenizers/CharTokenizer.swift`.
// - `bytesToUnicode` and the word cutter are `ByteLevel.characters` and `ByteLevel.preTokenize`
//   in `Sources/GPT/Tokenizers/ByteLevel.swift` (the cutter there is GPT-2's whole pattern:
//   contractions, digits, punctuation, runs of whitespace).
// - The word-level training loop is `BPETokenizer.train` in `Sources/GPT/Tokenizers/BPETrainer.swift`,
//   which updates the pair counts in a heap instead of recounting them every merge.
// - `encodeWord` is `BPETokenizer.encode` in `Sources/GPT/Tokenizers/BPETokenizer.swift` (with a
//   heap of candidate merges, `BPEMergeQueue.swift`); vocab.json and merges.txt are read and
//   written in `BPETokenizer+Files.swift`.
//
// ## Exercises
//
// Rebuild it yourself (`swift run exercises next`, see docs/Exercises.md):
// `24-bpe` (one merge step, then BPE's encoding of a word).
//
// ## In the walkthrough
//
// `swift run -c release walkthrough tokenize "hear me speak"` prints the ids of a character
// vocabulary of the text itself. With a BPE folder (GPT-2's, or one written by
// `try bpe.write(to: folder)`), `walkthrough tokenize "TEXT" --tokenizer FOLDER` prints the
// pieces and every merge step, as `explain` does. The tour's chapter 4 uses a character
// tokenizer: `swift run -c release walkthrough --chapter gpt`.
