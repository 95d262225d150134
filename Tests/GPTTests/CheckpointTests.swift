// CheckpointTests.swift — saving and loading models, ours and Hugging Face's GPT-2.
//
// After reading this file you should know how GPT-2's tensors map onto ours
// (Conv1D weights are transposed, the output projection is tied), that a
// Hugging Face folder loads and gives transformers' logits and greedy text,
// and that a broken checkpoint throws an error naming what is wrong.

import Foundation
@testable import GPT
import NDArray
import NN
import TestSupport
import XCTest

final class CheckpointTests: XCTestCase {
    var scratch: URL!

    override func setUp() {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID())")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: scratch)
    }

    func testAHuggingFaceGPT2FolderGivesTransformersLogits() throws {
        let (model, report) = try GPTModel<Float>.loadWithReport(from: fixtureURL("gpt2_tiny"))
        XCTAssertEqual(model.config.numLayers, 2)
        XCTAssertEqual(model.config.vocabSize, 320)
        XCTAssertTrue(report.missing.isEmpty && report.unexpected.isEmpty)
        let qkv = report.entries.first { $0.source == "transformer.h.1.attn.c_attn.weight" }!
        XCTAssertEqual(qkv.target, "blocks.1.attn.qkv.weight")
        XCTAssertEqual(qkv.action, .transposed)
        XCTAssertEqual(qkv.shape, [32, 96])
        XCTAssertTrue(report.entries.contains { $0.action == .tied(to: "wte.weight") })
        XCTAssertTrue(report.description.contains("transformer.h.0.mlp.c_fc.weight"), report.description)

        let ids: NDArray<Int> = fixture("gpt2_tiny/input_ids")
        assertClose(model(ids), fixture("gpt2_tiny/logits"), tolerance: 1e-4)
    }

    func testALeftPaddedBatchGivesTransformersLogitsWhereTheMaskIsOne() throws {
        let model = try GPTModel<Float>.load(from: fixtureURL("gpt2_tiny"))
        let ids: NDArray<Int> = fixture("gpt2_tiny/batch_input_ids")
        let mask: NDArray<Int> = fixture("gpt2_tiny/batch_attention_mask")
        let logits = model.forward(ids, attentionMask: mask).logits
        let expected: NDArray<Float> = fixture("gpt2_tiny/batch_logits")
        for b in 0..<ids.shape[0] {
            for t in 0..<ids.shape[1] where mask[b, t].item() == 1 {
                assertClose(logits[b, t], expected[b, t], tolerance: 1e-4, "row \(b), position \(t)")
            }
        }
    }

    func testTheGPT2FolderGeneratesTransformersGreedyText() throws {
        let folder = fixtureURL("gpt2_tiny")
        let model = try GPTModel<Float>.load(from: folder)
        let tokenizer = try BPETokenizer(directory: folder)
        let prompt = tokenizer.encode("The quick brown fox")
        let ids: NDArray<Int> = fixture("gpt2_tiny/input_ids")
        XCTAssertEqual(prompt, ids.scalars)
        let greedy: NDArray<Int> = fixture("gpt2_tiny/greedy_ids")
        let result = model.generate(prompts: [prompt], config: .greedy(maxNewTokens: 12))
        XCTAssertEqual(result.sequences[0], greedy.scalars)
        let text = try String(contentsOf: fixtureURL("gpt2_tiny/greedy_text.txt"), encoding: .utf8)
        XCTAssertEqual(try tokenizer.decode(result.sequences[0]), text)
    }

    func testAnUntiedGPT2LoadsItsOwnOutputProjection() throws {
        let model = try GPTModel<Float>.load(from: fixtureURL("gpt2_tiny_untied"))
        XCTAssertNotNil(model.lmHead)
        assertClose(model(fixture("gpt2_tiny_untied/input_ids")), fixture("gpt2_tiny_untied/logits"), tolerance: 1e-4)
    }

    func testSavingTheHuggingFaceLayoutGivesBackTheSameTensorsAndConfig() throws {
        let model = try GPTModel<Float>.load(from: fixtureURL("gpt2_tiny"))
        try model.saveHuggingFaceGPT2(to: scratch)
        let original = try SafeTensorsFile(contentsOf: fixtureURL("gpt2_tiny/model.safetensors"))
        let written = try SafeTensorsFile(contentsOf: scratch.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(Set(written.tensors.keys), Set(original.tensors.keys))
        for name in original.names {
            XCTAssertEqual(try written.array(name, as: Float.self), try original.array(name, as: Float.self), name)
        }
        let reloaded = try GPTModel<Float>.load(from: scratch)
        XCTAssertEqual(reloaded.namedParameters.map(\.1), model.namedParameters.map(\.1))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: scratch.appendingPathComponent("config.json")))
            as! [String: Any]
        XCTAssertEqual(json["model_type"] as? String, "gpt2")
        XCTAssertEqual(json["activation_function"] as? String, "gelu_new")
        XCTAssertEqual(json["n_embd"] as? Int, 32)
        XCTAssertEqual(json["n_positions"] as? Int, 64)
        XCTAssertEqual(json["tie_word_embeddings"] as? Bool, true)
    }

    func testOurOwnLayoutRoundTripsEveryKindOfModel() throws {
        for kind in PositionEncodingKind.allCases {
            let model = smallModel(kind, tieWeights: kind != .rotary)
            let folder = scratch.appendingPathComponent(kind.rawValue)
            try model.save(to: folder)
            let loaded = try GPTModel<Float>.load(from: folder)
            XCTAssertEqual(loaded.config, model.config)
            XCTAssertEqual(loaded.namedParameters.map(\.0), model.namedParameters.map(\.0))
            XCTAssertEqual(loaded.namedParameters.map(\.1), model.namedParameters.map(\.1))
            XCTAssertEqual(loaded(NDArray<Int>([[3, 1, 4]])), model(NDArray<Int>([[3, 1, 4]])))
        }
    }

    func testBrokenCheckpointsThrowNamingTheTensorOrField() throws {
        let model = smallModel()
        try model.save(to: scratch)
        let weights = scratch.appendingPathComponent("model.safetensors")
        let config = scratch.appendingPathComponent("config.json")

        // A wrong shape: a model of another width saved over the same config.
        var rng = SeededGenerator(seed: 0)
        let other = GPTModel<Float>(config: GPTConfig(vocabSize: 23, maxSeqLen: 16, numLayers: 2, numHeads: 4,
                                                      hiddenDim: 16), using: &rng)
        try SafeTensorsFile.write(other.namedParameters, to: weights)
        XCTAssertThrowsError(try GPTModel<Float>.load(from: scratch)) { error in
            XCTAssertEqual(error as? CheckpointError, .shapeMismatch(tensor: "wte.weight", expected: [23, 32], found: [23, 16]))
        }
        // A missing tensor, and an unexpected one.
        var tensors = model.namedParameters.filter { $0.0 != "lnF.bias" }
        try SafeTensorsFile.write(tensors, to: weights)
        XCTAssertThrowsError(try GPTModel<Float>.load(from: scratch)) { error in
            XCTAssertEqual(error as? CheckpointError, .keysDoNotMatch(missing: ["lnF.bias [32]"], unexpected: []))
        }
        tensors = model.namedParameters.filter { $0.0 != "wpe.weight" && $0.0 != "lnF.bias" }
            + [("extra.weight", NDArray<Float>.zeros([2]))]
        try SafeTensorsFile.write(tensors, to: weights)
        XCTAssertThrowsError(try GPTModel<Float>.load(from: scratch)) { error in   // every problem, not only the first
            XCTAssertEqual(error as? CheckpointError,
                           .keysDoNotMatch(missing: ["wpe.weight [16, 32]", "lnF.bias [32]"], unexpected: ["extra.weight"]))
            XCTAssertEqual("\(error)", "checkpoint: missing tensors: wpe.weight [16, 32], lnF.bias [32]; "
                           + "tensors that match no parameter: extra.weight")
        }
        // A truncated file.
        try model.save(to: scratch)
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count - 100).write(to: weights)
        XCTAssertThrowsError(try GPTModel<Float>.load(from: scratch)) { error in
            guard case .safeTensors(let file, .badOffsets(let tensor, _, _, let reason))? = error as? CheckpointError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(file, weights.path)
            XCTAssertEqual(tensor, "lnF.bias")                                     // the last tensor in the file
            XCTAssertTrue(reason.contains("truncated"), reason)
        }
        // A config.json that is not JSON, one of an unknown model type, one with an impossible shape.
        try Data("{not json".utf8).write(to: config)
        XCTAssertThrowsError(try GPTModel<Float>.load(from: scratch)) { error in
            guard case .invalidConfig(_, "(file)", _)? = error as? CheckpointError else { return XCTFail("\(error)") }
        }
        try Data(#"{"model_type": "llama"}"#.utf8).write(to: config)
        XCTAssertThrowsError(try GPTModel<Float>.load(from: scratch)) { error in
            guard case .invalidConfig(_, "model_type", let reason)? = error as? CheckpointError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("llama"), reason)
        }
        try Data(#"{"model_type": "gpt2", "n_embd": 30, "n_head": 4, "n_layer": 2, "n_positions": 16, "vocab_size": 23}"#.utf8)
            .write(to: config)
        XCTAssertThrowsError(try GPTModel<Float>.load(from: scratch)) { error in
            guard case .invalidConfig(_, _, let reason)? = error as? CheckpointError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("does not divide into 4 heads"), reason)
        }
        try model.save(to: scratch)
        try FileManager.default.removeItem(at: weights)
        XCTAssertThrowsError(try GPTModel<Float>.load(from: scratch)) { error in
            XCTAssertEqual(error as? CheckpointError, .missingFile(path: weights.path))
        }
    }

    func testSizesThatCannotFitAreRefusedBeforeAnythingIsAllocated() throws {
        // A GPT-2 config.json of 2⁴⁰ tokens beside an empty weights file: refused with the figure, not an abort.
        try smallModel().save(to: scratch)
        try SafeTensorsFile.write([(String, NDArray<Float>)](), to: scratch.appendingPathComponent("model.safetensors"))
        let config = scratch.appendingPathComponent("config.json")
        for (field, value, expected) in [("vocab_size", "1099511627776", "this machine has"),
                                         ("n_layer", "2147483648", "this machine has"),
                                         ("n_positions", "1099511627776", "this machine has")] {
            var fields = ["model_type": "\"gpt2\"", "n_embd": "32", "n_head": "4", "n_layer": "2", "n_positions": "16",
                          "vocab_size": "23"]
            fields[field] = value
            let json = "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
            try Data(json.utf8).write(to: config)
            XCTAssertThrowsError(try GPTModel<Float>.load(from: scratch), "\(field) \(value)") { error in
                guard case .invalidConfig(_, _, let reason)? = error as? CheckpointError else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains(expected), "\(field): \(reason)")
            }
        }
        // The same check on our own config: an ffnDim of Int.max overflows, a vocabulary of 2⁴⁰ does not fit.
        var ours = GPTConfig(vocabSize: 23, maxSeqLen: 16, numLayers: 2, numHeads: 4, hiddenDim: 32)
        ours.ffnDim = .max
        XCTAssertTrue(ours.problem?.contains("more numbers than an Int can count") == true, ours.problem ?? "nil")
        ours.ffnDim = 128
        XCTAssertNil(ours.problem)
        ours.vocabSize = 1 << 40
        XCTAssertTrue(ours.problem?.hasPrefix("its weights alone would take 140737.5 GB as Float (35184372114880 numbers)") == true, ours.problem ?? "nil")
    }

}

