// CommandTests.swift — every subcommand on a tiny checkpoint made here (and on the GPT tests'
// Hugging Face GPT-2 folder), checked against the library computing the same thing, or against
// Hugging Face's own output.

import Foundation
import GPT
import NDArray
import XCTest

final class CommandTests: XCTestCase {
    func testTrainWritesACheckpointWithItsTokenizerAndPrintsProgressAndTheLossCurve() throws {
        let (folder, _, run) = tinyCheckpoint
        XCTAssertEqual(run.status, 0, run.errors)
        for file in ["char_tokenizer.json", "config.json", "model.safetensors", "training.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), file)
        }
        XCTAssertTrue(run.output.contains("tokenizer: characters, 18 tokens"), run.output)
        XCTAssertTrue(run.output.contains("model: 2 layers, 2 heads, C = 32, T = 16, V = 18"))
        for line in ["step 0: train loss", "step 10/30 | loss", "step 30/30 | loss", "step 15: train loss", "step 30: train loss",
                     "| ETA ", "* train loss   o validation loss", "saved "] {
            XCTAssertTrue(run.output.contains(line), "missing: \(line)")
        }
        let model = try GPTModel<Float>.load(from: folder)
        XCTAssertEqual(model.config.vocabSize, 18)
        XCTAssertEqual(model.config.maxSeqLen, 16)
        // The tokenizer is the text's characters.
        let tokenizer = try CharTokenizer(contentsOf: folder.appendingPathComponent("char_tokenizer.json"))
        XCTAssertEqual(tokenizer, CharTokenizer(text: trainingText))
    }

    func testAResumedRunEndsWithTheSameWeightsAsOneThatNeverStopped() throws {
        let work = try temporaryFolder("walkthrough-resume")
        defer { try? FileManager.default.removeItem(at: work) }
        let text = tinyCheckpoint.text.path
        // Evaluation on (every 10 steps, and at the end of each part), dropout on, stopped at a step that is no
        // multiple of either. The schedule is the first run's (--decay-steps 40), as a resumed run keeps it.
        let shared = ["--preset", "tiny", "--context", "16", "--batch-size", "4", "--eval-every", "10", "--eval-batches", "2",
                      "--log-every", "10", "--seed", "7", "--warmup", "3", "--decay-steps", "40", "--dropout", "0.1",
                      "--checkpoint-every", "7"]
        let straight = try walkthrough(["train", text, "--out", work.appendingPathComponent("a").path, "--steps", "40"] + shared)
        XCTAssertEqual(straight.status, 0, straight.errors)
        let first = try walkthrough(["train", text, "--out", work.appendingPathComponent("b").path, "--steps", "25"] + shared)
        XCTAssertEqual(first.status, 0, first.errors)
        let resumed = try walkthrough(["train", text, "--out", work.appendingPathComponent("b").path, "--resume", "--steps", "40"])
        XCTAssertEqual(resumed.status, 0, resumed.errors)
        XCTAssertTrue(resumed.output.contains("resuming at step 25 of 40"), resumed.output)
        XCTAssertTrue(resumed.output.contains("step 40/40"))
        // The evaluations at the steps both runs made are the same too.
        let evaluation30 = { (run: WalkthroughRun) in run.output.split(separator: "\n").first { $0.hasPrefix("step 30: ") } }
        XCTAssertEqual(evaluation30(straight), evaluation30(resumed))
        XCTAssertNotNil(evaluation30(straight))
        let a = try Data(contentsOf: work.appendingPathComponent("a/model.safetensors"))
        let b = try Data(contentsOf: work.appendingPathComponent("b/model.safetensors"))
        XCTAssertEqual(a, b, "the resumed run's weights differ from the uninterrupted run's")
    }

    func testTrainWithABPETokenizerSavesVocabAndMerges() throws {
        let work = try temporaryFolder("walkthrough-bpe")
        defer { try? FileManager.default.removeItem(at: work) }
        let run = try walkthrough(["train", tinyCheckpoint.text.path, "--out", work.appendingPathComponent("run").path,
                                   "--tokenizer", "bpe", "--vocab-size", "280", "--steps", "4", "--preset", "tiny",
                                   "--context", "8", "--batch-size", "2", "--eval-every", "0"])
        XCTAssertEqual(run.status, 0, run.errors)
        let tokenizer = try BPETokenizer(directory: work.appendingPathComponent("run"))
        XCTAssertEqual(tokenizer, BPETokenizer.train(text: trainingText, vocabSize: 280, specialTokens: ["<|endoftext|>"]))
        XCTAssertEqual(try GPTModel<Float>.load(from: work.appendingPathComponent("run")).config.vocabSize, 280)
    }

