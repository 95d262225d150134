// HandoffCommandTests.swift — `train --init-from` and `export`: fine-tuning a Hugging Face GPT-2
// folder, and writing any checkpoint in its layout, byte for byte the same however often it goes
// round, through our layout or through transformers' save_pretrained. (What transformers computes from an exported folder: GPTTests/HandoffTests.swift.)

import Foundation
import GPT
import NDArray
import XCTest

/// The folders scripts/make_handoff_fixtures.py exported and loaded in transformers.
let handoffFixtures = gpt2Folder.deletingLastPathComponent().appendingPathComponent("handoff")

/// The files `export` writes in Hugging Face's layout.
let exportedFiles = ["config.json", "merges.txt", "model.safetensors", "tokenizer_config.json", "vocab.json"]

final class HandoffCommandTests: XCTestCase {
    /// The validation loss of the evaluation printed at `step` ("step N: train loss …, val loss X").
    func validationLoss(at step: Int, in output: String) -> Double? {
        output.split(separator: "\n").first { $0.hasPrefix("step \(step): train loss") }
            .flatMap { $0.components(separatedBy: "val loss ").last.flatMap { Double($0) } }
    }

    func testInitFromAHuggingFaceFolderFineTunesResumesExportsAndReloads() throws {
        let work = try temporaryFolder("walkthrough-finetune")
        defer { try? FileManager.default.removeItem(at: work) }
        let run = work.appendingPathComponent("ft"), exported = work.appendingPathComponent("ft-hf")
        // nanoGPT's fine-tuning settings, with fewer micro-batches and a larger (still constant) rate for a quick test.
        let trained = try walkthrough(["train", tinyCheckpoint.text.path, "--out", run.path, "--init-from", gpt2Folder.path,
                                       "--preset", "finetune", "--context", "32", "--steps", "6", "--grad-accum", "4",
                                       "--lr", "1e-3", "--eval-every", "3", "--eval-batches", "8", "--log-every", "1",
                                       "--dropout", "0.05"])
        XCTAssertEqual(trained.status, 0, trained.errors)
        for line in ["tokenizer: byte-level BPE, 320 tokens (63 merges)", "initialized from \(gpt2Folder.path)",
                     "the context cropped from 64 to 32 positions, dropout 0.05", "nanoGPT's fine-tuning settings",
                     "model: 2 layers, 4 heads, C = 32, T = 32, V = 320", "128 tokens per step", "step 6/6 | loss"] {
            XCTAssertTrue(trained.output.contains(line), "missing: \(line)\n\(trained.output)")
        }
        let rates = trained.output.split(separator: "\n").filter { $0.contains("| lr ") }
        XCTAssertEqual(rates.count, 6)
        XCTAssertTrue(rates.allSatisfy { $0.contains("| lr 1.00e-03 |") }, "the finetune rate is constant: \(rates)")
        let before = try XCTUnwrap(validationLoss(at: 0, in: trained.output))
        let after = try XCTUnwrap(validationLoss(at: 6, in: trained.output))
        XCTAssertLessThan(after, before - 0.1, "fine-tuning did not lower the validation loss")
        // The folder's tokenizer came along, byte for byte; the checkpoint has the cropped context.
        for file in ["vocab.json", "merges.txt"] {
            XCTAssertEqual(try Data(contentsOf: run.appendingPathComponent(file)),
                           try Data(contentsOf: gpt2Folder.appendingPathComponent(file)), file)
        }
        let model = try GPTModel<Float>.load(from: run)
        XCTAssertEqual(model.config.maxSeqLen, 32)
        XCTAssertEqual(model.config.dropout, 0.05, "--dropout (the folder's resid_pdrop is 0)")

        let resumed = try walkthrough(["train", tinyCheckpoint.text.path, "--out", run.path, "--resume", "--steps", "8"])
        XCTAssertEqual(resumed.status, 0, resumed.errors)
        XCTAssertTrue(resumed.output.contains("resuming at step 6 of 8"), resumed.output)

        let export = try walkthrough(["export", run.path, "--to", exported.path])
        XCTAssertEqual(export.status, 0, export.errors)
        XCTAssertFalse(export.output.contains("converted:"), "GPT-2 needs no conversion: \(export.output)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: exported.path).sorted(), exportedFiles)
        XCTAssertEqual(try GPTModel<Float>.load(from: exported).namedParameters.map(\.value),
                       try GPTModel<Float>.load(from: run).namedParameters.map(\.value))
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: exported.appendingPathComponent("config.json")))
            as! [String: Any]
        XCTAssertEqual(config["eos_token_id"] as? Int, 0, "the fixture's <|endoftext|> is id 0")
        XCTAssertEqual(config["n_positions"] as? Int, 32)
        let generated = try walkthrough(["generate", exported.path, "--prompt", "the cat", "--greedy", "--max-new-tokens", "4"])
        XCTAssertEqual(generated.status, 0, generated.errors)
        XCTAssertTrue(generated.output.hasPrefix("the cat"), generated.output)
    }

    func testInitFromOurOwnRunTakesItsCharactersAndFinetuneSettings() throws {
        let work = try temporaryFolder("walkthrough-finetune-ours")
        defer { try? FileManager.default.removeItem(at: work) }
        let run = work.appendingPathComponent("ft")
        // --preset finetune's own settings but for the length: 1 × 32 windows of the run's 16 tokens, 3e-5, dropout 0.
        let trained = try walkthrough(["train", tinyCheckpoint.text.path, "--out", run.path, "--init-from",
                                       tinyCheckpoint.folder.path, "--preset", "finetune", "--steps", "2",
                                       "--eval-batches", "2", "--log-every", "1"])
        XCTAssertEqual(trained.status, 0, trained.errors)
        for line in ["initialized from \(tinyCheckpoint.folder.path), dropout 0.0; nanoGPT's fine-tuning settings",
                     "T = 16", "512 tokens per step", "training for 2 steps"] {
            XCTAssertTrue(trained.output.contains(line), "missing: \(line)\n\(trained.output)")
        }
        let rates = trained.output.split(separator: "\n").filter { $0.contains("| lr ") }
        XCTAssertEqual(rates.count, 2)
        XCTAssertTrue(rates.allSatisfy { $0.contains("| lr 3.00e-05 |") }, "\(rates)")
        XCTAssertEqual(try Data(contentsOf: run.appendingPathComponent("char_tokenizer.json")),
                       try Data(contentsOf: tinyCheckpoint.folder.appendingPathComponent("char_tokenizer.json")))
        let original = try GPTModel<Float>.load(from: tinyCheckpoint.folder), tuned = try GPTModel<Float>.load(from: run)
        XCTAssertEqual(tuned.config.dropout, 0)
        XCTAssertEqual(tuned.config.numLayers, original.config.numLayers)
        XCTAssertEqual(tuned.config.vocabSize, original.config.vocabSize)
        // Two steps at 3e-5 move the weights, but only a little.
        let moved = zip(tuned.namedParameters, original.namedParameters).map { pair in
            zip(pair.0.value.scalars, pair.1.value.scalars).map { abs($0 - $1) }.max() ?? 0
        }.max() ?? 0
        XCTAssertGreaterThan(moved, 0)
        XCTAssertLessThan(moved, 1e-3)
    }

    func testExportingAgainAfterLoadingGivesTheSameBytesAndOurLayoutGoesRoundToo() throws {
        let work = try temporaryFolder("walkthrough-export")
        defer { try? FileManager.default.removeItem(at: work) }
        for name in ["char", "bpe"] {
            // The fixture is an export (the script's); load it and export it again: the same bytes.
            let fixture = handoffFixtures.appendingPathComponent(name)
            let again = work.appendingPathComponent("\(name)-again"), ours = work.appendingPathComponent("\(name)-ours")
            let back = work.appendingPathComponent("\(name)-back")
            for (source, target, format) in [(fixture, again, "huggingface"), (again, ours, "gptfromscratch"),
                                              (ours, back, "huggingface")] {
                let run = try walkthrough(["export", source.path, "--to", target.path, "--format", format])
                XCTAssertEqual(run.status, 0, run.errors)
            }
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: again.path).sorted(), exportedFiles)
            // transformers' save_pretrained of the same model (tokenizer.json, no vocab.json): exported, the same bytes too.
            let fromTransformers = work.appendingPathComponent("\(name)-from-transformers")
            let saved = try walkthrough(["export", handoffFixtures.appendingPathComponent("\(name)-saved").path,
                                         "--to", fromTransformers.path])
            XCTAssertEqual(saved.status, 0, saved.errors)
            for file in exportedFiles {
                let expected = try Data(contentsOf: fixture.appendingPathComponent(file))
                XCTAssertEqual(try Data(contentsOf: again.appendingPathComponent(file)), expected, "\(name): \(file)")
                XCTAssertEqual(try Data(contentsOf: back.appendingPathComponent(file)), expected, "\(name) via ours: \(file)")
                XCTAssertEqual(try Data(contentsOf: fromTransformers.appendingPathComponent(file)), expected,
                               "\(name) via save_pretrained: \(file)")
            }
            XCTAssertTrue(FileManager.default.fileExists(atPath: ours.appendingPathComponent(
                name == "char" ? "char_tokenizer.json" : "vocab.json").path), "\(name): our layout's tokenizer")
        }
        // A fresh run (LiteTorch's tiny preset: attention without biases, an untied head), exported twice.
        let first = work.appendingPathComponent("tiny-hf"), second = work.appendingPathComponent("tiny-hf-again")
        let export = try walkthrough(["export", tinyCheckpoint.folder.path, "--to", first.path])
        XCTAssertEqual(export.status, 0, export.errors)
        for conversion in ["converted: attention's biases written as zeros", "converted: the character vocabulary"] {
            XCTAssertTrue(export.output.contains(conversion), export.output)
        }
        XCTAssertEqual(try walkthrough(["export", first.path, "--to", second.path]).status, 0)
        for file in exportedFiles {
            XCTAssertEqual(try Data(contentsOf: first.appendingPathComponent(file)),
                           try Data(contentsOf: second.appendingPathComponent(file)), file)
        }
        // The exported model computes what the run's model computes.
        let ids = NDArray(shape: [1, 6], scalars: [3, 1, 4, 1, 5, 9])
        let original = try GPTModel<Float>.load(from: tinyCheckpoint.folder)
        let difference = zip(try GPTModel<Float>.load(from: first)(ids).scalars, original(ids).scalars).map { abs($0 - $1) }
        XCTAssertLessThan(difference.max() ?? .infinity, 1e-6)
        // No hidden staging folder is left beside an export.
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: work.path).contains { $0.hasPrefix(".") })
    }
}