final class OriginalGPT2LayoutTests: XCTestCase {
    func testTheOriginalDownloadsLayoutLoads() throws {
        // The gpt2 folder on the Hub has no "transformer." prefix and stores each block's causal-mask
        // buffer as h.N.attn.bias [1, 1, n_positions, n_positions]; rewrite the fixture that way.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gpt2-original-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = try SafeTensorsFile(contentsOf: fixtureURL("gpt2_tiny/model.safetensors"))
        var tensors: [(String, NDArray<Float>)] = try source.names.map {
            (String($0.dropFirst("transformer.".count)), try source.array($0))
        }
        for layer in 0..<2 { tensors.append(("h.\(layer).attn.bias", NDArray<Float>.ones([1, 1, 64, 64]))) }
        try SafeTensorsFile.write(tensors, metadata: ["format": "pt"], to: folder.appendingPathComponent("model.safetensors"))
        for file in ["config.json", "vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: fixtureURL("gpt2_tiny/" + file), to: folder.appendingPathComponent(file))
        }
        let (model, report) = try GPTModel<Float>.loadWithReport(from: folder)
        let buffer = report.entries.first { $0.source == "h.1.attn.bias" }!
        XCTAssertNil(buffer.target)
        XCTAssertEqual(buffer.action, .ignored(reason: "causal-mask buffer (the model builds its mask)"))
        XCTAssertEqual(report.entries.first { $0.source == "h.0.mlp.c_proj.weight" }?.target, "blocks.0.ffn.down.weight")
        assertClose(model(fixture("gpt2_tiny/input_ids")), fixture("gpt2_tiny/logits"), tolerance: 1e-4)
    }
}

