// ByteLevel.swift — GPT-2's two steps before BPE: cut the text into words, and
// spell every byte with a printable character.
//
//   "Hello  world!\n"
//     │ pre-tokenize (GPT-2's pattern)
//     ▼
//   "Hello"  " "  " world"  "!"  "\n"                   words; a space sticks to the word after it
//     │ UTF-8 bytes, each written as its stand-in character
//     ▼
//   "Hello"  "Ġ"  "Ġworld"  "!"  "Ċ"                    what BPE merges; vocab.json holds such strings
//
// The byte table (GPT-2's `bytes_to_unicode`): the 188 printable bytes stand
// for themselves, the other 68 get the characters U+0100 onwards, in byte order:
//
//   bytes  0x00 … 0x20   0x21 … 0x7E   0x7F … 0xA0   0xA1 … 0xAC   0xAD     0xAE … 0xFF
//   chars  Ā  …  Ġ       !  …  ~       ġ  …  ł       ¡  …  ¬       Ń        ®  …  ÿ
//          U+0100…0120   themselves    U+0121…0142   themselves    U+0143   themselves
//
// So a space is "Ġ" (U+0120), a newline "Ċ" (U+010A), a tab "ĉ" (U+0109), and
// "é" (bytes C3 A9) is "Ã©". Every string of bytes, valid UTF-8 or not, is a
// string of these 256 characters, so BPE never meets an unknown symbol.
//
// The pre-tokenizer is GPT-2's regular expression, as Hugging Face's ByteLevel
// pre-tokenizer runs it (Oniguruma; add_prefix_space=False, use_regex=True):
//
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// written out by hand as a scanner over unicode scalars (see `pieceEnd`). \p{L}
// is the general category Letter (Lu Ll Lt Lm Lo: not `isAlphabetic`, which also
// takes combining marks such as U+093F), \p{N} is Number (Nd Nl No), \s is the
// White_Space property. The one difference from Hugging Face is the Unicode
// version: a character is classified by the Unicode tables of the Swift standard
// library (17.0 in Swift 6.3), Hugging Face's by Oniguruma's (16.0 in tokenizers
// 0.23.3), so a letter new in Unicode 17.0 is a letter here, "other" there. A
// comparison over 200,000 random code points found no other difference.
//
// Depends on: the standard library.
// Not here: add_prefix_space, offsets, other pre-tokenizers (GPT-4's cl100k pattern).

