// TokenizerFolder.swift — the tokenizer that sits in a checkpoint folder, beside the model.
//
//   folder/char_tokenizer.json          a character vocabulary (`walkthrough train --tokenizer char`)
//   folder/vocab.json + merges.txt      byte-level BPE: ours (`--tokenizer bpe`) or a Hugging Face GPT-2 download;
//                                       or characters exported in GPT-2's layout (`walkthrough export`)
//   folder/tokenizer.json               the same, as transformers 5's save_pretrained writes it
//
// The commands that read text (generate, attention) find whichever is there;
// `train` writes one before its first step, so every checkpoint can be read back.
//
// Depends on: GPT (CharTokenizer, BPETokenizer).

import Foundation
import GPT

/// A character or BPE tokenizer, as the commands use either.
enum FolderTokenizer {
    case characters(CharTokenizer)
    case bpe(BPETokenizer)

    /// The file name of a character vocabulary inside a checkpoint folder.
    static let characterFileName = "char_tokenizer.json"

    /// The tokenizer saved in `folder`: char_tokenizer.json, else vocab.json + merges.txt, else
    /// tokenizer.json (transformers 5 saves GPT-2's tokenizer as that file alone). A byte-level
    /// vocabulary of ASCII characters without merges (a character model exported by `export`) is
    /// read back as characters.
    /// - Throws: `TokenizerError` naming the file; `.fileAccess` when the folder has none of them.
    init(folder: URL) throws(TokenizerError) {
        let characters = folder.appendingPathComponent(Self.characterFileName)
        if FileManager.default.fileExists(atPath: characters.path) {
            self = .characters(try CharTokenizer(contentsOf: characters))
            return
        }
        let vocabulary = folder.appendingPathComponent("vocab.json")
        let merges = folder.appendingPathComponent("merges.txt")
        let tokenizerJSON = folder.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: vocabulary.path) {
            self = try Self.bpeOrCharacters(
                bpe: { () throws(TokenizerError) in
                    do throws(TokenizerError) {
                        return try BPETokenizer(vocabularyFile: vocabulary, mergesFile: merges)
                    } catch .invalidArgument {                   // a vocabulary without <|endoftext|>
                        return try BPETokenizer(vocabularyFile: vocabulary, mergesFile: merges, specialTokens: [])
                    }
                },
                characters: { () throws(TokenizerError) in
                    try CharTokenizer(byteLevelVocabularyFile: vocabulary, mergesFile: merges)
                })
        } else if FileManager.default.fileExists(atPath: tokenizerJSON.path) {
            self = try Self.bpeOrCharacters(bpe: { () throws(TokenizerError) in try BPETokenizer(tokenizerJSON: tokenizerJSON) },
                                            characters: { () throws(TokenizerError) in
                                                try CharTokenizer(byteLevelTokenizerJSON: tokenizerJSON)
                                            })
        } else {
            throw .fileAccess(file: folder.path, reason: "no tokenizer: expected \(Self.characterFileName), "
                                  + "vocab.json and merges.txt, or tokenizer.json")
        }
    }

    /// The byte-level BPE `bpe` reads; when it fails, the character vocabulary `characters` reads (an
    /// exported character model lacks most of the 256 bytes a BPE needs), else BPE's error.
    static func bpeOrCharacters(bpe: () throws(TokenizerError) -> BPETokenizer,
                                characters: () throws(TokenizerError) -> CharTokenizer) throws(TokenizerError) -> FolderTokenizer {
        do {
            return .bpe(try bpe())
        } catch let bpeError {
            guard let vocabulary = try? characters() else { throw bpeError }
            return .characters(vocabulary)
        }
    }

    /// Writes the tokenizer into `folder` (atomically, file by file).
    func save(to folder: URL) throws(TokenizerError) {
        switch self {
        case .characters(let tokenizer): try tokenizer.write(to: folder.appendingPathComponent(Self.characterFileName))
        case .bpe(let tokenizer): try tokenizer.write(to: folder)
        }
    }

    /// Writes the tokenizer as transformers' `GPT2TokenizerFast.from_pretrained(folder)` reads it,
    /// each file atomically: vocab.json and merges.txt (a character vocabulary as the byte-level
    /// stand-ins of its ASCII characters, without merges: CharTokenizer+ByteLevel.swift), and
    /// tokenizer_config.json naming the special tokens (GPT-2's `<|endoftext|>` when the vocabulary
    /// has it, else none, so transformers adds no token the model lacks) and the context length.
    func saveForHuggingFace(to folder: URL, contextLength: Int) throws {
        switch self {
        case .characters(let tokenizer): try tokenizer.writeByteLevel(to: folder)
        case .bpe(let tokenizer): try tokenizer.write(to: folder)
        }
        let special: Any = endOfText != nil ? "<|endoftext|>" : NSNull()
        let config: [String: Any] = ["tokenizer_class": "GPT2Tokenizer", "model_max_length": contextLength,
                                     "add_prefix_space": false, "bos_token": special, "eos_token": special,
                                     "unk_token": special]
        let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: folder.appendingPathComponent("tokenizer_config.json"), options: .atomic)
    }

    /// "characters" or "byte-level BPE", with the vocabulary's size.
    var summary: String {
        switch self {
        case .characters(let tokenizer): return "characters, \(tokenizer.vocabSize) tokens"
        case .bpe(let tokenizer): return "byte-level BPE, \(tokenizer.vocabSize) tokens (\(tokenizer.merges.count) merges)"
        }
    }

    var vocabSize: Int {
        switch self {
        case .characters(let tokenizer): return tokenizer.vocabSize
        case .bpe(let tokenizer): return tokenizer.vocabSize
        }
    }

    /// The ids of `text`. Throws for a character a character vocabulary lacks.
    func encode(_ text: String) throws(TokenizerError) -> [Int] {
        switch self {
        case .characters(let tokenizer): return try tokenizer.encode(text)
        case .bpe(let tokenizer): return tokenizer.encode(text)
        }
    }

    /// The bytes of `ids` as UTF-8 (a BPE token can hold part of a character).
    func bytes(of ids: [Int]) throws(TokenizerError) -> [UInt8] {
        switch self {
        case .characters(let tokenizer): return Array(try tokenizer.decode(ids).utf8)
        case .bpe(let tokenizer): return try tokenizer.bytes(of: ids)
        }
    }

    /// The bytes of `ids`, with an id the vocabulary lacks (a model's V can be padded past the
    /// tokenizer's size, as nanoGPT pads GPT-2's 50257 to 50304) shown as "<#id>".
    func displayBytes(of ids: [Int]) -> [UInt8] {
        ids.flatMap { (try? bytes(of: [$0])) ?? Array("<#\($0)>".utf8) }
    }

    /// One token's text for a label: its characters, with a space shown as "␣" (and an id
    /// that names no token as "#id").
    func label(_ id: Int) -> String {
        guard let bytes = try? bytes(of: [id]) else { return "#\(id)" }
        return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: " ", with: "␣")
    }

    /// The id of `<|endoftext|>`, when the vocabulary has it.
    var endOfText: Int? {
        if case .bpe(let tokenizer) = self { return tokenizer.id(for: "<|endoftext|>") }
        return nil
    }
}

/// Turns bytes into text as they arrive, holding back a character that is not complete yet.
struct UTF8Stream {
    private var pending: [UInt8] = []

    /// The text of `bytes` (after what was held back) up to the last complete character.
    mutating func append(_ bytes: [UInt8]) -> String {
        pending += bytes
        guard !pending.isEmpty else { return "" }
        var end = pending.count
        // Back up over an unfinished multi-byte sequence at the end (at most 3 bytes).
        for back in 1...min(3, pending.count) {
            let byte = pending[pending.count - back]
            if byte & 0xC0 == 0x80 { continue }                  // a continuation byte: look further back
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            if length > back { end = pending.count - back }
            break
        }
        let text = String(decoding: pending[..<end], as: UTF8.self)
        pending.removeFirst(end)
        return text
    }

    /// Whatever is left (an incomplete character shows as U+FFFD).
    mutating func finish() -> String {
        defer { pending = [] }
        return String(decoding: pending, as: UTF8.self)
    }
}
