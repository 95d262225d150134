// CommandErrorTests.swift — every way a command can be given bad input, with its exit status:
// 2 and the usage for a bad flag or value; 1 and a message naming the file, tensor or text for
// bad input from outside. Never a stack trace.

import Foundation
import GPT
import NDArray
import XCTest

final class CommandErrorTests: XCTestCase {
    /// Runs `arguments` and checks the status, that stderr says `message` and that nothing crashed.
    func expect(_ arguments: [String], status: Int32, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try walkthrough(arguments, file: file, line: line)
        XCTAssertEqual(run.status, status, "\(arguments): \(run.errors)", file: file, line: line)
        XCTAssertTrue(run.errors.contains(message), "\(arguments): expected \"\(message)\" in \(run.errors)", file: file, line: line)
        XCTAssertFalse(run.errors.contains("Fatal error") || run.errors.contains("Stack dump"), run.errors, file: file, line: line)
        if status == 2 { XCTAssertTrue(run.errors.contains("usage: walkthrough"), "\(arguments)", file: file, line: line) }
    }

    func testUsageErrorsExit2() throws {
        let work = try temporaryFolder("walkthrough-usage")
        defer { try? FileManager.default.removeItem(at: work) }
        let folder = tinyCheckpoint.folder.path, text = tinyCheckpoint.text.path
        let out = work.appendingPathComponent("never-written").path     // no usage error may create it
        try expect(["train", text], status: 2, "--out DIR is required")
        try expect(["train", "--out", out], status: 2, "expected one text FILE, got 0")
        try expect(["train", text, "--out", out, "--steps"], status: 2, "--steps needs a value")
        try expect(["train", text, "--out", out, "--steps", "-1"], status: 2, "--steps -1: expected a whole number from 1 to 1,000,000,000")
        try expect(["train", text, "--out", out, "--steps", "0"], status: 2, "--steps 0: expected a whole number from 1")
        try expect(["train", text, "--out", out, "--batch-size", "4611686018427387904"], status: 2,
                   "--batch-size 4611686018427387904: expected a whole number from 1 to 65,536")
        try expect(["train", text, "--out", out, "--width", "99999999999"], status: 2, "--width 99999999999: expected")
        try expect(["train", text, "--out", out, "--lr", "fast"], status: 2, "--lr fast: expected a positive number")
        try expect(["train", text, "--out", out, "--lr", "inf"], status: 2, "--lr inf: expected a positive number")
        try expect(["train", text, "--out", out, "--preset", "huge"], status: 2, "unknown preset 'huge'")
        try expect(["train", text, "--out", out, "--heads", "3"], status: 2, "the model cannot be built")
        try expect(["train", text, "--out", out, "--tokenizer", "bpe", "--vocab-size", "10"], status: 2,
                   "--vocab-size 10: expected a whole number from 258 to 1,000,000")
        try expect(["train", text, "--out", out, "--vocab-size", "300"], status: 2, "--vocab-size is for --tokenizer bpe")
        try expect(["train", text, "--out", out, "--frobnicate", "1"], status: 2, "unknown option '--frobnicate'")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a usage error wrote \(out)")
        let copy = work.appendingPathComponent("copy")
        try FileManager.default.copyItem(at: tinyCheckpoint.folder, to: copy)
        try expect(["train", text, "--out", copy.path, "--resume", "--lr", "1"], status: 2, "--lr cannot change them")
        try expect(["train", text, "--out", copy.path, "--resume", "--steps", "10"], status: 2,
                   "--steps 10: the run is already at step 30")
        try expect(["generate"], status: 2, "expected one checkpoint folder, got 0")
        try expect(["generate", folder, "--temperature", "0"], status: 2, "--temperature 0: expected a positive number")
        try expect(["generate", folder, "--top-p", "2"], status: 2, "--top-p 2: expected a number in (0, 1]")
        try expect(["generate", folder, "--top-k", "0"], status: 2, "--top-k 0: expected a whole number from 1 to 10,000,000")
        try expect(["generate", folder, "--num-beams", "9999999999999"], status: 2, "--num-beams 9999999999999: expected")
        try expect(["generate", folder, "--explain", "--num-beams", "2"], status: 2, "not beam search")
        try expect(["generate", folder, "--max-new-tokens"], status: 2, "--max-new-tokens needs a value")
        try expect(["attention", folder], status: 2, "expected a checkpoint folder and a TEXT, got 1 arguments")
        try expect(["attention", folder, "the", "--layers", "2"], status: 2, "--layers 2: the model has layers 0…1")
        try expect(["attention", folder, "the", "--heads", "0,x"], status: 2, "--heads 0,x: the model has heads 0…1")
        try expect(["attention", folder, "the", "--scale", "cubic"], status: 2, "--scale cubic: expected linear or log")
        try expect(["tokenize"], status: 2, "expected one TEXT, got 0")
        try expect(["tokenize", "x", "--tokenizer"], status: 2, "--tokenizer needs a value")
        try expect(["tokenize", "x", "--bogus", "1"], status: 2, "unknown option '--bogus'")
        try expect(["inspect", "a", "b"], status: 2, "expected one checkpoint folder, got 2")
        try expect(["gradcheck", "--seed", "-3"], status: 2, "--seed -3: expected a non-negative integer")
    }

