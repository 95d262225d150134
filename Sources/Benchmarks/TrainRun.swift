// TrainRun.swift — `bench --train-text FILE`: nanoGPT's shakespeare-char CPU run, start to finish.
//
//   bench --train-text input.txt [--steps 2000] [--threads 2] [--json]
//
// A character vocabulary of the file, its first 90% for training and the rest
// for validation, GPTConfig.shakespeareChar and TrainingConfig.shakespeareChar
// (4 layers × 4 heads × 128, context 64, batch 12, AdamW 1e-3 → 1e-4, 2000
// steps). Prints the training wall time (steps only), ms per step, and the
// mean train and validation losses over 200 random batches at the end — the
// figures scripts/train_shakespeare_peer.py prints for PyTorch.

import Foundation
import GPT
import NDArray

/// Runs the shakespeare-char training on `path` and prints its figures; exits 1 when the file cannot be used.
func runTextTraining(path: String, steps: Int?, json: Bool) -> Never {
    func failure(_ message: String) -> Never {
        FileHandle.standardError.write(Data("bench: \(path): \(message)\n".utf8))
        exit(1)
    }
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { failure("no such file") }
    guard !isFolder.boolValue else { failure("a folder, not a text file") }
    guard let bytes = FileManager.default.contents(atPath: path) else { failure("cannot be read") }
    guard let text = String(validating: bytes, as: UTF8.self) else { failure("not UTF-8 text") }
    guard !text.isEmpty else { failure("the file is empty: there is nothing to train on") }
    let tokenizer = CharTokenizer(text: text)
    var modelConfig = GPTConfig.shakespeareChar
    modelConfig.vocabSize = tokenizer.vocabSize
    var config = TrainingConfig.shakespeareChar
    if let steps { config.steps = steps }
    (config.evalEvery, config.checkpointEvery, config.logEvery) = (0, 0, 100)
    // What GPTModel and Trainer would stop on, said here instead (a text of a million different characters).
    if let problem = modelConfig.problem ?? config.problem { failure("cannot train on it: \(problem)") }
    do {
        let data = try TokenDataset(tokens: try tokenizer.encode(text), contextLength: config.contextLength)
        var rng = SeededGenerator(seed: 1337)
        let trainer = Trainer(model: GPTModel<Float>(config: modelConfig, using: &rng), data: data, config: config)
        try trainer.run(log: { if !json { print($0) } })
        let final = trainer.evaluate()                                        // 200 batches of each part
        let perStep = trainer.trainingSeconds / Double(max(config.steps, 1)) * 1000
        if json {
            print(String(format: #"{"peer": "ours", "threads": %d, "steps": %d, "train_seconds": %.3f, "ms_per_step": %.3f, "train_loss": %.4f, "val_loss": %.4f}"#,
                         ComputeThreads.count, config.steps, trainer.trainingSeconds, perStep, final.trainLoss, final.validationLoss))
        } else {
            print(trainer.lossCurve())
            print(String(format: "%d steps in %.2f s (%.2f ms/step, %d threads); train loss %.4f, val loss %.4f (mean over %d batches each)",
                         config.steps, trainer.trainingSeconds, perStep, ComputeThreads.count, final.trainLoss,
                         final.validationLoss, config.evalBatches))
        }
        exit(0)
    } catch {
        failure("\(error)")
    }
}