    func testGenerateStreamsWhatTheLibraryGeneratesAndExplainFollowsTheSameDraws() throws {
        let folder = tinyCheckpoint.folder
        let model = try GPTModel<Float>.load(from: folder)
        let tokenizer = try CharTokenizer(contentsOf: folder.appendingPathComponent("char_tokenizer.json"))
        let prompt = try tokenizer.encode("the c")
        var config = GenerationConfig.sampling(maxNewTokens: 25, temperature: 0.9, topK: 8, topP: 0.95, seed: 3)
        let expected = try tokenizer.decode(model.generate(prompts: [prompt], config: config).sequences[0])
        let flags = ["--prompt", "the c", "--max-new-tokens", "25", "--temperature", "0.9", "--top-k", "8",
                     "--top-p", "0.95", "--seed", "3"]
        let run = try walkthrough(["generate", folder.path] + flags)
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertEqual(run.output, expected + "\n")
        XCTAssertTrue(run.errors.contains("[25 new tokens in"))

        let explained = try walkthrough(["generate", folder.path, "--explain", "--candidates", "3"] + flags)
        XCTAssertEqual(explained.status, 0, explained.errors)
        let tables = explained.output.components(separatedBy: "next token after ").count - 1
        XCTAssertEqual(tables, 25)
        XCTAssertTrue(explained.output.contains("(temperature 0.9, top-k 8, top-p 0.95, repetition penalty 1.0)"))
        // Each table's draw is the token generate chose next (the tables follow the sampler's own stream).
        let drawn = explained.output.split(separator: "\n").filter { $0.contains("tokens can be drawn; drawn: ") }
            .map { line in Int(line.split(separator: "(id ").last!.dropLast())! }
        XCTAssertEqual(drawn, model.generate(prompts: [prompt], config: config).newTokens[0])
        let last = explained.output.split(separator: "\n").last { $0.hasPrefix("text so far: ") }!
        XCTAssertEqual(String(last), "text so far: \"" + expected.replacingOccurrences(of: "\n", with: "\\n") + "\"")

        // Greedy and beam search, against the library.
        config = .greedy(maxNewTokens: 10)
        let greedy = try walkthrough(["generate", folder.path, "--prompt", "the c", "--greedy", "--max-new-tokens", "10"])
        XCTAssertEqual(greedy.output, try tokenizer.decode(model.generate(prompts: [prompt], config: config).sequences[0]) + "\n")
        config = .beamSearch(numBeams: 3, maxNewTokens: 6)
        let beams = try walkthrough(["generate", folder.path, "--prompt", "the c", "--num-beams", "3", "--max-new-tokens", "6"])
        XCTAssertEqual(beams.output, try tokenizer.decode(model.generate(prompts: [prompt], config: config).sequences[0]) + "\n")
    }

    func testGenerateShowsATokenTheTokenizerLacksAsItsId() throws {
        // A model whose V is larger than its tokenizer (as nanoGPT pads GPT-2's 50257 to 50304).
        let work = try temporaryFolder("walkthrough-padded")
        defer { try? FileManager.default.removeItem(at: work) }
        let folder = work.appendingPathComponent("run")
        try FileManager.default.copyItem(at: tinyCheckpoint.folder, to: folder)
        let full = try CharTokenizer(contentsOf: folder.appendingPathComponent("char_tokenizer.json"))
        let short = try CharTokenizer(characters: Array(full.characters.prefix(10)))        // "\n", " ", ".", a…h
        try short.write(to: folder.appendingPathComponent("char_tokenizer.json"))
        let model = try GPTModel<Float>.load(from: folder)
        let config = GenerationConfig.sampling(maxNewTokens: 30, seed: 4)
        let tokens = model.generate(prompts: [try short.encode("a cab")], config: config).newTokens[0]
        XCTAssertTrue(tokens.contains { $0 >= 10 }, "the test needs a token past the short vocabulary")
        let expected = "a cab" + (try tokens.map { $0 < 10 ? try short.decode([$0]) : "<#\($0)>" }).joined()
        let run = try walkthrough(["generate", folder.path, "--prompt", "a cab", "--max-new-tokens", "30", "--seed", "4"])
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertEqual(run.output, expected + "\n")
    }

    func testGenerateFromAHuggingFaceGPT2FolderMatchesTransformersGreedyText() throws {
        // greedy_text.txt is what transformers' generate printed for this prompt (scripts/make_gpt_fixtures.py).
        let expected = try String(contentsOf: gpt2Folder.appendingPathComponent("greedy_text.txt"), encoding: .utf8)
        let run = try walkthrough(["generate", gpt2Folder.path, "--prompt", "The quick brown fox", "--greedy",
                                   "--max-new-tokens", "12"])
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertEqual(run.output, expected + "\n")
    }

