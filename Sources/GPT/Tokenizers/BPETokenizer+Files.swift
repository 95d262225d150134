// BPETokenizer+Files.swift — Hugging Face's vocab.json and merges.txt, read and written.
//
//   vocab.json   {"!":0,"\"":1,…,"Ġthe":264,…}          token → id, compact, in id order
//   merges.txt   #version: 0.2                          then one "left right" pair per line,
//                Ġ t                                    in rank order (line 1 is rank 0)
//
// What `tokenizers`' `model.save` writes and GPT-2's download holds, byte for
// byte. Reading checks every line and throws `TokenizerError.malformedFile`
// naming the file, the line and the problem; writing is atomic per file.
//
// Depends on: BPETokenizer.swift, TokenizerError.swift, JSONQuoting.swift, Foundation.

import Foundation

extension BPETokenizer {

    /// Reads Hugging Face's vocab.json and merges.txt (what `model.save` writes, and what
    /// GPT-2's download holds).
    /// - Parameter specialTokens: tokens of vocab.json to treat as special (the files do not say
    ///   which are); GPT-2's "<|endoftext|>" by default. Pass [] for a vocabulary without it.
    /// - Throws: `TokenizerError.fileAccess` for a file that cannot be read;
    ///   `TokenizerError.malformedFile` naming the file, the line of merges.txt and the problem
    ///   (not JSON, a line that is not two tokens, a merge of tokens not in the vocabulary, …);
    ///   `TokenizerError.invalidArgument` for a special token not in the vocabulary.
    public init(vocabularyFile: URL, mergesFile: URL, specialTokens: [String] = ["<|endoftext|>"]) throws(TokenizerError) {
        let vocabulary = try BPETokenizer.readVocabulary(vocabularyFile)
        let (merges, lineNumbers) = try BPETokenizer.readMerges(mergesFile)
        do throws(Inconsistency) {
            try self.init(checking: vocabulary, merges: merges, specialTokens: specialTokens)
        } catch {
            switch error.place {
            case .vocabulary:
                throw .malformedFile(file: vocabularyFile.path, line: nil, problem: error.problem)
            case .merge(let rank):
                throw .malformedFile(file: mergesFile.path, line: lineNumbers[rank],
                                     problem: "the merge \"\(merges[rank])\": \(error.problem) (\(vocabularyFile.lastPathComponent))")
            case .specialTokens:
                throw .invalidArgument("BPETokenizer: \(error.problem) (\(vocabularyFile.path))")
            }
        }
    }

    /// Reads `vocab.json` and `merges.txt` from `directory` (`<prefix>-vocab.json` and
    /// `<prefix>-merges.txt` with a prefix), as Hugging Face's `model.save(directory, prefix)` names them.
    public init(directory: URL, prefix: String? = nil, specialTokens: [String] = ["<|endoftext|>"]) throws(TokenizerError) {
        let (vocabularyFile, mergesFile) = BPETokenizer.fileURLs(in: directory, prefix: prefix)
        try self.init(vocabularyFile: vocabularyFile, mergesFile: mergesFile, specialTokens: specialTokens)
    }

    /// Writes vocab.json and merges.txt into `directory` (created if needed), each atomically,
    /// byte for byte as Hugging Face's `model.save(directory, prefix)` would.
    /// - Returns: the two files' URLs.
    @discardableResult
    public func write(to directory: URL, prefix: String? = nil) throws(TokenizerError) -> (vocabulary: URL, merges: URL) {
        let (vocabularyFile, mergesFile) = BPETokenizer.fileURLs(in: directory, prefix: prefix)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .fileAccess(file: directory.path, reason: error.localizedDescription)
        }
        for (file, contents) in [(vocabularyFile, vocabularyFileContents), (mergesFile, mergesFileContents)] {
            do {
                try Data(contents.utf8).write(to: file, options: .atomic)
            } catch {
                throw .fileAccess(file: file.path, reason: error.localizedDescription)
            }
        }
        return (vocabularyFile, mergesFile)
    }

    /// vocab.json's text: `{"<|endoftext|>":0,"!":1,…}`, compact and in id order, escaped as serde_json does.
    public var vocabularyFileContents: String {
        let entries = tokens.enumerated().map { id, token in jsonQuoted(token) + ":" + String(id) }
        return "{" + entries.joined(separator: ",") + "}"
    }

    /// merges.txt's text: "#version: 0.2", then "left right" for each merge, each line ending in "\n".
    public var mergesFileContents: String {
        (["#version: 0.2"] + merges.map(\.description)).map { $0 + "\n" }.joined()
    }

    /// The two files' URLs in `directory`.
    static func fileURLs(in directory: URL, prefix: String?) -> (vocabulary: URL, merges: URL) {
        let start = prefix.map { $0 + "-" } ?? ""
        return (directory.appendingPathComponent(start + "vocab.json"), directory.appendingPathComponent(start + "merges.txt"))
    }

    /// The text of a file, which must be UTF-8.
    static func readText(_ url: URL) throws(TokenizerError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .fileAccess(file: url.path, reason: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .malformedFile(file: url.path, line: nil, problem: "the file is not UTF-8 text")
        }
        return text
    }

    /// vocab.json: one JSON object of token → integer id (an integer in 0…2³¹ − 1, as the Rust
    /// tokenizers library's u32 ids; each token once).
    static func readVocabulary(_ url: URL) throws(TokenizerError) -> [String: Int] {
        let document = try readJSONFile(url)
        guard case .object(let members) = document.root.kind else {
            throw .malformedFile(file: url.path, line: nil,
                                 problem: "expected a JSON object of token → integer id, found \(document.root.found)")
        }
        var vocabulary: [String: Int] = [:]
        vocabulary.reserveCapacity(members.count)
        for (token, value) in members {
            guard let id = value.unsignedInteger, id <= Int(Int32.max) else {
                let (line, column) = document.position(of: value.offset)
                throw .malformedFile(file: url.path, line: line, problem: "column \(column): the id of \(jsonQuoted(token)): "
                                     + "expected an integer in 0…\(Int32.max), found \(value.found)")
            }
            vocabulary[token] = id
        }
        return vocabulary
    }

    /// merges.txt: an optional "#version" line, then "left right" per line (a trailing "\r" is
    /// dropped, as Rust's `lines()` does). Returns the merges and the 1-based line of each.
    static func readMerges(_ url: URL) throws(TokenizerError) -> ([Merge], [Int]) {
        let text = try readText(url)
        var merges: [Merge] = []
        var lineNumbers: [Int] = []
        // Split on unicode scalars, not Characters: to Swift, "\r\n" is one Character, not "\n".
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            let line = String(Substring(rawLine.last == "\r" ? rawLine.dropLast() : rawLine))
            if line.hasPrefix("#version") { continue }
            if line.isEmpty && index == lines.count - 1 { continue }       // the newline ending the last line
            let parts = line.unicodeScalars.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw .malformedFile(file: url.path, line: index + 1,
                                     problem: "expected two tokens separated by one space, found \(line.debugDescription)")
            }
            merges.append(Merge(String(Substring(parts[0])), String(Substring(parts[1]))))
            lineNumbers.append(index + 1)
        }
        return (merges, lineNumbers)
    }
}