final class ModelVariantTests: XCTestCase {
    func testEveryOptionRunsCachesAndRoundTrips() throws {
        // Post-norm, SwiGLU, no biases, untied, rotary: the cached step still equals the full forward,
        // and our checkpoint layout stores it; the GPT-2 layout refuses it by name.
        var rng = SeededGenerator(seed: 11)
        let config = GPTConfig(vocabSize: 19, maxSeqLen: 12, numLayers: 2, numHeads: 2, hiddenDim: 16, ffnDim: 24,
                               dropout: 0.2, positionEncoding: .rotary, normPlacement: .post, activation: .silu,
                               ffnVariant: .swiglu, tieWeights: false, bias: false)
        let model = GPTModel<Float>(config: config, using: &rng)
        model.eval()
        XCTAssertNotNil(model.parameter(named: "blocks.0.ffn.gate.weight"))
        XCTAssertNil(model.parameter(named: "blocks.0.attn.qkv.bias"))
        let ids = [4, 8, 15, 16, 2, 3]
        let cache = GPTCache<Float>(numLayers: 2)
        _ = model.forward(NDArray(shape: [1, 3], scalars: Array(ids[0..<3])), cache: cache)
        for end in 4...6 {
            let step = model.forward(NDArray(shape: [1, 1], scalars: [ids[end - 1]]), cache: cache).logits
            assertClose(step[0, 0], model(NDArray(shape: [1, end], scalars: Array(ids[0..<end])))[0, end - 1], tolerance: 1e-5)
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("variant-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(to: folder)
        XCTAssertEqual(try GPTModel<Float>.load(from: folder).namedParameters.map(\.1), model.namedParameters.map(\.1))
        XCTAssertThrowsError(try model.saveHuggingFaceGPT2(to: folder)) { error in
            guard case .unsupported? = error as? CheckpointError else { return XCTFail("\(error)") }
        }
    }

    func testTheGPT2LayoutRefusesWhatItCannotHoldNamingEachDifference() throws {
        // Each of these once went wrong: no attention biases wrote a folder that loads in neither
        // library, and an activation GPT-2 has no name for trapped.
        let base = GPTConfig(vocabSize: 19, maxSeqLen: 8, numLayers: 1, numHeads: 2, hiddenDim: 8, ffnDim: 16)
        var noAttentionBias = base, sigmoid = base, several = base
        noAttentionBias.attentionBias = false
        sigmoid.activation = .sigmoid
        several.activation = .tanh
        several.normPlacement = .post
        several.positionEncoding = .rotary
        let cases: [(GPTConfig, [String])] = [
            (noAttentionBias, ["no biases in attention"]),
            (sigmoid, ["the activation sigmoid"]),
            (several, ["rotary positions", "post-norm", "the activation tanh"]),
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gpt2-refused-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (config, phrases) in cases {
            var rng = SeededGenerator(seed: 3)
            let model = GPTModel<Float>(config: config, using: &rng)
            XCTAssertThrowsError(try model.saveHuggingFaceGPT2(to: folder)) { error in
                guard case .unsupported(let reason)? = error as? CheckpointError else { return XCTFail("\(error)") }
                for phrase in phrases { XCTAssertTrue(reason.contains(phrase), "\(reason) does not say \(phrase)") }
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path), "a refused model wrote a folder")
        }
        // GPT-2's own kind is still written, and loads back to the same weights.
        var rng = SeededGenerator(seed: 3)
        let model = GPTModel<Float>(config: base, using: &rng)
        try model.saveHuggingFaceGPT2(to: folder)
        XCTAssertEqual(try GPTModel<Float>.load(from: folder).namedParameters.map(\.1), model.namedParameters.map(\.1))
    }
}