    func testAttentionPrintsTheChosenHeadsAsTheLibrarysHeatmaps() throws {
        let folder = tinyCheckpoint.folder
        let run = try walkthrough(["attention", folder.path, "the cat", "--layers", "1", "--heads", "0,1", "--width", "60"])
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertFalse(run.output.contains("layer 0,"))
        let model = try GPTModel<Float>.load(from: folder)
        let tokenizer = try CharTokenizer(contentsOf: folder.appendingPathComponent("char_tokenizer.json"))
        let ids = try tokenizer.encode("the cat")
        let weights = model.forward(NDArray(shape: [1, ids.count], scalars: ids), outputAttentions: true).attentions[1]
        let labels = ["t", "h", "e", "␣", "c", "a", "t"]
        for head in 0..<2 {
            var map = Heatmap(rowLabels: labels, columnLabels: labels, title: "layer 1, head \(head):")
            map.width = 60
            map.color = .plain
            XCTAssertTrue(run.output.contains(map.render(weights[0, head])), "head \(head) differs from Heatmap.render")
        }
        // The first token can only look at itself: weight 1, the darkest shade.
        XCTAssertTrue(run.output.contains("t │@@            │"), run.output)

        let all = try walkthrough(["attention", gpt2Folder.path, "Hello there", "--scale", "log", "--per-row"])
        XCTAssertEqual(all.status, 0, all.errors)
        XCTAssertEqual(all.output.components(separatedBy: "\nlayer ").count - 1, 8)       // 2 layers × 4 heads
        XCTAssertTrue(all.output.contains("(log,"))
    }

    func testTokenizeInspectAndGradcheck() throws {
        let tokenizer = try BPETokenizer(directory: gpt2Folder)
        let tokenize = try walkthrough(["tokenize", "The quick brown fox", "--tokenizer", gpt2Folder.path])
        XCTAssertEqual(tokenize.status, 0, tokenize.errors)
        XCTAssertTrue(tokenize.output.hasPrefix("ids:    \(tokenizer.encode("The quick brown fox"))\n"), tokenize.output)
        XCTAssertTrue(tokenize.output.contains("rank "), "the BPE merge steps are missing")
        let pieces = try walkthrough(["tokenize", "Hello there", "--tokenizer", gpt2Folder.path])
        XCTAssertTrue(pieces.output.contains("pieces: \"H\" \"e\" \"ll\" \"o\" \"Ġthe\" \"re\"\n"), pieces.output)
        let characters = try walkthrough(["tokenize", "abca"])
        XCTAssertTrue(characters.output.contains("ids:    [0, 1, 2, 0]\n"), characters.output)
        // One piece per id: "\r\n" is one Swift Character but two scalars, two tokens.
        let lines = try walkthrough(["tokenize", "a\r\nb"])
        XCTAssertTrue(lines.output.contains("ids:    [2, 1, 0, 3]\npieces: \"a\" \"\\r\" \"\\n\" \"b\"\n"), lines.output)
        // Any tokenizer a checkpoint folder holds: tokenizer.json alone (transformers 5), or a run's characters.
        let saved = try walkthrough(["tokenize", "the cat", "--tokenizer", handoffFixtures.appendingPathComponent("bpe-saved").path])
        XCTAssertEqual(saved.status, 0, saved.errors)
        let exported = try BPETokenizer(directory: handoffFixtures.appendingPathComponent("bpe"))
        XCTAssertTrue(saved.output.hasPrefix("ids:    \(exported.encode("the cat"))\n"), saved.output)
        let run = try walkthrough(["tokenize", "a cat", "--tokenizer", tinyCheckpoint.folder.path])
        XCTAssertEqual(run.status, 0, run.errors)
        let runCharacters = try CharTokenizer(contentsOf: tinyCheckpoint.folder.appendingPathComponent("char_tokenizer.json"))
        XCTAssertTrue(run.output.contains("ids:    \(try runCharacters.encode("a cat"))\npieces: \"a\" \" \" \"c\" \"a\" \"t\"\n"),
                      run.output)

        let inspect = try walkthrough(["inspect", gpt2Folder.path])
        XCTAssertEqual(inspect.status, 0, inspect.errors)
        XCTAssertTrue(inspect.output.contains("import report (huggingface-gpt2)"))
        XCTAssertTrue(inspect.output.contains("missing: none\nunexpected: none"))
        XCTAssertTrue(inspect.output.contains("tied to wte.weight"))                 // GPT-2's lm_head
        let ours = try walkthrough(["inspect", tinyCheckpoint.folder.path])
        XCTAssertTrue(ours.output.contains("import report (gptfromscratch)"))
        let model = try GPTModel<Float>.load(from: tinyCheckpoint.folder)
        XCTAssertTrue(ours.output.contains("wte.weight                    [18, 32]        576\n"), ours.output)
        // By hand, LiteTorch's tiny shape (attention without biases, an untied head): wte 18·32 + wpe 16·32
        // + 2 blocks × (2 norms 2·2·32 + qkv 96·32 + proj 32·32 + up 128·32 + 128 + down 32·128 + 32)
        // + lnF 2·32 + lmHead 18·32 = 26,880.
        XCTAssertEqual(model.numParameters(), 26_880)
        XCTAssertTrue(ours.output.contains("total parameters: 26,880"), ours.output)

        let gradcheck = try walkthrough(["gradcheck"])
        XCTAssertEqual(gradcheck.status, 0, gradcheck.errors)
        XCTAssertEqual(gradcheck.output.components(separatedBy: "✓").count - 1, 51)
        XCTAssertTrue(gradcheck.output.contains("TransformerBlock post  attn.qkv.weight"))
    }
}
