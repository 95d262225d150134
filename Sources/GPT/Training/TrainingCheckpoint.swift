// TrainingCheckpoint.swift — a training run on disk, to resume bit for bit.
//
//   folder/training.safetensors     one file, written atomically, holding everything a run needs:
//       model.<name>                   every parameter (wte.weight, blocks.0.ln1.weight, …)
//       optimizer.m.<name>, .v.<name>  AdamW's moments
//       __metadata__                   model_config, training_config (JSON), state (JSON: steps done,
//                                      AdamW's t, the batch generator, each dropout stream,
//                                      the history, the evaluations, the token counts)
//   folder/model.safetensors + config.json    the model alone (`GPTModel.load`, `generate`)
//
// The resume file is self-contained and appears whole or not at all (it is
// written to a temporary file and renamed), so a crash while saving leaves the
// last good checkpoint. The model files are written after it, for tools that
// only want the weights.
//
// Depends on: Trainer.swift, Checkpoint.swift (GPTModel.save), SafeTensors.swift.

import Backprop
import Foundation
import NDArray
import NN

/// What a checkpoint holds besides arrays.
struct TrainerState: Codable {
    var step: Int
    var optimizerSteps: Int
    var generator: SeededGenerator
    var dropoutGenerators: [SeededGenerator]
    var history: [TrainingRecord]
    var evaluations: [Evaluation]
    var trainTokens: Int, validationTokens: Int
    /// FNV-1a of the whole token stream (absent in checkpoints written before it was added).
    var tokensFingerprint: UInt64?
}

extension TokenDataset {
    /// FNV-1a over every token of both parts: two streams of the same length that differ anywhere differ here.
    var fingerprint: UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for part in [train, validation] {
            for token in part { hash = (hash ^ UInt64(truncatingIfNeeded: token)) &* 0x100_0000_01B3 }
        }
        return hash
    }
}

/// The resume file's name inside a checkpoint folder (`Trainer.checkpointFileName`).
let trainingCheckpointFileName = "training.safetensors"

/// A checkpoint's resume file, opened and its metadata decoded.
struct SavedRun {
    let url: URL
    let file: SafeTensorsFile
    let modelConfig: GPTConfig
    let config: TrainingConfig
    let state: TrainerState

    /// Reads `directory`/training.safetensors.
    /// - Throws: `CheckpointError.missingFile`, or `TrainingError.invalidCheckpoint` naming the metadata key
    init(directory: URL) throws {
        url = directory.appendingPathComponent(trainingCheckpointFileName)
        guard FileManager.default.fileExists(atPath: url.path) else { throw CheckpointError.missingFile(path: url.path) }
        file = try openSafeTensors(url)
        let (file, url) = (file, url)
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            guard let text = file.metadata[key] else {
                throw TrainingError.invalidCheckpoint(path: url.path, reason: "the metadata has no \"\(key)\"")
            }
            do {
                return try JSONDocument(parsing: Array(text.utf8)).decode(type)
            } catch {
                throw TrainingError.invalidCheckpoint(path: url.path, reason: "the metadata's \"\(key)\": \(error)")
            }
        }
        modelConfig = try decode(GPTConfig.self, "model_config")
        config = try decode(TrainingConfig.self, "training_config")
        state = try decode(TrainerState.self, "state")
    }
}

extension GPTModel {
    /// Every dropout layer, in a fixed order: each owns a random stream that a checkpoint saves.
    var dropoutLayers: [Dropout<Scalar>] {
        [embeddingDropout] + blocks.flatMap { [$0.attn.attention.dropout, $0.attn.residualDropout, $0.ffn.dropout] }
    }
}

extension Trainer {
    /// The name of the resume file inside a checkpoint folder.
    public static var checkpointFileName: String { trainingCheckpointFileName }

    /// Writes the whole state to `directory`/training.safetensors (atomically), then the model alone
    /// (model.safetensors, config.json), creating the folder if needed.
    @_specialize(where Scalar == Float)
    public func saveCheckpoint(to directory: URL) throws {
        try createDirectory(directory)
        var tensors: [(String, NDArray<Scalar>)] = model.namedParameters.map { ("model." + $0.name, $0.value) }
        for name in gradients.names {
            guard let moments = optimizer.moments[name] else { continue }
            tensors.append(("optimizer.m." + name, moments.m))
            tensors.append(("optimizer.v." + name, moments.v))
        }
        let state = TrainerState(step: step, optimizerSteps: optimizer.stepCount, generator: generator,
                                 dropoutGenerators: model.dropoutLayers.map(\.generator), history: history,
                                 evaluations: evaluations, trainTokens: data.train.count,
                                 validationTokens: data.validation.count, tokensFingerprint: data.fingerprint)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        try SafeTensorsFile.write(tensors, metadata: ["format": "gptfromscratch-training", "model_config": try json(model.config),
                                                      "training_config": try json(config), "state": try json(state)],
                                  to: directory.appendingPathComponent(Self.checkpointFileName))
        try model.save(to: directory)
    }

