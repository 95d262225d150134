// TrainCommand.swift — `walkthrough train FILE --out DIR`: a GPT trained on a text file.
//
//   walkthrough train input.txt --out run                       nanoGPT's shakespeare-char run (2000 steps)
//   walkthrough train input.txt --out run --tokenizer bpe --vocab-size 1024 --preset small --steps 500
//   walkthrough train input.txt --out run --resume --steps 3000  on from run's last checkpoint, to step 3000
//   walkthrough train input.txt --out ft --init-from gpt2 --preset finetune --context 256
//                                                     GPT-2's weights and tokenizer, fine-tuned as nanoGPT does
//
// DIR receives the tokenizer first, then a checkpoint every --checkpoint-every
// steps and at the end (training.safetensors to resume; model.safetensors and
// config.json for generate, attention and inspect). A folder that already
// holds a run is never overwritten: --resume continues it.
//
// Depends on: GPT (Trainer, TrainingConfig, TokenDataset), TokenizerFolder.swift, Commands.swift.

import Backprop
import Foundation
import GPT
import NDArray

let trainUsage = """
    walkthrough train FILE --out DIR [options]
           walkthrough train FILE --out DIR --init-from CHECKPOINT [--preset finetune] [--context N] [options]
           walkthrough train FILE --out DIR --resume [--steps N] [--threads N]

      FILE                  UTF-8 text to train on (the last 10% is the validation part)
      --out DIR             the checkpoint folder (created; never overwritten without --resume)
      --resume              continue the run saved in DIR (its settings; --steps N to train longer)
      --init-from DIR       start from a checkpoint (ours, or a Hugging Face GPT-2 folder): its weights,
                            architecture, dropout and tokenizer; --context N ≤ its context crops the position
                            table, --dropout P changes the dropout; the model and tokenizer flags are refused
    tokenizer:
      --tokenizer KIND      char (default: the file's characters), bpe (trained on FILE), or a folder
                            with char_tokenizer.json, vocab.json + merges.txt, or tokenizer.json
      --vocab-size N        BPE's vocabulary size, with --tokenizer bpe (default 512)
    model (a preset, then any of the flags):
      --preset NAME         \(GPTConfig.presets.map(\.key).joined(separator: ", ")) (default shakespeare-char);
                            finetune, with --init-from: nanoGPT's fine-tuning run (20 steps of 1 × 32 windows,
                            a constant lr 3e-5, dropout 0, evaluation every 5 steps on 40 batches; a checkpoint
                            every 5 steps too)
      --layers N  --heads N  --width N  --ffn N  --dropout P
      --context N           the context length T: the model's and the training windows' (default the preset's)
    training (default: nanoGPT's shakespeare-char run):
      --steps N (2000)  --batch-size N (12)  --grad-accum N (1)  --lr X (1e-3)  --min-lr X (lr/10)
      --warmup N (min(100, steps/10))  --decay-steps N (steps: where the cosine reaches min-lr)
      --weight-decay X (0.1)  --clip X (1.0; 0 turns it off)
      --eval-every N (250)  --eval-batches N (200)  --checkpoint-every N (250)  --log-every N (10)
      --seed N (1337)  --threads N (every core)
    Ctrl-C finishes the step, writes a checkpoint and exits 130 (--resume goes on from it); twice quits at once.
    """