    /// Inputs that once ended in a trap or a misleading message: each is now refused where it is parsed.
    func testFlagsThatOnceTrappedOrMisledAreRefusedByName() throws {
        let work = try temporaryFolder("walkthrough-audit")
        defer { try? FileManager.default.removeItem(at: work) }
        let folder = tinyCheckpoint.folder.path, text = tinyCheckpoint.text.path
        let out = work.appendingPathComponent("never-written").path
        // Was "Fatal error: failed to allocate 34359738431 bytes" (signal 6) in the first step.
        try expect(["train", text, "--out", out, "--preset", "tiny", "--batch-size", "65536", "--context", "32768"],
                   status: 2, "one batch of batchSize 65536 × contextLength 32768 would keep at least")
        try expect(["train", text, "--out", out, "--out", out + "2"], status: 2, "--out is given twice")
        try expect(["generate", folder, "--prompt", "a", "--prompt", "b"], status: 2, "--prompt is given twice (a, then b)")
        try expect(["train", text, "--out", out, "--seed", "-1"], status: 2, "--seed -1: expected a whole number ≥ 0")
        try expect(["train", text, "--out", out, "--clip", "-1"], status: 2, "--clip -1: expected a number ≥ 0")
        try expect(["train", text, "--out", out, "--min-lr", "0.01"], status: 2, "--min-lr 0.01 is above the learning rate 0.001")
        try expect(["generate", folder, "--temperature", "5e-324"], status: 2,
                   "--temperature 5e-324: expected a positive number from 0.000001 to 1,000,000")
        try expect(["generate", folder, "--repetition-penalty", "1e-300"], status: 2, "--repetition-penalty 1e-300: expected")
        try expect(["frobnicate"], status: 2, "unknown command 'frobnicate'")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a usage error wrote \(out)")

        // Files: exit 1, naming the file.
        let empty = work.appendingPathComponent("empty.txt")
        try Data().write(to: empty)
        try expect(["train", empty.path, "--out", out], status: 1, "\(empty.path): the file is empty")     // was exit 2, "vocabSize"
        try expect(["train", work.path, "--out", out], status: 1, "\(work.path): a folder, not a text file")
        try expect(["train", text, "--out", text], status: 1, "--out \(text): a file is there, not a folder")
        try expect(["train", text, "--out", out, "--preset", "tiny", "--context", "1024"], status: 1,
                   "\(text): its validation part (the last 10%) is 264 tokens, and one window of --context 1024 needs 1,025")
        let oneLine = work.appendingPathComponent("one-line.txt"), run = work.appendingPathComponent("one-line")
        try trainingText.replacingOccurrences(of: "\n", with: " ").write(to: oneLine, atomically: true, encoding: .utf8)
        let trained = try walkthrough(["train", oneLine.path, "--out", run.path, "--preset", "tiny", "--context", "8",
                                       "--steps", "1", "--batch-size", "1", "--eval-every", "0"])
        XCTAssertEqual(trained.status, 0, trained.errors)
        try expect(["generate", run.path], status: 1, "\(run.path): its vocabulary has no newline to start from: give --prompt TEXT")
    }