    /// The trainer saved in `directory` by `saveCheckpoint(to:)`, ready to `run()` on from its step.
    /// - Parameters:
    ///   - data: the same token stream and split the run was saved with (the token counts are checked)
    /// - Throws: `TrainingError.invalidCheckpoint` naming the file and what is wrong, or a `CheckpointError`
    @_specialize(where Scalar == Float)
    public static func resume(from directory: URL, data: TokenDataset) throws -> Trainer {
        try resume(try SavedRun(directory: directory), data: data)
    }

    /// `resume(from:data:)` on `tokens` cut 90/10 as `TokenDataset` does by default, with the saved run's
    /// context length: for a caller that has the text's tokens but not the run's settings.
    /// - Throws: as `resume(from:data:)`; `TrainingError.notEnoughTokens` for a stream too short
    @_specialize(where Scalar == Float)
    public static func resume(from directory: URL, tokens: [Int]) throws -> Trainer {
        let saved = try SavedRun(directory: directory)
        return try resume(saved, data: try TokenDataset(tokens: tokens, contextLength: saved.config.contextLength))
    }

    /// Builds the trainer of a run read from disk, after checking it fits `data`.
    @_specialize(where Scalar == Float)
    static func resume(_ saved: SavedRun, data: TokenDataset) throws -> Trainer {
        let (url, file, modelConfig, config, state) = (saved.url, saved.file, saved.modelConfig, saved.config, saved.state)
        if let problem = modelConfig.problem ?? config.problem ?? config.memoryProblem(for: modelConfig) {
            throw TrainingError.invalidCheckpoint(path: url.path, reason: problem)
        }
        for (name, value) in [("step", state.step), ("optimizer step", state.optimizerSteps)]
        where !(0...LearningRateSchedule.maxSteps).contains(value) {
            throw TrainingError.invalidCheckpoint(path: url.path, reason: "its \(name) \(value) is not in 0…\(LearningRateSchedule.maxSteps)")
        }
        if (state.trainTokens, state.validationTokens) != (data.train.count, data.validation.count) {
            throw TrainingError.invalidCheckpoint(
                path: url.path, reason: "it was trained on \(state.trainTokens) + \(state.validationTokens) tokens, "
                    + "not this stream's \(data.train.count) + \(data.validation.count)")
        }
        if let saved = state.tokensFingerprint, saved != data.fingerprint {
            throw TrainingError.invalidCheckpoint(path: url.path, reason: "it was trained on another token stream of "
                                                      + "the same length (another text, or another tokenizer)")
        }
        if config.contextLength > modelConfig.maxSeqLen {
            throw TrainingError.invalidCheckpoint(path: url.path, reason: "its context length \(config.contextLength) "
                                                      + "exceeds the model's maxSeqLen \(modelConfig.maxSeqLen)")
        }
        try GPTModel<Scalar>.checkSizes(modelConfig, against: file) { ("model." + $0, false) }
        var rng = SeededGenerator(seed: 0)
        let model = GPTModel<Scalar>(config: modelConfig, initialization: .zeros, using: &rng)
        var report = CheckpointReport(format: "gptfromscratch-training")
        report.entries = file.names.filter { $0.hasPrefix("optimizer.") }.map {
            .init(source: $0, target: nil, shape: file.tensors[$0]!.shape, action: .ignored(reason: "optimizer state"))
        }
        try model.fill(from: file, report: &report) { ("model." + $0, false) }
        let trainer = Trainer(model: model, data: data, config: config)
        var moments: [String: (m: NDArray<Scalar>, v: NDArray<Scalar>)] = [:]
        for name in trainer.gradients.names where file.tensors["optimizer.m." + name] != nil {
            let (m, v): (NDArray<Scalar>, NDArray<Scalar>) = (try file.array("optimizer.m." + name),
                                                              try file.array("optimizer.v." + name))
            let shape = model.parameter(named: name)!.shape
            for (moment, value) in [("m", m), ("v", v)] where value.shape != shape {
                throw CheckpointError.shapeMismatch(tensor: "optimizer.\(moment).\(name)", expected: shape, found: value.shape)
            }
            moments[name] = (m, v)
        }
        trainer.optimizer.restore(stepCount: state.optimizerSteps, moments: moments)
        let dropouts = model.dropoutLayers
        guard dropouts.count == state.dropoutGenerators.count else {
            throw TrainingError.invalidCheckpoint(path: url.path, reason: "\(state.dropoutGenerators.count) dropout streams "
                                                      + "for a model with \(dropouts.count) dropout layers")
        }
        for (layer, stream) in zip(dropouts, state.dropoutGenerators) { layer.generator = stream }
        trainer.generator = state.generator
        trainer.step = state.step
        trainer.history = state.history
        trainer.evaluations = state.evaluations
        return trainer
    }
}