/// `train FILE --out DIR [options]`.
func trainCommand(_ arguments: [String]) {
    let modelFlags: Set<String> = ["--preset", "--layers", "--heads", "--width", "--ffn", "--dropout", "--context"]
    let runFlags: Set<String> = ["--init-from", "--tokenizer", "--vocab-size", "--batch-size", "--grad-accum", "--lr", "--min-lr",
                                 "--warmup", "--decay-steps", "--weight-decay", "--clip", "--eval-every", "--eval-batches",
                                 "--checkpoint-every", "--log-every", "--seed"]
    let (positional, options) = parseOptions("train", arguments, known: modelFlags.union(runFlags)
                                                 .union(["--out", "--steps", "--threads"]), flags: ["--resume"])
    guard positional.count == 1 else { commandUsageError("train", "expected one text FILE, got \(positional.count)") }
    guard let out = options["--out"] else { commandUsageError("train", "--out DIR is required: where the checkpoints go") }
    let resume = options["--resume"] != nil
    if resume, let fixed = options.keys.filter({ modelFlags.contains($0) || runFlags.contains($0) }).sorted().first {
        commandUsageError("train", "--resume takes its settings from the checkpoint; \(fixed) cannot change them "
                              + "(only --steps and --threads can be given)")
    }
    if options["--init-from"] != nil {
        // The architecture and the tokenizer are the checkpoint's: name every flag that would change them.
        let fixed = ["--layers", "--heads", "--width", "--ffn", "--tokenizer", "--vocab-size"].filter { options[$0] != nil }
            + (options["--preset"].map { $0 == "finetune" ? [] : ["--preset \($0)"] } ?? [])
        if !fixed.isEmpty {
            commandUsageError("train", "--init-from takes the architecture and the tokenizer from its checkpoint; "
                                  + fixed.joined(separator: ", ") + " would change them"
                                  + " (--context N can crop the context, --dropout P change the dropout, --preset finetune "
                                  + "sets the training and a dropout of 0)")
        }
    } else if options["--preset"] == "finetune" {
        commandUsageError("train", "--preset finetune fine-tunes a trained model: give --init-from DIR (a checkpoint of "
                              + "ours or a Hugging Face GPT-2 folder)")
    }
    let steps = count("train", options, "--steps", in: (resume ? 0 : 1)...1_000_000_000)
    let threads = count("train", options, "--threads", in: 1...1024)
    let text = readText("train", positional[0])
    if text.isEmpty { inputError("train", "\(positional[0]): the file is empty: there is nothing to train on") }
    var outIsFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: out, isDirectory: &outIsFolder) && !outIsFolder.boolValue {
        inputError("train", "--out \(out): a file is there, not a folder")
    }
    let folder = URL(fileURLWithPath: out)
    let checkpoint = folder.appendingPathComponent(Trainer<Float>.checkpointFileName)
    let exists = FileManager.default.fileExists(atPath: checkpoint.path)
    if resume && !exists { inputError("train", "\(checkpoint.path): no checkpoint to resume (train without --resume first)") }
    if !resume && exists {
        inputError("train", "\(out) already holds a training run: --resume to continue it, or choose another --out")
    }
    if !resume, let contents = try? FileManager.default.contentsOfDirectory(atPath: folder.path), !contents.isEmpty {
        inputError("train", "\(out) is not empty (\(contents.sorted().prefix(3).joined(separator: ", "))…): "
                       + "choose a new or empty folder, so nothing in it is overwritten")
    }

    ComputeThreads.withCount(threads ?? ComputeThreads.defaultCount) {
        let trainer = resume ? resumeTrainer(folder: folder, text: text, steps: steps)
            : options["--init-from"].map { initializedTrainer(from: $0, folder: folder, text: text, file: positional[0],
                                                              options: options, steps: steps) }
            ?? newTrainer(folder: folder, text: text, file: positional[0], options: options, steps: steps)
        let tokensPerStep = trainer.config.batchSize * trainer.config.contextLength * trainer.config.gradientAccumulation
        print("model: \(trainer.model.config.numLayers) layers, \(trainer.model.config.numHeads) heads, "
              + "C = \(trainer.model.config.hiddenDim), T = \(trainer.model.config.maxSeqLen), "
              + "V = \(trainer.model.config.vocabSize): \(grouped(trainer.model.numParameters())) parameters")
        print("data: \(grouped(trainer.data.train.count)) training tokens, \(grouped(trainer.data.validation.count)) "
              + "validation; \(grouped(tokensPerStep)) tokens per step; \(ComputeThreads.count) threads")
        print(trainer.step == 0 ? "training for \(trainer.config.steps) steps into \(out)"
                                : "resuming at step \(trainer.step) of \(trainer.config.steps) from \(out)")
        let firstStep = trainer.step
        do {
            try catchingInterrupts(notice: "Ctrl-C: finishing this step, then writing a checkpoint "
                                   + "(Ctrl-C again to quit at once)") { interrupted in
                try trainer.run(checkpointDirectory: folder, shouldStop: interrupted, log: { print($0); fflush(nil) })
            }
        } catch TrainingError.nonFinite(let step, let what, _) {
            inputError("train", "training stopped at step \(step): the \(what) is not finite (the learning rate may be "
                           + "too high for this model: a smaller --lr, or --clip, keeps it in bounds)")
        } catch {
            inputError("train", "\(error)")
        }
        let stepsRun = trainer.step - firstStep
        if trainer.step < trainer.config.steps {                 // stopped by Ctrl-C, after its checkpoint
            print("interrupted at step \(trainer.step) of \(trainer.config.steps); to go on: "
                  + "walkthrough train FILE --out \(out) --resume")
            fflush(nil)
            exit(130)
        }
        print(String(format: "%.1f s training (%.1f ms/step), %.1f s evaluating, in this run",
                     trainer.trainingSeconds, 1000 * trainer.trainingSeconds / Double(Swift.max(stepsRun, 1)),
                     trainer.evaluationSeconds))
        print("")
        print(trainer.lossCurve())
        print("saved \(out) (step \(trainer.step)). Next: walkthrough generate \(out) --prompt TEXT, "
              + "or walkthrough export \(out) --to DIR for PyTorch and Hugging Face")
    }
}

