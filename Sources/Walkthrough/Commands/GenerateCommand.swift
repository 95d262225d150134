// GenerateCommand.swift — `walkthrough generate DIR`: text from a checkpoint, streamed as it comes.
//
//   walkthrough generate run --prompt "ROMEO:" --temperature 0.8 --top-k 40
//   walkthrough generate gpt2-folder --prompt "The meaning of life is" --greedy --max-new-tokens 20
//   walkthrough generate run --prompt "ROMEO:" --explain --max-new-tokens 3
//
// DIR is one of ours (from `train`) or a Hugging Face GPT-2 folder (config.json,
// model.safetensors, vocab.json, merges.txt). Each token is printed the moment it
// is chosen; with --explain, each step's candidates table comes first (the same
// draws as without it: the tables follow the sampler's own random stream).
//
// Depends on: GPT (GPTModel.generate, Sampling, NextTokenExplanation), TokenizerFolder.swift, Commands.swift.

import Foundation
import GPT
import NDArray

let generateUsage = """
    walkthrough generate DIR [--prompt TEXT] [options]

      DIR                       a checkpoint folder: ours, or a Hugging Face GPT-2 folder
      --prompt TEXT             the text to continue (default: <|endoftext|>, or a newline for characters)
      --max-new-tokens N        how many tokens to add (default 200)
      --greedy                  always take the most likely token (default: sample)
      --temperature T           divide the logits by T before sampling (default 1)
      --top-k K                 sample only from the K most likely tokens
      --top-p P                 sample only from the most likely tokens whose probabilities add up to P
      --repetition-penalty R    R > 1 makes tokens already in the text less likely (default 1: off)
      --num-beams N             beam search with N beams (no sampling)
      --length-penalty X        beam search: score / length^X (default 1)
      --stop TEXT               end at this token (default: <|endoftext|> when the vocabulary has it)
      --seed N                  the sampling draws' seed (default 0)
      --no-cache                recompute every position each step instead of caching keys and values
      --explain                 before each token, the candidates and their probabilities after each step
      --candidates N            rows of each --explain table (default 5)
    """