    func testInitFromAndExportRefuseBadInputByName() throws {
        let work = try temporaryFolder("walkthrough-handoff-errors")
        defer { try? FileManager.default.removeItem(at: work) }
        let text = tinyCheckpoint.text.path, folder = tinyCheckpoint.folder.path, gpt2 = gpt2Folder.path
        let out = work.appendingPathComponent("never-written").path
        // Flags: exit 2, naming each.
        try expect(["train", text, "--out", out, "--init-from", gpt2, "--layers", "3", "--tokenizer", "bpe"], status: 2,
                   "--init-from takes the architecture and the tokenizer from its checkpoint; --layers, --tokenizer would change them")
        try expect(["train", text, "--out", out, "--init-from", gpt2, "--preset", "tiny"], status: 2, "--preset tiny would change them")
        try expect(["train", text, "--out", out, "--preset", "finetune"], status: 2,
                   "--preset finetune fine-tunes a trained model: give --init-from DIR")
        try expect(["train", text, "--out", out, "--init-from", gpt2, "--context", "128"], status: 2,
                   "--context 128 is longer than the context of \(gpt2)'s model (64 positions)")
        try expect(["train", text, "--out", folder, "--resume", "--init-from", gpt2], status: 2, "--init-from cannot change them")
        try expect(["export", folder], status: 2, "--to DIR is required")
        try expect(["export", folder, "--to", out, "--format", "onnx"], status: 2, "--format onnx: expected huggingface or gptfromscratch")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a usage error wrote \(out)")

        // Folders and texts: exit 1, naming what is wrong.
        let empty = work.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try expect(["train", text, "--out", out, "--init-from", empty.path], status: 1, "config.json is missing")
        try expect(["train", text, "--out", out, "--init-from", out], status: 1, "\(out): no such file or folder")
        try expect(["export", empty.path, "--to", out], status: 1, "config.json is missing")
        let zebra = work.appendingPathComponent("zebra.txt")
        try (trainingText + "Zebra\n").write(to: zebra, atomically: true, encoding: .utf8)
        try expect(["train", zebra.path, "--out", out, "--init-from", folder], status: 1,
                   "\(zebra.path) cannot be encoded with the tokenizer of \(folder): ")
        // A tokenizer larger than the model's vocabulary.
        let mismatched = work.appendingPathComponent("mismatched")
        try FileManager.default.copyItem(at: tinyCheckpoint.folder, to: mismatched)
        try CharTokenizer(text: trainingText + "XYZ").write(to: mismatched.appendingPathComponent("char_tokenizer.json"))
        try expect(["train", text, "--out", out, "--init-from", mismatched.path], status: 1,
                   "the tokenizer has 21 tokens but the model only 18 (V)")
        try expect(["export", mismatched.path, "--to", out], status: 1, "the tokenizer has 21 tokens but the model only 18 (V)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a refused run wrote \(out)")

        // What GPT-2's layout cannot hold: rotary positions; a character beyond ASCII.
        let rotary = work.appendingPathComponent("rotary")
        var rng = SeededGenerator(seed: 1)
        try GPTModel<Float>(config: GPTConfig(vocabSize: 18, maxSeqLen: 16, numLayers: 1, numHeads: 2, hiddenDim: 16,
                                              positionEncoding: .rotary), using: &rng).save(to: rotary)
        try CharTokenizer(text: trainingText).write(to: rotary.appendingPathComponent("char_tokenizer.json"))
        try expect(["export", rotary.path, "--to", out], status: 1, "cannot be exported in GPT-2's layout: checkpoint: "
                       + "the GPT-2 layout cannot hold this model: rotary positions, not learned ones")
        let accented = work.appendingPathComponent("accented")
        try FileManager.default.copyItem(at: tinyCheckpoint.folder, to: accented)
        let characters = CharTokenizer(text: trainingText).characters.map { $0 == "w" ? "é" : $0 }
        try CharTokenizer(characters: characters).write(to: accented.appendingPathComponent("char_tokenizer.json"))
        try expect(["export", accented.path, "--to", out], status: 1, "character tokenizer cannot be written as GPT-2's")
        try expect(["export", accented.path, "--to", out], status: 1, "the character \"é\" (U+00E9) (id 17) is 2 bytes of UTF-8")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "a refused export wrote \(out)")
        // Never over anything: a file, or a folder with something in it.
        try expect(["export", folder, "--to", text], status: 1, "--to \(text): a file is there, not a folder")
        let occupied = work.appendingPathComponent("occupied")
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: occupied.appendingPathComponent("notes.txt"))
        try expect(["export", folder, "--to", occupied.path], status: 1, "is not empty (notes.txt…)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: occupied.path), ["notes.txt"])
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: work.path).contains { $0.hasPrefix(".") },
                       "a refused export left its staging folder")
    }

    func testMissingAndUnreadableInputExits1NamingTheFile() throws {
        let work = try temporaryFolder("walkthrough-errors")
        defer { try? FileManager.default.removeItem(at: work) }
        let missing = work.appendingPathComponent("nothing-here").path
        let text = tinyCheckpoint.text.path, folder = tinyCheckpoint.folder.path
        try expect(["train", missing, "--out", work.appendingPathComponent("o").path], status: 1, "\(missing): no such file")
        let binary = work.appendingPathComponent("binary.txt")
        try Data([0x66, 0xFF, 0xFE, 0x00]).write(to: binary)
        try expect(["train", binary.path, "--out", work.appendingPathComponent("o").path], status: 1, "not UTF-8 text")
        let short = work.appendingPathComponent("short.txt")
        try "abc".write(to: short, atomically: true, encoding: .utf8)
        try expect(["train", short.path, "--out", work.appendingPathComponent("o").path], status: 1, "tokens")
        try expect(["train", text, "--out", folder], status: 1, "already holds a training run")
        let occupied = work.appendingPathComponent("occupied")
        try FileManager.default.createDirectory(at: occupied, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: occupied.appendingPathComponent("notes.txt"))
        try expect(["train", text, "--out", occupied.path], status: 1, "is not empty (notes.txt…)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: occupied.path), ["notes.txt"])
        try expect(["train", text, "--out", work.appendingPathComponent("new").path, "--resume"], status: 1, "no checkpoint to resume")
        try expect(["generate", missing], status: 1, "\(missing): no such file or folder")
        try expect(["attention", missing, "x"], status: 1, "\(missing): no such file or folder")
        try expect(["inspect", missing], status: 1, "\(missing): no such file or folder")
        try expect(["inspect", work.path], status: 1, "config.json is missing")
        try expect(["tokenize", "x", "--tokenizer", missing], status: 1, "\(missing): no such file or folder")
        try expect(["tokenize", "Zebra", "--tokenizer", folder], status: 1, "character vocabulary cannot encode the text")
        try expect(["generate", folder, "--prompt", "Zebra€"], status: 1, "unknown character \"Z\"")
        try expect(["attention", folder, String(repeating: "the cat ", count: 5)], status: 1,
                   "the text is 40 tokens, more than the model's context of 16")

        // Resuming on another text of the same length and characters.
        let resumable = work.appendingPathComponent("resumable")
        try FileManager.default.copyItem(at: tinyCheckpoint.folder, to: resumable)
        let other = work.appendingPathComponent("other.txt")
        try trainingText.replacingOccurrences(of: "cat", with: "tac").write(to: other, atomically: true, encoding: .utf8)
        try expect(["train", other.path, "--out", resumable.path, "--resume", "--steps", "40"], status: 1,
                   "it was trained on another token stream of the same length")

        // A folder with weights but no tokenizer.
        let bare = work.appendingPathComponent("bare")
        try FileManager.default.createDirectory(at: bare, withIntermediateDirectories: true)
        for file in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: tinyCheckpoint.folder.appendingPathComponent(file), to: bare.appendingPathComponent(file))
        }
        try expect(["generate", bare.path], status: 1, "no tokenizer: expected char_tokenizer.json, vocab.json and merges.txt, or tokenizer.json")
    }

    func testACheckpointThatDoesNotMatchItsConfigNamesTheTensor() throws {
        let work = try temporaryFolder("walkthrough-mismatch")
        defer { try? FileManager.default.removeItem(at: work) }
        func copy(editing edit: (inout [String: Any]) -> Void) throws -> String {
            let folder = work.appendingPathComponent(UUID().uuidString)
            try FileManager.default.copyItem(at: tinyCheckpoint.folder, to: folder)
            let url = folder.appendingPathComponent("config.json")
            var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            var config = json["config"] as! [String: Any]
            edit(&config)
            json["config"] = config
            try JSONSerialization.data(withJSONObject: json).write(to: url)
            return folder.path
        }
        let wider = try copy { $0["hiddenDim"] = 64; $0["ffnDim"] = 256 }
        try expect(["generate", wider], status: 1, "tensor \"wte.weight\" has shape [18, 32], but the config needs [18, 64]")
        let deeper = try copy { $0["numLayers"] = 3 }
        try expect(["attention", deeper, "the"], status: 1, "missing tensors: blocks.2.")
        try expect(["inspect", deeper], status: 1, "missing tensors: blocks.2.")

        // A weights file cut short.
        let cut = try copy { _ in }
        let weights = URL(fileURLWithPath: cut).appendingPathComponent("model.safetensors")
        let data = try Data(contentsOf: weights)
        try data.prefix(data.count / 2).write(to: weights)
        try expect(["generate", cut], status: 1, "\(weights.path): safetensors: tensor \"")
        try expect(["generate", cut], status: 1, "the file is truncated")
    }
}
