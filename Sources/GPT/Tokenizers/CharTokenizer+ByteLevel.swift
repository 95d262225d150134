// CharTokenizer+ByteLevel.swift — a character vocabulary as GPT-2's tokenizer files, and back.
//
//   CharTokenizer(text: "the cat\n")      "\n" " " "a" "c" "e" "h" "t"   ids 0…6
//   vocab.json                            {"Ċ":0,"Ġ":1,"a":2,"c":3,"e":4,"h":5,"t":6}
//   merges.txt                            #version: 0.2            (no merges)
//
// transformers' GPT2TokenizerFast reads any byte-level BPE: with no merges, it
// cuts a text into bytes and looks each byte's stand-in up in vocab.json. When
// every character is ASCII (one byte of UTF-8), that gives exactly the
// character tokenizer's ids, so a character model can be exported in GPT-2's
// layout (`walkthrough export`). A character beyond ASCII is several bytes in
// UTF-8 and has no such spelling: it is refused. A character the vocabulary
// lacks differs: ours throws, and transformers leaves its bytes out.
//
// Depends on: CharTokenizer.swift, ByteLevel.swift, BPETokenizer+Files.swift (the file formats).

import Foundation

extension CharTokenizer {
    /// vocab.json's text for this vocabulary as a byte-level BPE without merges: each character's
    /// byte-level stand-in → its id, compact and in id order, as `BPETokenizer.vocabularyFileContents`.
    /// - Throws: `TokenizerError.invalidArgument` for a character beyond ASCII (named), or an
    ///   `unknownToken` (a byte-level tokenizer has no stand-in for "any other character").
    public func byteLevelVocabularyFileContents() throws(TokenizerError) -> String {
        if let unknownToken {
            throw .invalidArgument("CharTokenizer: the unknown token \(TokenizerError.describe(unknownToken)) has no "
                                   + "byte-level spelling: a byte-level tokenizer cannot map every other character to it")
        }
        var entries: [String] = []
        for (id, character) in characters.enumerated() {
            guard character.isASCII else {
                throw .invalidArgument("CharTokenizer: the character \(TokenizerError.describe(character)) (id \(id)) is "
                                       + "\(String(character).utf8.count) bytes of UTF-8; only a vocabulary of ASCII "
                                       + "characters (one byte each) has a byte-level spelling")
            }
            entries.append(jsonQuoted(ByteLevel.encode([UInt8(character.value)])) + ":" + String(id))
        }
        return "{" + entries.joined(separator: ",") + "}"
    }

    /// Writes vocab.json (see `byteLevelVocabularyFileContents()`) and a merges.txt with no merges
    /// into `directory` (which must exist), each atomically: GPT-2's tokenizer files, which
    /// transformers' `GPT2TokenizerFast.from_pretrained(directory)` reads.
    public func writeByteLevel(to directory: URL) throws(TokenizerError) {
        let (vocabularyFile, mergesFile) = BPETokenizer.fileURLs(in: directory, prefix: nil)
        for (file, contents) in [(vocabularyFile, try byteLevelVocabularyFileContents()), (mergesFile, "#version: 0.2\n")] {
            do {
                try Data(contents.utf8).write(to: file, options: .atomic)
            } catch {
                throw .fileAccess(file: file.path, reason: error.localizedDescription)
            }
        }
    }

    /// The character vocabulary that `writeByteLevel(to:)` wrote: a vocab.json whose every token is
    /// the stand-in of one ASCII byte, and a merges.txt with no merges.
    /// - Throws: `TokenizerError.malformedFile` naming the file and what is not so (a merge, a token
    ///   of several bytes or beyond ASCII, ids that are not 0..<count); `.fileAccess` for a file that
    ///   cannot be read.
    public init(byteLevelVocabularyFile vocabularyFile: URL, mergesFile: URL) throws(TokenizerError) {
        let (merges, lines) = try BPETokenizer.readMerges(mergesFile)
        if let first = merges.first {
            throw .malformedFile(file: mergesFile.path, line: lines[0],
                                 problem: "the merge \"\(first)\": a character vocabulary has no merges")
        }
        try self.init(byteLevelVocabulary: try BPETokenizer.readVocabulary(vocabularyFile), file: vocabularyFile.path)
    }

    /// The same from a tokenizer.json (what transformers' `save_pretrained` writes for an exported
    /// character model): its BPE model's vocabulary, with no merges.
    public init(byteLevelTokenizerJSON url: URL) throws(TokenizerError) {
        let (vocabulary, merges, _) = try BPETokenizer.readTokenizerJSON(url)
        if let first = merges.first {
            throw .malformedFile(file: url.path, line: nil, problem: "the merge \"\(first)\": a character vocabulary has no merges")
        }
        try self.init(byteLevelVocabulary: vocabulary, file: url.path)
    }

    /// The characters whose byte-level stand-ins `vocabulary` maps to ids 0..<count (read from `file`).
    init(byteLevelVocabulary vocabulary: [String: Int], file: String) throws(TokenizerError) {
        var characters = [Unicode.Scalar?](repeating: nil, count: vocabulary.count)
        for (token, id) in vocabulary.sorted(by: { $0.value < $1.value }) {
            guard let bytes = ByteLevel.decode(token), bytes.count == 1, bytes[0] < 0x80 else {
                throw .malformedFile(file: file, line: nil, problem: "the token \(token.debugDescription) (id \(id)) is not "
                                         + "the byte-level stand-in of one ASCII character")
            }
            guard id >= 0 && id < characters.count && characters[id] == nil else {
                throw .malformedFile(file: file, line: nil,
                                     problem: "the \(vocabulary.count) tokens must have the ids 0..<\(vocabulary.count), "
                                         + "each once; the token \(token.debugDescription) has id \(id)")
            }
            characters[id] = Unicode.Scalar(bytes[0])
        }
        try self.init(characters: characters.map { $0! })
    }
}