/// A new run on `text` (read from `file`): the tokenizer (written to `folder` first), the model and the
/// training settings from the flags.
func newTrainer(folder: URL, text: String, file: String, options: [String: String], steps: Int?) -> Trainer<Float> {
    let tokenizer = makeTokenizer(text: text, options: options)
    let tokens: [Int]
    do {
        tokens = try tokenizer.encode(text)
    } catch {
        inputError("train", "\(file): \(error)")
    }

    let presetName = options["--preset"] ?? "shakespeare-char"
    guard var model = GPTConfig.preset(named: presetName) else {
        commandUsageError("train", "unknown preset '\(presetName)': one of "
                              + GPTConfig.presets.map(\.key).joined(separator: ", "))
    }
    model.vocabSize = tokenizer.vocabSize
    if let layers = count("train", options, "--layers", in: 1...1024) { model.numLayers = layers }
    if let heads = count("train", options, "--heads", in: 1...1024) { model.numHeads = heads }
    if let width = count("train", options, "--width", in: 1...65_536) {
        model.hiddenDim = width
        model.ffnDim = 4 * width
    }
    if let ffn = count("train", options, "--ffn", in: 1...262_144) { model.ffnDim = ffn }
    if let dropout = value("train", options, "--dropout", Double.self, where: { $0 >= 0 && $0 < 1 },
                           expected: "a probability in [0, 1)") { model.dropout = dropout }
    if let context = count("train", options, "--context", in: 1...65_536) { model.maxSeqLen = context }
    if let problem = model.problem { commandUsageError("train", "the model cannot be built: \(problem)") }

    var base = TrainingConfig.shakespeareChar
    base.contextLength = model.maxSeqLen
    let training = trainingSettings(options: options, base: base, steps: steps, model: model)
    let data = dataset(tokens, training: training, file: file)
    save(tokenizer, into: folder)
    var rng = SeededGenerator(seed: training.seed)
    return Trainer(model: GPTModel<Float>(config: model, using: &rng), data: data, config: training)
}

