// HandoffTests.swift — our models in PyTorch and Hugging Face's hands, and theirs in ours.
//
// After reading this file you should know that a folder `walkthrough export`
// writes is read by transformers' GPT2LMHeadModel and GPT2TokenizerFast as we
// read it (the same ids, logits within 1e-4, the same greedy tokens), which
// conversions make a model GPT-2's kind without changing a logit, and how
// fine-tuning starts: a shorter context crops the position table, and the
// dropout can change, with the weights untouched.
//
// Fixtures/handoff/ was written by scripts/make_handoff_fixtures.py: two runs
// of `walkthrough train`, exported, then loaded in transformers 5.24.0.

import Foundation
@testable import GPT
import NDArray
import NN
import TestSupport
import XCTest

final class HandoffTests: XCTestCase {
    /// The prompts of an exported fixture folder, and our tokenizer's ids for each.
    func prompts(_ name: String, encode: (String) throws -> [Int]) throws -> [(text: String, ids: [Int])] {
        let data = try Data(contentsOf: fixtureURL("handoff/\(name)/prompts.json"))
        let texts = try JSONDecoder().decode([String].self, from: data)
        return try texts.map { ($0, try encode($0)) }
    }

    /// Our tokenizer, model and greedy decoding against what transformers computed from the same folder.
    func checkAgainstTransformers(_ name: String, encode: (String) throws -> [Int]) throws {
        let model = try GPTModel<Float>.load(from: fixtureURL("handoff/\(name)"))
        for (i, prompt) in try prompts(name, encode: encode).enumerated() {
            let expectedIDs: NDArray<Int64> = fixture("handoff/\(name)/prompt\(i)_ids")
            XCTAssertEqual(prompt.ids, expectedIDs.scalars.map(Int.init), "GPT2TokenizerFast cuts \"\(prompt.text)\" so")
            let ids = NDArray(shape: [1, prompt.ids.count], scalars: prompt.ids)
            assertClose(model(ids), fixture("handoff/\(name)/prompt\(i)_logits"), tolerance: 1e-4)
            let greedy: NDArray<Int64> = fixture("handoff/\(name)/prompt\(i)_greedy")
            let newTokens = greedy.shape[1] - prompt.ids.count
            let result = model.generate(prompts: [prompt.ids], config: GenerationConfig(maxNewTokens: newTokens, doSample: false))
            XCTAssertEqual(prompt.ids + result.newTokens[0], greedy.scalars.map(Int.init), "greedy from \"\(prompt.text)\"")
        }
    }

    func testTransformersReadsAnExportedCharacterModelAsWeDo() throws {
        // No biases (written as zeros) and 18 characters written as byte-level tokens without merges.
        let folder = fixtureURL("handoff/char")
        let tokenizer = try CharTokenizer(byteLevelVocabularyFile: folder.appendingPathComponent("vocab.json"),
                                          mergesFile: folder.appendingPathComponent("merges.txt"))
        XCTAssertEqual(tokenizer.vocabSize, 18)
        try checkAgainstTransformers("char") { try tokenizer.encode($0) }
    }

    func testTransformersReadsAnExportedBPEModelAsWeDo() throws {
        // LiteTorch's tiny preset: attention without biases (written as zeros), an untied head.
        let tokenizer = try BPETokenizer(directory: fixtureURL("handoff/bpe"))
        XCTAssertEqual(tokenizer.vocabSize, 284)                     // --vocab-size 300: the small text ran out of merges
        let file = try SafeTensorsFile(contentsOf: fixtureURL("handoff/bpe/model.safetensors"))
        XCTAssertNotNil(file.tensors["lm_head.weight"])
        XCTAssertEqual(try file.array("transformer.h.0.attn.c_attn.bias", as: Float.self), .zeros([96]))
        try checkAgainstTransformers("bpe") { tokenizer.encode($0) }
    }

