// CharTokenizer.swift — one token per character, the tokenizer of nanoGPT's shakespeare_char.
//
//   vocabulary = the sorted unique characters of the training text
//       id    0     1     2     3    …   64
//       char  "\n"  " "   "!"   "$"  …   "z"
//
//   encode("hi!")  →  [46, 47, 2]        decode([46, 47, 2])  →  "hi!"
//
// A "character" here is a unicode scalar (a code point), not a Swift
// `Character` (a grapheme cluster). That is what Python's `sorted(set(text))`
// iterates over, so a vocabulary built here has the same characters in the
// same order, and the same ids, as nanoGPT's `prepare.py`. It also keeps the
// vocabulary small and closed: with graphemes, "\r\n", "é" written as e +
// U+0301, and every emoji family 👩‍👩‍👧 would each be one more token.
//
// A character outside the vocabulary throws `unknownCharacter` (naming it and
// where it is), unless the tokenizer has an unknown token such as "�", which
// then stands in for it. Saved as a small JSON file, written atomically.
//
// Depends on: Foundation (JSON, files), TokenizerError.swift.
// Not here: sub-word tokens (BPETokenizer.swift), normalisation (NFC, lower-casing).

import Foundation

/// A character-level tokenizer: token id i is the i-th character of `characters`.
///
/// ```swift
/// let tokenizer = CharTokenizer(text: "hello world")       // " dehlorw": 8 tokens
/// let ids = try tokenizer.encode("hold")                    // [3, 5, 4, 1]
/// let text = try tokenizer.decode(ids)                      // "hold"
/// ```
///
/// Python (nanoGPT): `chars = sorted(list(set(data)))`, `stoi = {ch: i for i, ch in enumerate(chars)}`.
public struct CharTokenizer: Sendable, Equatable, Codable {
    /// The vocabulary: `characters[id]` is the character (unicode scalar) of token `id`.
    public let characters: [Unicode.Scalar]
    /// The character that unknown characters are encoded as, or nil to throw on them.
    /// It is one of `characters`.
    public let unknownToken: Unicode.Scalar?
    /// The id of each character: the inverse of `characters`.
    private let ids: [Unicode.Scalar: Int]

    /// The vocabulary of `text`: its unique unicode scalars, sorted by code point
    /// (nanoGPT's `sorted(set(text))`). An `unknownToken` such as "�" is added to
    /// the set first if the text does not hold it.
    public init(text: String, unknownToken: Unicode.Scalar? = nil) {
        var unique = Set(text.unicodeScalars)
        if let unknownToken { unique.insert(unknownToken) }
        // Sorted unique scalars cannot fail the checks of init(characters:).
        self.init(validated: unique.sorted(), unknownToken: unknownToken)
    }

    /// A vocabulary in the given order: `characters[i]` gets id i.
    /// - Throws: `TokenizerError.invalidArgument` when a character appears twice, or
    ///   when `unknownToken` is not one of `characters`.
    public init(characters: [Unicode.Scalar], unknownToken: Unicode.Scalar? = nil) throws(TokenizerError) {
        var seen: [Unicode.Scalar: Int] = [:]
        for (id, character) in characters.enumerated() {
            if let first = seen[character] {
                throw .invalidArgument("CharTokenizer: the character \(TokenizerError.describe(character)) appears twice "
                                        + "in the vocabulary, as ids \(first) and \(id)")
            }
            seen[character] = id
        }
        if let unknownToken, seen[unknownToken] == nil {
            throw .invalidArgument("CharTokenizer: the unknown token \(TokenizerError.describe(unknownToken)) is not "
                                    + "one of the \(characters.count) characters of the vocabulary")
        }
        self.init(validated: characters, unknownToken: unknownToken)
    }

    /// Sets the properties of a vocabulary already known to be valid.
    private init(validated characters: [Unicode.Scalar], unknownToken: Unicode.Scalar?) {
        self.characters = characters
        self.unknownToken = unknownToken
        var ids: [Unicode.Scalar: Int] = [:]
        ids.reserveCapacity(characters.count)
        for (id, character) in characters.enumerated() { ids[character] = id }
        self.ids = ids
    }

    /// V, the number of tokens.
    public var vocabSize: Int { characters.count }

    /// The id unknown characters are encoded as, or nil when they throw.
    public var unknownTokenID: Int? { unknownToken.flatMap { ids[$0] } }

