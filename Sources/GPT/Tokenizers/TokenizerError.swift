// TokenizerError.swift — what can go wrong when text meets a vocabulary.
//
//   "héllo" ──encode──▶ [7, ?, 11, 11, 14]    'é' is not in the vocabulary → .unknownCharacter
//   [7, 99]  ──decode──▶ "h?"                  99 is not an id             → .unknownID
//   merges.txt line 12: "Ġt hx"                "hx" is not a token         → .malformedFile
//
// Text, ids and files all come from outside the program (a user, a model's
// sample, a download), so every one of these throws rather than traps, and
// each message names the character, id, file, line and what is wrong.
//
// Depends on: JSON.swift (readJSONFile, the one reader of the tokenizers' JSON files).
// Not here: the checks themselves (CharTokenizer.swift, BPETokenizer.swift).

import Foundation

/// What went wrong when encoding, decoding, loading or saving a tokenizer.
public enum TokenizerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text holds a character (unicode scalar) the vocabulary does not have, at
    /// `offset` unicode scalars from its start. CharTokenizer without an unknown token.
    case unknownCharacter(Unicode.Scalar, offset: Int)
    /// An id that names no token: outside `0..<vocabularySize`.
    case unknownID(Int, vocabularySize: Int)
    /// A tokenizer file does not follow its format. `file` is its path, `line` the
    /// 1-based line where a line-oriented file (merges.txt) went wrong, or nil.
    case malformedFile(file: String, line: Int?, problem: String)
    /// A file could not be read or written (missing, no permission, disk full, …).
    case fileAccess(file: String, reason: String)
    /// An argument that cannot make a tokenizer: a duplicate character, an unknown
    /// token that is not in the list, a special token that is not in the vocabulary, …
    case invalidArgument(String)

    /// A message that says what, where, and how to fix it.
    public var description: String {
        switch self {
        case let .unknownCharacter(scalar, offset):
            return "unknown character \(TokenizerError.describe(scalar)) at offset \(offset) (unicode scalars): it is "
                + "not in the vocabulary; build the tokenizer with an unknownToken to map such characters to it"
        case let .unknownID(id, size):
            return "unknown token id \(id): the vocabulary has ids 0..<\(size)"
        case let .malformedFile(file, line, problem):
            return "malformed tokenizer file \(file)" + (line.map { ", line \($0)" } ?? "") + ": \(problem)"
        case let .fileAccess(file, reason):
            return "cannot access \(file): \(reason)"
        case let .invalidArgument(problem):
            return problem
        }
    }

    /// `"é" (U+00E9)`: the character (escaped when invisible) and its code point.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return "\"\(scalar.escaped(asASCII: false))\" (\(code))"
    }
}

/// The JSON document in the tokenizer file at `url` (read strictly: see JSON.swift).
/// - Throws: `.fileAccess` when it cannot be read, `.malformedFile` with the line and column of a syntax error.
func readJSONFile(_ url: URL) throws(TokenizerError) -> JSONDocument {
    let data: Data
    do {
        data = try Data(contentsOf: url)
    } catch {
        throw .fileAccess(file: url.path, reason: error.localizedDescription)
    }
    do {
        return try JSONDocument(parsing: data)
    } catch {
        throw .malformedFile(file: url.path, line: error.line, problem: "not valid JSON: column \(error.column): \(error.problem)")
    }
}