    func testACharacterVocabularyRoundTripsThroughByteLevelFilesAndRefusesWhatHasNoSpelling() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bytelevel-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let tokenizer = CharTokenizer(text: "the cat\n")
        XCTAssertEqual(try tokenizer.byteLevelVocabularyFileContents(), #"{"Ċ":0,"Ġ":1,"a":2,"c":3,"e":4,"h":5,"t":6}"#)
        try tokenizer.writeByteLevel(to: folder)
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("merges.txt"), encoding: .utf8), "#version: 0.2\n")
        let back = try CharTokenizer(byteLevelVocabularyFile: folder.appendingPathComponent("vocab.json"),
                                     mergesFile: folder.appendingPathComponent("merges.txt"))
        XCTAssertEqual(back, tokenizer)
        XCTAssertThrowsError(try CharTokenizer(text: "café").byteLevelVocabularyFileContents()) { error in
            XCTAssertTrue("\(error)".contains("2 bytes of UTF-8"), "\(error)")
        }
        XCTAssertThrowsError(try CharTokenizer(text: "ab", unknownToken: "?").byteLevelVocabularyFileContents())
        // A real byte-level BPE is not a character vocabulary: its merges are refused by name.
        XCTAssertThrowsError(try CharTokenizer(byteLevelVocabularyFile: fixtureURL("gpt2_tiny/vocab.json"),
                                               mergesFile: fixtureURL("gpt2_tiny/merges.txt"))) { error in
            XCTAssertTrue("\(error)".contains("a character vocabulary has no merges"), "\(error)")
        }
    }

    func testTransformersSavedTokenizerJSONReadsAsTheExportedFiles() throws {
        // transformers 5's save_pretrained writes tokenizer.json alone: the same vocabulary, merges and special tokens.
        let bpe = try BPETokenizer(tokenizerJSON: fixtureURL("handoff/bpe-saved/tokenizer.json"))
        let exported = try BPETokenizer(directory: fixtureURL("handoff/bpe"))
        XCTAssertEqual(bpe.vocabulary, exported.vocabulary)
        XCTAssertEqual(bpe.merges, exported.merges)
        XCTAssertEqual(bpe.specialTokens, ["<|endoftext|>"])
        XCTAssertEqual(bpe.encode("the cat<|endoftext|>Hi"), exported.encode("the cat<|endoftext|>Hi"))
        let characters = try CharTokenizer(byteLevelTokenizerJSON: fixtureURL("handoff/char-saved/tokenizer.json"))
        XCTAssertEqual(characters.vocabSize, 18)
        XCTAssertEqual(try characters.encode("the cat"), [16, 9, 7, 1, 5, 3, 16])
        XCTAssertThrowsError(try BPETokenizer(tokenizerJSON: fixtureURL("handoff/char-saved/tokenizer.json"))) { error in
            XCTAssertTrue("\(error)".contains("a byte-level vocabulary needs all 256"), "\(error)")
        }
        // What would cut a text otherwise than GPT-2 does is refused, naming it. (The fixture's post-processor is
        // transformers' TemplateProcessing that adds nothing; the Hub's gpt2 has ByteLevel's: both are read.)
        let original = try String(contentsOf: fixtureURL("handoff/bpe-saved/tokenizer.json"), encoding: .utf8)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-json-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("tokenizer.json")
        for (from, to, problem) in [("\"type\": \"BPE\"", "\"type\": \"WordPiece\"", "only BPE (GPT-2's) is read"),
                                    ("\"add_prefix_space\": false", "\"add_prefix_space\": true", "adds a prefix space"),
                                    ("\"normalizer\": null", "\"normalizer\": {\"type\": \"NFC\"}", "a normalizer"),
                                    ("\"id\": 0,", "\"id\": 284,", "tokens added beyond the BPE vocabulary"),
                                    ("\"use_regex\": true", "\"use_regex\": false", "does not split with GPT-2's pattern"),
                                    ("\"dropout\": null", "\"dropout\": 0.1", "\"dropout\" is 0.1"),
                                    ("\"byte_fallback\": false", "\"byte_fallback\": true", "\"byte_fallback\" is true"),
                                    ("\"ignore_merges\": false", "\"ignore_merges\": true", "\"ignore_merges\" is true"),
                                    ("\"continuing_subword_prefix\": \"\"", "\"continuing_subword_prefix\": \"##\"",
                                     "\"continuing_subword_prefix\" is \"##\""),
                                    ("\"end_of_word_suffix\": \"\"", "\"end_of_word_suffix\": \"</w>\"", "\"end_of_word_suffix\""),
                                    ("\"single\": [", "\"single\": [{\"SpecialToken\": {\"id\": \"<|endoftext|>\", \"type_id\": 0}}, ",
                                     "the post-processor adds \"<|endoftext|>\""),
                                    ("\"type\": \"TemplateProcessing\"", "\"type\": \"BertProcessing\"",
                                     "the post-processor (\"BertProcessing\"")] {
            XCTAssertTrue(original.contains(from), from)
            try original.replacingOccurrences(of: from, with: to).write(to: file, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try BPETokenizer(tokenizerJSON: file)) { error in
                XCTAssertTrue("\(error)".contains(problem), "\(from) → \(to): \(error)")
            }
        }
        // What GPT-2's own file on the Hub has is read: a ByteLevel post-processor, a model without a "type" (the file
        // predates that key), a dropout of 0.
        for (from, to) in [("\"type\": \"TemplateProcessing\"", "\"type\": \"ByteLevel\""), ("\"type\": \"BPE\",", ""),
                           ("\"dropout\": null", "\"dropout\": 0.0")] {
            XCTAssertTrue(original.contains(from), from)
            try original.replacingOccurrences(of: from, with: to).write(to: file, atomically: true, encoding: .utf8)
            XCTAssertEqual(try BPETokenizer(tokenizerJSON: file).encode("the cat"), bpe.encode("the cat"), "\(from) → \(to)")
        }
    }

    func testConversionsToTheGPT2LayoutChangeNoLogit() throws {
        let ids = NDArray(shape: [2, 5], scalars: [1, 4, 9, 16, 22, 0, 3, 5, 7, 11])
        var noBias = smallModel().config, attentionOnly = noBias
        noBias.bias = false
        attentionOnly.attentionBias = false
        for (config, conversion) in [(noBias, "written as zeros"), (attentionOnly, "attention's biases"),
                                     (smallModel(.sinusoidal).config, "learned position table")] {
            var rng = SeededGenerator(seed: 7)
            let model = GPTModel<Float>(config: config, using: &rng)
            model.eval()
            let (converted, conversions) = try model.convertedToGPT2Layout()
            XCTAssertTrue(converted.gpt2LayoutDifferences.isEmpty)
            XCTAssertEqual(conversions.count, 1)
            XCTAssertTrue(conversions[0].contains(conversion), "\(conversions)")
            XCTAssertFalse(converted.isTraining)
            assertClose(converted(ids), model(ids), tolerance: 1e-6)
        }
        // GPT-2's own kind is returned as it is; what no conversion bridges is refused by name.
        let gpt2 = smallModel()
        XCTAssertTrue(try gpt2.convertedToGPT2Layout().model === gpt2)
        XCTAssertThrowsError(try smallModel(.rotary).convertedToGPT2Layout()) { error in
            guard case .unsupported(let reason)? = error as? CheckpointError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("rotary positions"), reason)
        }
    }

    func testCroppingTheContextKeepsTheFirstPositionsAndTheLogits() throws {
        // nanoGPT's crop_block_size: a 16-position model cropped to 6 gives the same logits on 6 tokens.
        for positions in [PositionEncodingKind.learned, .sinusoidal, .rotary] {
            let model = smallModel(positions)
            let cropped = model.cropped(toContext: 6)
            XCTAssertEqual(cropped.config.maxSeqLen, 6)
            let ids = NDArray(shape: [1, 6], scalars: [3, 1, 4, 1, 5, 9])
            assertClose(cropped(ids), model(ids), tolerance: 1e-5)
            if positions == .learned {
                XCTAssertEqual(cropped.parameter(named: "wpe.weight"), model.parameter(named: "wpe.weight")![0..<6])
            }
        }
        let model = smallModel()
        XCTAssertTrue(model.cropped(toContext: 16) === model)
        let dropped = model.withDropout(0.3)
        XCTAssertEqual(dropped.config.dropout, 0.3)
        XCTAssertEqual(dropped.namedParameters.map(\.value), model.namedParameters.map(\.value))
    }

    func testGPT2DropoutIsReadFromResidPdropAndWrittenIntoAllThree() throws {
        let model = try GPTModel<Float>.load(from: fixtureURL("gpt2_tiny"))
        XCTAssertEqual(model.config.dropout, 0)                      // the fixture's resid_pdrop
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dropout-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.withDropout(0.25).saveHuggingFaceGPT2(to: folder, bosTokenID: 0, eosTokenID: 0)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json")))
            as! [String: Any]
        for key in ["resid_pdrop", "embd_pdrop", "attn_pdrop"] { XCTAssertEqual(json[key] as? Double, 0.25, key) }
        XCTAssertEqual(json["eos_token_id"] as? Int, 0)
        XCTAssertEqual(try GPTModel<Float>.load(from: folder).config.dropout, 0.25)

        // A config.json without the three is GPT2Config's default, 0.1; a probability of 1 drops everything: refused.
        let configFile = folder.appendingPathComponent("config.json")
        var config = json
        for key in ["resid_pdrop", "embd_pdrop", "attn_pdrop"] { config[key] = nil }
        try JSONSerialization.data(withJSONObject: config).write(to: configFile)
        XCTAssertEqual(try GPTModel<Float>.load(from: folder).config.dropout, 0.1)
        config["resid_pdrop"] = 1.0
        try JSONSerialization.data(withJSONObject: config).write(to: configFile)
        XCTAssertThrowsError(try GPTModel<Float>.load(from: folder)) { error in
            XCTAssertTrue("\(error)".contains("resid_pdrop"), "\(error)")
        }
    }

    func testFinetuneSettingsAreNanoGPTsFinetuneShakespeare() {
        // config/finetune_shakespeare.py over train.py's defaults: batch_size 1, gradient_accumulation_steps 32,
        // max_iters 20, learning_rate 3e-5 with decay_lr False, eval_interval 5, eval_iters 40; beta2 0.95,
        // weight_decay 0.1, grad_clip 1.0.
        let config = TrainingConfig.finetune(contextLength: 256)
        XCTAssertEqual(config.steps, 20)
        XCTAssertEqual(config.batchSize, 1)
        XCTAssertEqual(config.gradientAccumulation, 32)
        XCTAssertEqual(config.contextLength, 256)
        XCTAssertEqual(config.schedule, .constant(3e-5))
        XCTAssertEqual(config.beta1, 0.9)
        XCTAssertEqual(config.beta2, 0.95)
        XCTAssertEqual(config.weightDecay, 0.1)
        XCTAssertEqual(config.gradientClip, 1.0)
        XCTAssertEqual(config.evalEvery, 5)
        XCTAssertEqual(config.evalBatches, 40)
        XCTAssertEqual(config.checkpointEvery, 5)
        XCTAssertNil(config.problem)
    }
}
