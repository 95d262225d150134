// BPETokenizer+TokenizerJSON.swift — the byte-level BPE inside Hugging Face's tokenizer.json.
//
//   tokenizer.json   {"added_tokens": [{"id": 0, "content": "<|endoftext|>", "special": true, …}],
//                     "normalizer": null,
//                     "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, …},
//                     "model": {"type": "BPE", "vocab": {"!": 1, …}, "merges": [["Ġ", "t"], …], …}, …}
//
// transformers 5 saves a GPT-2 tokenizer (`save_pretrained`) as tokenizer.json
// alone, without vocab.json and merges.txt; the Hub's gpt2 has all three. This
// reads the vocabulary, the merges (as "left right" strings or [left, right]
// pairs, both of which `tokenizers` writes) and the special tokens, and refuses
// what would cut a text otherwise than GPT-2 does: another model type, a
// normalizer, a pre-tokenizer other than ByteLevel without a prefix space and
// with GPT-2's pattern, BPE dropout, byte fallback, merges ignored, subword
// prefixes or suffixes, and a post-processor that adds tokens.
//
// Depends on: BPETokenizer.swift, JSON.swift, TokenizerError.swift.

import Foundation

extension BPETokenizer {
    /// The parts of a GPT-2 tokenizer.json: token → id, the merges in rank order, and the special
    /// tokens (the added tokens marked special; each must be in the vocabulary with the same id).
    /// - Throws: `TokenizerError.malformedFile` naming the file, the line and what is not GPT-2's.
    static func readTokenizerJSON(_ url: URL) throws(TokenizerError)
        -> (vocabulary: [String: Int], merges: [Merge], specialTokens: [String]) {
        let document = try readJSONFile(url)
        func refuse(_ value: JSON, _ problem: String) -> TokenizerError {
            .malformedFile(file: url.path, line: document.position(of: value.offset).line, problem: problem)
        }
        let root = document.root
        guard case .object = root.kind, let model = root["model"], case .object = model.kind else {
            throw refuse(root, "expected an object with a \"model\" object (Hugging Face's tokenizer.json)")
        }
        // The Hub's gpt2 tokenizer.json predates the "type" key: a model without one is read as BPE.
        if let type = model["type"] {
            guard case .string("BPE") = type.kind else {
                throw refuse(model, "the model's \"type\" is \(type.found): only BPE (GPT-2's) is read")
            }
        }
        if let normalizer = root["normalizer"] {
            if case .null = normalizer.kind {} else {
                throw refuse(normalizer, "a normalizer (\(normalizer["type"]?.found ?? normalizer.found)): GPT-2's tokenizer has none")
            }
        }
        guard let pre = root["pre_tokenizer"], case .string("ByteLevel")? = pre["type"]?.kind else {
            throw refuse(root["pre_tokenizer"] ?? root, "the pre-tokenizer is not ByteLevel (GPT-2's)")
        }
        if case .bool(true)? = pre["add_prefix_space"]?.kind {
            throw refuse(pre, "the ByteLevel pre-tokenizer adds a prefix space, which GPT-2's does not")
        }
        if case .bool(false)? = pre["use_regex"]?.kind {
            throw refuse(pre, "the ByteLevel pre-tokenizer does not split with GPT-2's pattern (\"use_regex\": false)")
        }
        // Options of the BPE model that would cut or spell tokens otherwise than GPT-2's does.
        for (key, harmless) in [("dropout", "null"), ("byte_fallback", "false"), ("ignore_merges", "false"),
                                ("continuing_subword_prefix", "\"\" or null"), ("end_of_word_suffix", "\"\" or null")] {
            guard let value = model[key] else { continue }
            switch value.kind {
            case .null, .bool(false): continue
            case .string(let text) where text.isEmpty: continue
            case .number where key == "dropout" && value.double == 0: continue    // a dropout of 0 drops nothing
            default: throw refuse(value, "the model's \"\(key)\" is \(value.found): GPT-2's is \(harmless)")
            }
        }
        /// Refuses a post-processor that adds tokens around the text's own (TemplateProcessing with a
        /// special token in its single-text template, BERT's or RoBERTa's); GPT-2's adds none.
        func checkPostProcessor(_ processor: JSON) throws(TokenizerError) {
            if case .null = processor.kind { return }
            switch processor["type"]?.kind {
            case .string("ByteLevel")?:
                return
            case .string("Sequence")?:
                guard case .array(let processors)? = processor["processors"]?.kind else {
                    throw refuse(processor, "a Sequence post-processor without a \"processors\" list")
                }
                for inner in processors { try checkPostProcessor(inner) }
            case .string("TemplateProcessing")?:
                guard case .array(let pieces)? = processor["single"]?.kind else {
                    throw refuse(processor, "a TemplateProcessing post-processor without a \"single\" template")
                }
                for piece in pieces where piece["Sequence"] == nil {
                    let token = piece["SpecialToken"]?["id"]?.found ?? piece.found
                    throw refuse(piece, "the post-processor adds \(token) to every text: GPT-2's adds no token")
                }
            default:
                throw refuse(processor, "the post-processor (\(processor["type"]?.found ?? processor.found)) is not "
                                 + "GPT-2's: only ByteLevel, or a template that adds no token, is read")
            }
        }
        if let processor = root["post_processor"] { try checkPostProcessor(processor) }
        guard let vocabularyJSON = model["vocab"], case .object(let members) = vocabularyJSON.kind else {
            throw refuse(model, "the model has no \"vocab\" object")
        }
        var vocabulary: [String: Int] = [:]
        vocabulary.reserveCapacity(members.count)
        for (token, value) in members {
            guard let id = value.unsignedInteger, id <= Int(Int32.max) else {
                throw refuse(value, "the id of \(jsonQuoted(token)): expected an integer in 0…\(Int32.max), found \(value.found)")
            }
            vocabulary[token] = id
        }
        guard let mergesJSON = model["merges"], case .array(let items) = mergesJSON.kind else {
            throw refuse(model, "the model has no \"merges\" list")
        }
        var merges: [Merge] = []
        merges.reserveCapacity(items.count)
        for (rank, item) in items.enumerated() {
            switch item.kind {
            case .string(let pair):
                let parts = pair.unicodeScalars.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw refuse(item, "merge \(rank): expected two tokens separated by one space, found \(pair.debugDescription)")
                }
                merges.append(Merge(String(Substring(parts[0])), String(Substring(parts[1]))))
            case .array(let pair):
                guard pair.count == 2, case .string(let left) = pair[0].kind, case .string(let right) = pair[1].kind else {
                    throw refuse(item, "merge \(rank): expected two tokens, found \(item.found)")
                }
                merges.append(Merge(left, right))
            default:
                throw refuse(item, "merge \(rank): expected \"left right\" or [left, right], found \(item.found)")
            }
        }
        var specialTokens: [String] = []
        if let added = root["added_tokens"], case .array(let tokens) = added.kind {
            for token in tokens {
                guard case .string(let content)? = token["content"]?.kind, let id = token["id"]?.unsignedInteger else {
                    throw refuse(token, "an added token needs a \"content\" string and an \"id\"")
                }
                guard vocabulary[content] == id else {
                    throw refuse(token, "the added token \(jsonQuoted(content)) (id \(id)) is not the vocabulary's token of "
                                     + "that id: tokens added beyond the BPE vocabulary are not read")
                }
                if case .bool(true)? = token["special"]?.kind { specialTokens.append(content) }
            }
        }
        return (vocabulary, merges, specialTokens)
    }

    /// The byte-level BPE of a Hugging Face tokenizer.json (what transformers 5's `save_pretrained`
    /// writes for GPT-2), with its special tokens.
    /// - Throws: `TokenizerError.malformedFile` naming the file and what is not GPT-2's tokenizer (see
    ///   `readTokenizerJSON`), or where the vocabulary and merges do not fit together.
    public init(tokenizerJSON url: URL) throws(TokenizerError) {
        let (vocabulary, merges, specialTokens) = try BPETokenizer.readTokenizerJSON(url)
        do throws(Inconsistency) {
            try self.init(checking: vocabulary, merges: merges, specialTokens: specialTokens)
        } catch {
            let place: String
            switch error.place {
            case .vocabulary, .specialTokens: place = ""
            case .merge(let rank): place = "merge \(rank) (\"\(merges[rank])\"): "
            }
            throw .malformedFile(file: url.path, line: nil, problem: place + error.problem)
        }
    }
}