    /// The id of `character`, or nil when it is not in the vocabulary.
    public func id(of character: Unicode.Scalar) -> Int? { ids[character] }

    /// The ids of the unicode scalars of `text`, one id per scalar.
    /// - Throws: `TokenizerError.unknownCharacter` naming the first character outside
    ///   the vocabulary and its offset (in unicode scalars), unless there is an `unknownToken`.
    /// - Complexity: O(n) for n unicode scalars.
    public func encode(_ text: String) throws(TokenizerError) -> [Int] {
        let unknownID = unknownTokenID
        var result: [Int] = []
        result.reserveCapacity(text.utf8.count)          // at least one byte per scalar
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            if let id = ids[scalar] {
                result.append(id)
            } else if let unknownID {
                result.append(unknownID)
            } else {
                throw .unknownCharacter(scalar, offset: offset)
            }
        }
        return result
    }

    /// The text of `ids`: each id's character, in order.
    /// - Throws: `TokenizerError.unknownID` for an id outside `0..<vocabSize` (ids may
    ///   come from a model whose vocabulary is larger, or from a file).
    public func decode(_ ids: [Int]) throws(TokenizerError) -> String {
        var scalars = String.UnicodeScalarView()
        for id in ids {
            guard id >= 0 && id < characters.count else { throw .unknownID(id, vocabularySize: characters.count) }
            scalars.append(characters[id])
        }
        return String(scalars)
    }

    // MARK: - Files

    /// Writes the vocabulary as JSON, atomically (to a temporary file, then renamed, so a
    /// crash mid-write leaves any earlier file intact):
    ///
    /// ```json
    /// { "characters" : [ "\n", " ", "!", … ], "unknownToken" : "�" }
    /// ```
    public func write(to url: URL) throws(TokenizerError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try encoder.encode(self).write(to: url, options: .atomic)
        } catch {
            throw .fileAccess(file: url.path, reason: error.localizedDescription)
        }
    }

    /// Reads a vocabulary written by `write(to:)`.
    /// - Throws: `TokenizerError.fileAccess` when the file cannot be read,
    ///   `TokenizerError.malformedFile` when it is not such a JSON file (not JSON, an
    ///   entry that is not exactly one character, a duplicate, …).
    public init(contentsOf url: URL) throws(TokenizerError) {
        let document = try readJSONFile(url)
        do {
            self = try document.decode(CharTokenizer.self)
        } catch let error as JSONFieldError {
            throw .malformedFile(file: url.path, line: nil, problem: error.description)
        } catch let error as TokenizerError {
            if case .invalidArgument(let problem) = error {
                throw .malformedFile(file: url.path, line: nil, problem: problem)
            }
            throw error
        } catch {
            throw .malformedFile(file: url.path, line: nil, problem: "\(error)")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case characters, unknownToken
    }

    /// Reads `{"characters": [...], "unknownToken": ...}`; each entry must be exactly one unicode scalar.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let entries = try container.decode([String].self, forKey: .characters)
        func scalar(_ entry: String, _ what: String) throws -> Unicode.Scalar {
            let scalars = entry.unicodeScalars
            guard scalars.count == 1, let first = scalars.first else {
                throw DecodingError.dataCorruptedError(
                    forKey: .characters, in: container,
                    debugDescription: "\(what) is \(entry.debugDescription): \(scalars.count) unicode scalars, not one")
            }
            return first
        }
        var characters: [Unicode.Scalar] = []
        characters.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            characters.append(try scalar(entry, "entry \(index) of \"characters\""))
        }
        let unknown = try container.decodeIfPresent(String.self, forKey: .unknownToken)
        try self.init(characters: characters, unknownToken: unknown.map { try scalar($0, "\"unknownToken\"") })
    }

    /// Writes `{"characters": [...], "unknownToken": ...}` (no "unknownToken" key when there is none).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(characters.map { String($0) }, forKey: .characters)
        try container.encodeIfPresent(unknownToken.map { String($0) }, forKey: .unknownToken)
    }

    /// Two tokenizers are equal when they have the same characters in the same order and the same unknown token.
    public static func == (a: CharTokenizer, b: CharTokenizer) -> Bool {
        a.characters == b.characters && a.unknownToken == b.unknownToken
    }
}