/// GPT-2's byte-level alphabet and pre-tokenizer. Hugging Face: `pre_tokenizers.ByteLevel`, `decoders.ByteLevel`.
public enum ByteLevel {
    /// The stand-in character of each byte: `characters[Int(byte)]`. GPT-2: `bytes_to_unicode()`.
    public static let characters: [Unicode.Scalar] = {
        func isPrintable(_ byte: Int) -> Bool { (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || byte >= 0xAE }
        var table: [Unicode.Scalar] = []
        var next: UInt32 = 0x100                        // the first stand-in for a byte that is not printable
        for byte in 0..<256 {
            if isPrintable(byte) {
                table.append(Unicode.Scalar(UInt8(byte)))
            } else {
                table.append(Unicode.Scalar(next)!)     // U+0100…U+0143 are all valid scalars
                next += 1
            }
        }
        return table
    }()

    /// The byte each stand-in stands for, indexed by the stand-in's code point (U+0000…U+0143); -1 elsewhere.
    static let bytesByCodePoint: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, character) in characters.enumerated() { table[Int(character.value)] = Int16(byte) }
        return table
    }()

    /// The 256 stand-in characters sorted by code point: the first tokens of a trained
    /// vocabulary after the special tokens. Hugging Face: `ByteLevel.alphabet()`, sorted.
    public static var alphabet: [Unicode.Scalar] { characters.sorted() }

    /// The byte `character` stands for, or nil when it is not one of the 256 stand-ins.
    public static func byte(of character: Unicode.Scalar) -> UInt8? {
        let value = Int(character.value)
        guard value < bytesByCodePoint.count, bytesByCodePoint[value] >= 0 else { return nil }
        return UInt8(bytesByCodePoint[value])
    }

    /// `bytes` spelled with their stand-ins: `encode(Array(" é".utf8))` is "ĠÃ©".
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(characters[Int(byte)]) }
        return String(scalars)
    }

    /// The bytes a byte-level string spells (the inverse of `encode`), or nil when one of
    /// its characters is not a stand-in (a special token such as "<|end of text|>" with a real space).
    public static func decode(_ token: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.unicodeScalars.count)
        for character in token.unicodeScalars {
            guard let byte = byte(of: character) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// The words GPT-2's pattern cuts `text` into, in order; joined, they give `text` back.
    ///
    /// ```swift
    /// ByteLevel.preTokenize("I'll  go!\n")     // ["I", "'ll", " ", " go", "!", "\n"]
    /// ```
    /// Hugging Face: `pre_tokenizers.ByteLevel(add_prefix_space=False).pre_tokenize_str(text)` (which
    /// also spells each word with stand-ins: `ByteLevel.encode(Array(word.utf8))`).
    public static func preTokenize(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return pieces(of: scalars[...]).map { range in
            var word = String.UnicodeScalarView()
            word.append(contentsOf: scalars[range])
            return String(word)
        }
    }

    // MARK: - The pre-tokenizer's scanner

    /// What GPT-2's pattern needs to know about a character.
    enum CharacterClass: Equatable {
        case space          // U+0020, the only character ` ?` takes
        case whitespace     // \s other than U+0020: tab, newline, NBSP, U+3000, …
        case letter         // \p{L}
        case number         // \p{N}
        case other          // [^\s\p{L}\p{N}]: punctuation, symbols, emoji, ZWJ, marks, controls
    }

    /// The class of `character`; ASCII is decided without the Unicode tables.
    static func characterClass(_ character: Unicode.Scalar) -> CharacterClass {
        let value = character.value
        if value < 0x80 {
            switch value {
            case 0x20: return .space
            case 0x09...0x0D: return .whitespace                       // \t \n \v \f \r
            case 0x30...0x39: return .number
            case 0x41...0x5A, 0x61...0x7A: return .letter
            default: return .other
            }
        }
        let properties = character.properties
        if properties.isWhitespace { return .whitespace }             // U+0085, U+00A0, U+2000…U+200A, U+3000, …
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    /// The pieces of `scalars`, as ranges of its indices, in order and covering it.
    static func pieces(of scalars: ArraySlice<Unicode.Scalar>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = scalars.startIndex
        while start < scalars.endIndex {
            let end = pieceEnd(startingAt: start, in: scalars)
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }

    /// Where the pattern's match starting at `i` ends: the alternatives are tried in
    /// order, and the first that matches wins (as a backtracking regex engine does).
    static func pieceEnd(startingAt i: Int, in s: ArraySlice<Unicode.Scalar>) -> Int {
        let end = s.endIndex
        // 1. 's|'t|'re|'ve|'m|'ll|'d — lower case only: "DON'T" is "DON" "'" "T".
        if s[i] == "'" && i + 1 < end {
            switch s[i + 1] {
            case "s", "t", "m", "d":
                return i + 2
            case "r", "v":
                if i + 2 < end && s[i + 2] == "e" { return i + 3 }
            case "l":
                if i + 2 < end && s[i + 2] == "l" { return i + 3 }
            default:
                break
            }
        }
        // 2–4.  ?\p{L}+ |  ?\p{N}+ |  ?[^\s\p{L}\p{N}]+ — an optional space, then a run of one class.
        let first = (s[i] == " " && i + 1 < end) ? i + 1 : i
        let kind = characterClass(s[first])
        if kind == .letter || kind == .number || kind == .other {
            var j = first + 1
            while j < end && characterClass(s[j]) == kind { j += 1 }
            return j
        }
        // 5–6.  \s+(?!\S) | \s+ — a run of whitespace. When a word follows the run, its
        // last character is left out (if the run has more than one), to start that word:
        // "a   b" is "a" "  " " b".
        var j = i + 1
        while j < end && isWhitespace(s[j]) { j += 1 }
        if j < end && j - i >= 2 { return j - 1 }
        return j
    }

    /// \s: the White_Space property.
    static func isWhitespace(_ character: Unicode.Scalar) -> Bool {
        let kind = characterClass(character)
        return kind == .space || kind == .whitespace
    }
}