/// A run that starts from the checkpoint in `source` (ours or a Hugging Face GPT-2 folder): its weights,
/// architecture and tokenizer, the context cropped to --context and the dropout set by --dropout (0 with
/// --preset finetune, else the checkpoint's); the training settings are --preset finetune's or a fresh
/// run's, then the flags'.
func initializedTrainer(from source: String, folder: URL, text: String, file: String, options: [String: String],
                        steps: Int?) -> Trainer<Float> {
    var (model, tokenizer) = loadCheckpoint("train", source)
    let tokens: [Int]
    do {
        tokens = try tokenizer.encode(text)
    } catch {
        inputError("train", "\(file) cannot be encoded with the tokenizer of \(source): \(error)")
    }
    let available = model.config.maxSeqLen
    let context = count("train", options, "--context", in: 1...65_536) ?? available
    if context > available {
        commandUsageError("train", "--context \(context) is longer than the context of \(source)'s model (\(available) "
                              + "positions): it has no position it could use beyond \(available); give --context \(available) or less")
    }
    let cropped = context < available
    model = model.cropped(toContext: context)
    let finetune = options["--preset"] == "finetune"
    // nanoGPT fine-tunes without dropout (train.py's dropout = 0.0 overrides GPT-2's 0.1).
    if let dropout = value("train", options, "--dropout", Double.self, where: { $0 >= 0 && $0 < 1 },
                           expected: "a probability in [0, 1)") ?? (finetune ? 0 : nil) {
        model = model.withDropout(dropout)
    }
    var base = finetune ? TrainingConfig.finetune(contextLength: context) : .shakespeareChar
    base.contextLength = context
    let training = trainingSettings(options: options, base: base, steps: steps, model: model.config)
    let data = dataset(tokens, training: training, file: file)
    save(tokenizer, into: folder)
    print("initialized from \(source)"
          + (cropped ? ", the context cropped from \(available) to \(context) positions" : "")
          + ", dropout \(model.config.dropout)" + (finetune ? "; nanoGPT's fine-tuning settings" : ""))
    return Trainer(model: model, data: data, config: training)
}

/// The training settings: `base`, then the flags (a flag given wins). A constant learning rate in `base`
/// stays constant (at --lr) unless --warmup, --min-lr or --decay-steps asks for the cosine.
func trainingSettings(options: [String: String], base: TrainingConfig, steps: Int?, model: GPTConfig) -> TrainingConfig {
    var training = base
    training.steps = steps ?? training.steps
    let stepCount = 0...1_000_000_000
    if let batch = count("train", options, "--batch-size", in: 1...65_536) { training.batchSize = batch }
    if let accumulation = count("train", options, "--grad-accum", in: 1...65_536) {
        training.gradientAccumulation = accumulation
    }
    let nonNegative: (Double) -> Bool = { $0 >= 0 && $0.isFinite }
    let baseRate: Double
    switch base.schedule {
    case .constant(let rate): baseRate = rate
    case .warmupCosine(let maxLR, _, _, _): baseRate = maxLR
    }
    let rate = value("train", options, "--lr", Double.self, where: { $0 > 0 && $0.isFinite }, expected: "a positive number")
        ?? baseRate
    let minRate = value("train", options, "--min-lr", Double.self, where: nonNegative, expected: "a number ≥ 0") ?? rate / 10
    if minRate > rate {
        commandUsageError("train", "--min-lr \(minRate) is above the learning rate \(rate) (--lr): the cosine goes down to it")
    }
    let warmup = count("train", options, "--warmup", in: stepCount) ?? min(100, training.steps / 10)
    let decay = count("train", options, "--decay-steps", in: stepCount) ?? training.steps
    if case .constant = base.schedule, ["--min-lr", "--warmup", "--decay-steps"].allSatisfy({ options[$0] == nil }) {
        training.schedule = .constant(rate)
    } else {
        training.schedule = .warmupCosine(maxLR: rate, warmupSteps: warmup, decaySteps: decay, minLR: minRate)
    }
    if let lambda = value("train", options, "--weight-decay", Double.self, where: nonNegative, expected: "a number ≥ 0") {
        training.weightDecay = lambda
    }
    if let clip = value("train", options, "--clip", Double.self, where: nonNegative, expected: "a number ≥ 0 (0: off)") {
        training.gradientClip = clip > 0 ? clip : nil
    }
    if let every = count("train", options, "--eval-every", in: stepCount) { training.evalEvery = every }
    if let batches = count("train", options, "--eval-batches", in: 1...1_000_000) { training.evalBatches = batches }
    if let every = count("train", options, "--checkpoint-every", in: stepCount) { training.checkpointEvery = every }
    if let every = count("train", options, "--log-every", in: 1...1_000_000_000) { training.logEvery = every }
    if let seed = value("train", options, "--seed", UInt64.self, expected: "a whole number ≥ 0") { training.seed = seed }
    if let problem = training.problem { commandUsageError("train", problem) }
    if let problem = training.memoryProblem(for: model) {
        commandUsageError("train", problem + ": a smaller --batch-size (--grad-accum N keeps the tokens per step) or --context")
    }
    return training
}