/// `generate DIR [options]`.
func generateCommand(_ arguments: [String]) {
    let (positional, options) = parseOptions(
        "generate", arguments,
        known: ["--prompt", "--max-new-tokens", "--temperature", "--top-k", "--top-p", "--repetition-penalty",
                "--num-beams", "--length-penalty", "--stop", "--seed", "--candidates"],
        flags: ["--greedy", "--no-cache", "--explain"])
    guard positional.count == 1 else { commandUsageError("generate", "expected one checkpoint folder, got \(positional.count)") }
    let (model, tokenizer) = loadCheckpoint("generate", positional[0])

    var config = GenerationConfig(maxNewTokens: 200, doSample: options["--greedy"] == nil)
    // Beyond 10⁻⁶…10⁶ a divisor sends the logits to infinity (or all to one value) and the tables to "inf".
    let factor: (Double) -> Bool = { $0 >= 1e-6 && $0 <= 1e6 }
    let factorRange = "a positive number from 0.000001 to 1,000,000"
    if let n = count("generate", options, "--max-new-tokens", in: 0...10_000_000) { config.maxNewTokens = n }
    if let t = value("generate", options, "--temperature", Double.self, where: factor, expected: factorRange) {
        config.temperature = t
    }
    config.topK = count("generate", options, "--top-k", in: 1...10_000_000)
    config.topP = value("generate", options, "--top-p", Double.self, where: { $0 > 0 && $0 <= 1 }, expected: "a number in (0, 1]")
    if let r = value("generate", options, "--repetition-penalty", Double.self, where: factor, expected: factorRange) {
        config.repetitionPenalty = r
    }
    if let beams = count("generate", options, "--num-beams", in: 1...1024) {
        config.numBeams = beams
        if beams > 1 { config.doSample = false }
    }
    if let x = value("generate", options, "--length-penalty", Double.self, where: { $0.isFinite }) { config.lengthPenalty = x }
    if let seed = value("generate", options, "--seed", UInt64.self, expected: "a whole number ≥ 0") { config.seed = seed }
    config.useCache = options["--no-cache"] == nil
    let explain = options["--explain"] != nil
    let candidates = count("generate", options, "--candidates", in: 1...1000) ?? 5
    if explain && config.numBeams > 1 { commandUsageError("generate", "--explain shows sampling or greedy steps, not beam search") }
    if let stop = tokenizer.endOfText { config.stopTokens.insert(stop) }
    if let stop = options["--stop"] {
        guard let ids = try? tokenizer.encode(stop), ids.count == 1 else {
            inputError("generate", "--stop \"\(stop)\" is not one token of this vocabulary")
        }
        config.stopTokens.insert(ids[0])
    }

    let promptText = options["--prompt"] ?? (tokenizer.endOfText != nil ? "<|endoftext|>" : "\n")
    let prompt: [Int]
    do {
        prompt = try tokenizer.encode(promptText)
    } catch {
        if options["--prompt"] == nil {
            inputError("generate", "\(positional[0]): its vocabulary has no newline to start from: give --prompt TEXT")
        }
        inputError("generate", "the prompt cannot be encoded: \(error)")
    }
    guard !prompt.isEmpty else { inputError("generate", "the prompt is empty: give --prompt TEXT") }
    // Each beam keeps every layer's keys and values: refuse what could never be allocated (a lower bound, in Double).
    let positions = Double(min(prompt.count + config.maxNewTokens, model.config.maxSeqLen))
    let cacheBytes = 2 * 4 * Double(model.config.numLayers * model.config.hiddenDim) * Double(config.numBeams) * positions
    if config.useCache && cacheBytes > Double(ProcessInfo.processInfo.physicalMemory) {
        commandUsageError("generate", "--num-beams \(config.numBeams) would keep at least "
                              + String(format: "%.1f GB", cacheBytes / 1e9) + " of keys and values for this model; this "
                              + "machine has " + String(format: "%.1f GB", Double(ProcessInfo.processInfo.physicalMemory) / 1e9)
                              + ": fewer --num-beams or --max-new-tokens")
    }

    var stream = UTF8Stream()
    var history = prompt
    var mirror = Sampling.rowGenerator(seed: config.seed, row: 0)     // the sampler's own stream, for the tables
    let decode: (Int) -> String = { tokenizer.label($0) }
    let output = FileHandle.standardOutput
    func write(_ text: String) {
        output.write(Data(text.utf8))
    }
    if !explain { write(promptText == "<|endoftext|>" ? "" : promptText) }
    let started = DispatchTime.now().uptimeNanoseconds
    let result = model.generate(prompts: [prompt], config: config, onToken: { _, token in
        history.append(token)
        let piece = stream.append(tokenizer.displayBytes(of: [token]))
        if explain {
            let text = String(decoding: tokenizer.displayBytes(of: history), as: UTF8.self)
            write("text so far: \"" + text.replacingOccurrences(of: "\n", with: "\\n") + "\"\n")
        } else {
            write(piece)
        }
    }, onLogits: { _, logits in
        guard explain else { return }
        let explanation = Sampling.explain(logits[0].scalars.map(Double.init), history: history, config: config,
                                           candidates: candidates, contextLength: min(history.count, model.config.maxSeqLen),
                                           decode: decode, using: &mirror)
        write("\n\(explanation)\n")
    })
    write((explain ? "" : stream.finish()) + "\n")
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
    let count = result.newTokens[0].count
    let reason = result.stopReasons[0] == .stopToken ? "a stop token" : "--max-new-tokens"
    FileHandle.standardError.write(Data(String(format: "[%d new tokens in %.2f s, %.0f tokens/s; stopped by %@]\n", count,
                                               seconds, Double(count) / max(seconds, 1e-9), reason).utf8))
}

/// The model and tokenizer in checkpoint folder `path`, or exits 1 naming what is missing or wrong.
func loadCheckpoint(_ command: String, _ path: String) -> (GPTModel<Float>, FolderTokenizer) {
    let folder = requireFolder(command, path)
    let model: GPTModel<Float>, tokenizer: FolderTokenizer
    do {
        model = try GPTModel<Float>.load(from: folder)
    } catch {
        inputError(command, "\(path): \(error)")
    }
    do {
        tokenizer = try FolderTokenizer(folder: folder)
    } catch {
        inputError(command, "\(path): \(error)")
    }
    if tokenizer.vocabSize > model.config.vocabSize {
        inputError(command, "\(path): the tokenizer has \(tokenizer.vocabSize) tokens but the model only "
                       + "\(model.config.vocabSize) (V): they do not belong together")
    }
    return (model, tokenizer)
}