/// `tokens` cut into training and validation parts for `training`'s windows, or exits 1 saying which part
/// of `file` is too short.
func dataset(_ tokens: [Int], training: TrainingConfig, file: String) -> TokenDataset {
    do {
        return try TokenDataset(tokens: tokens, contextLength: training.contextLength)
    } catch TrainingError.notEnoughTokens(let split, let count, let needed) {
        inputError("train", "\(file): its \(split) part (the \(split == "train" ? "first 90%" : "last 10%")) is "
                       + "\(grouped(count)) tokens, and one window of --context \(training.contextLength) needs "
                       + "\(grouped(needed)): a longer text or a smaller --context")
    } catch {
        inputError("train", "\(file): \(error)")
    }
}

/// Writes `tokenizer` into the run's `folder` (created), before the first step, so every checkpoint can be read back.
func save(_ tokenizer: FolderTokenizer, into folder: URL) {
    do {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try tokenizer.save(to: folder)
    } catch {
        inputError("train", "cannot write the tokenizer into \(folder.path): \(error)")
    }
    print("tokenizer: \(tokenizer.summary), saved in \(folder.path)")
}

/// The run saved in `folder`, on the same text, extended to `steps` when given.
func resumeTrainer(folder: URL, text: String, steps: Int?) -> Trainer<Float> {
    let trainer: Trainer<Float>
    do {
        trainer = try Trainer<Float>.resume(from: folder, tokens: try FolderTokenizer(folder: folder).encode(text))
    } catch {
        inputError("train", "cannot resume \(folder.path): \(error)")
    }
    if let steps {
        guard steps >= trainer.step else {
            commandUsageError("train", "--steps \(steps): the run is already at step \(trainer.step)")
        }
        trainer.setTotalSteps(steps)
    }
    return trainer
}

/// The tokenizer --tokenizer asks for: the text's characters, a BPE trained on it, or a folder's.
func makeTokenizer(text: String, options: [String: String]) -> FolderTokenizer {
    let kind = options["--tokenizer"] ?? "char"
    if options["--vocab-size"] != nil && kind != "bpe" {
        commandUsageError("train", "--vocab-size is for --tokenizer bpe")
    }
    switch kind {
    case "char":
        return .characters(CharTokenizer(text: text))
    case "bpe":
        let size = count("train", options, "--vocab-size", in: 258...1_000_000) ?? 512     // 256 bytes, <|endoftext|>, a merge
        print("training a byte-level BPE tokenizer of \(size) tokens on the text…")
        return .bpe(BPETokenizer.train(text: text, vocabSize: size, specialTokens: ["<|endoftext|>"]))
    default:
        do {
            return try FolderTokenizer(folder: requireFolder("train", kind))
        } catch {
            inputError("train", "\(error)")
        }
    }
}

/// The contents of the text file at `path`, or exits 1 saying why it cannot be read.
func readText(_ command: String, _ path: String) -> String {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { inputError(command, "\(path): no such file") }
    guard !isFolder.boolValue else { inputError(command, "\(path): a folder, not a text file") }
    guard let data = FileManager.default.contents(atPath: path) else { inputError(command, "\(path): cannot be read") }
    guard let text = String(validating: data, as: UTF8.self) else { inputError(command, "\(path): not UTF-8 text") }
    return text
}
