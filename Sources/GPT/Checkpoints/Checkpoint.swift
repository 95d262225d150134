// Checkpoint.swift — a model on disk: model.safetensors + config.json in one folder.
//
//   save(to: folder)      folder/config.json        {"model_type": "gptfromscratch", "config": {…GPTConfig…}}
//                         folder/model.safetensors  every parameter under its own name (wte.weight, blocks.0.…)
//   load(from: folder)    reads either that, or a Hugging Face GPT-2 folder (config.json with
//                         "model_type": "gpt2"; see GPT2Checkpoint.swift)
//
// Each file is written atomically (a temporary file renamed into place), so a
// crash never leaves half a file; the weights are written before config.json. Loading checks every name and shape
// and throws a `CheckpointError` naming the tensor or field that is wrong.
//
// Depends on: SafeTensors.swift, GPTModel.swift, GPTConfig.swift.
// Not here: optimizer state and training progress (the training loop's), tokenizer files.

import Foundation
import NDArray

/// What is wrong with a checkpoint folder.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// A file the folder must have is not there.
    case missingFile(path: String)
    /// config.json cannot be read, or a field is missing or invalid.
    case invalidConfig(path: String, field: String, reason: String)
    /// Parameters the model needs that the file lacks ("name [shape]"), and tensors of the file that
    /// match no parameter: every one of them, not only the first.
    case keysDoNotMatch(missing: [String], unexpected: [String])
    /// A tensor has another shape than the configuration implies.
    case shapeMismatch(tensor: String, expected: [Int], found: [Int])
    /// The model cannot be written in the asked-for layout.
    case unsupported(reason: String)
    /// The safetensors file at `file` is malformed (truncated, a bad header, …).
    case safeTensors(file: String, SafeTensorsError)

    /// One line naming the file, tensor or field and what is wrong.
    public var description: String {
        switch self {
        case .missingFile(let path): return "checkpoint: \(path) is missing"
        case .invalidConfig(let path, let field, let reason): return "checkpoint: \(path): \"\(field)\": \(reason)"
        case .keysDoNotMatch(let missing, let unexpected):
            return "checkpoint: " + [missing.isEmpty ? nil : "missing tensors: " + missing.joined(separator: ", "),
                                     unexpected.isEmpty ? nil : "tensors that match no parameter: "
                                        + unexpected.joined(separator: ", ")].compactMap { $0 }.joined(separator: "; ")
        case .shapeMismatch(let name, let expected, let found):
            return "checkpoint: tensor \"\(name)\" has shape \(found), but the config needs \(expected)"
        case .unsupported(let reason): return "checkpoint: \(reason)"
        case .safeTensors(let file, let error): return "checkpoint: \(file): \(error)"
        }
    }
}

/// What loading did with each tensor: printed on request (`load(from:printReport:)`).
public struct CheckpointReport: CustomStringConvertible, Sendable {
    /// What happened to one tensor of the file.
    public enum Action: Sendable, Equatable {
        /// Copied as it is.
        case copied
        /// Transposed: Hugging Face's Conv1D stores [in, out], a Linear [out, in].
        case transposed
        /// Not loaded: the same array as another parameter (tied weights).
        case tied(to: String)
        /// Not loaded, and why (e.g. a causal-mask buffer that the model rebuilds).
        case ignored(reason: String)
    }

    /// One tensor of the file.
    public struct Entry: Sendable {
        /// Its name in the file.
        public var source: String
        /// The parameter it became (nil when not loaded).
        public var target: String?
        /// Its shape in the file.
        public var shape: [Int]
        /// What happened.
        public var action: Action
    }

    /// The folder's layout: "gptfromscratch" or "huggingface-gpt2".
    public var format: String
    /// One entry per tensor in the file, in the file's order.
    public var entries: [Entry] = []
    /// Parameters of the model that no tensor filled, as "file name [shape]" (loading throws unless this is empty).
    public var missing: [String] = []
    /// Tensors that matched no parameter (loading throws unless this is empty).
    public var unexpected: [String] = []

    /// One line per tensor: source → target, shape, action; then missing and unexpected keys.
    public var description: String {
        var lines = ["import report (\(format)): \(entries.count) tensors"]
        let width = (entries.map(\.source.count).max() ?? 0) + 1
        for entry in entries {
            let action: String
            switch entry.action {
            case .copied: action = "copied"
            case .transposed: action = "transposed [in, out] → [out, in]"
            case .tied(let to): action = "tied to \(to)"
            case .ignored(let reason): action = "ignored: \(reason)"
            }
            let source = entry.source + String(repeating: " ", count: max(0, width - entry.source.count))
            lines.append("  \(source) → \(entry.target ?? "—")  \(entry.shape)  \(action)")
        }
        lines.append("missing: " + (missing.isEmpty ? "none" : missing.joined(separator: ", ")))
        lines.append("unexpected: " + (unexpected.isEmpty ? "none" : unexpected.joined(separator: ", ")))
        return lines.joined(separator: "\n")
    }
}

/// Our config.json: the model type, then the GPTConfig.
struct NativeConfigFile: Codable {
    var modelType = "gptfromscratch"
    var config: GPTConfig

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type"
        case config
    }
}

extension GPTModel {
    /// Writes config.json and model.safetensors (every parameter under its own name) into `directory`,
    /// creating it if needed; each file is written atomically.
    public func save(to directory: URL) throws {
        try createDirectory(directory)
        try SafeTensorsFile.write(namedParameters, metadata: ["format": "gptfromscratch"],
                                  to: directory.appendingPathComponent("model.safetensors"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try encoder.encode(NativeConfigFile(config: config)),
                            to: directory.appendingPathComponent("config.json"))
    }

    /// Loads the folder `directory`: our layout (see `save(to:)`) or a Hugging Face GPT-2 folder
    /// (model.safetensors + config.json with "model_type": "gpt2"). The model comes back in eval mode.
    /// - Parameter printReport: print what happened to each tensor (see `CheckpointReport`)
    public static func load(from directory: URL, printReport: Bool = false) throws -> GPTModel {
        var report: CheckpointReport?
        defer { if printReport, let report { print(report) } }                 // also when loading fails
        let loaded = try loadWithReport(from: directory, reportSoFar: &report)
        return loaded.model
    }

    /// `load(from:)`, also returning the import report.
    public static func loadWithReport(from directory: URL) throws -> (model: GPTModel, report: CheckpointReport) {
        var report: CheckpointReport?
        return try loadWithReport(from: directory, reportSoFar: &report)
    }

    /// Loads, leaving in `reportSoFar` what was found even when loading throws.
    static func loadWithReport(from directory: URL, reportSoFar: inout CheckpointReport?) throws
        -> (model: GPTModel, report: CheckpointReport) {
        let configURL = directory.appendingPathComponent("config.json")
        let document = try readConfigJSON(configURL)
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        let modelType = document.root["model_type"]
        switch modelType.map(\.kind) {
        case .string("gpt2")?:
            let config = try configFromHuggingFace(document, path: configURL.path)
            return try loadHuggingFaceGPT2(config: config, file: try openSafeTensors(weightsURL), reportSoFar: &reportSoFar)
        case .string("gptfromscratch")?:
            let native: NativeConfigFile
            do {
                native = try document.decode(NativeConfigFile.self)
            } catch let error as JSONFieldError {
                throw CheckpointError.invalidConfig(path: configURL.path, field: error.field, reason: error.problem)
            }
            if let problem = native.config.problem {
                throw CheckpointError.invalidConfig(path: configURL.path, field: "config", reason: problem)
            }
            let file = try openSafeTensors(weightsURL)
            try checkSizes(native.config, against: file) { name in (name, false) }
            var rng = SeededGenerator(seed: 0)
            let model = GPTModel(config: native.config, initialization: .zeros, using: &rng)
            reportSoFar = CheckpointReport(format: "gptfromscratch")
            try model.fill(from: file, report: &reportSoFar!) { name in (name, false) }
            model.eval()
            return (model, reportSoFar!)
        default:
            throw CheckpointError.invalidConfig(
                path: configURL.path, field: "model_type",
                reason: "expected \"gpt2\" or \"gptfromscratch\", found "
                    + (modelType.map { "\($0.found) (\(document.place(of: $0)))" } ?? "nothing (the key is missing)"))
        }
    }

    /// Checks the sizes `config` gives against `file` before a model of that size is allocated: the
    /// model may not hold more numbers than the file has bytes of data (every dtype read takes at
    /// least one byte a number), and the tensors that carry the sizes, when present, must have them:
    /// the token table [V, C], the position table [T, C] (learned positions), the first
    /// feed-forward's down projection [C, F]. A config that asks for more than its weights hold is
    /// refused here with both figures; `fill` then lists every missing or unexpected tensor.
    static func checkSizes(_ config: GPTConfig, against file: SafeTensorsFile,
                           source: (String) -> (name: String, transposed: Bool)) throws {
        let numbers = config.scalarCount ?? Int.max, slack = 1 << 24       // position tables and buffers of small models
        if numbers > file.dataByteCount + slack {
            throw CheckpointError.unsupported(
                reason: "the config describes a model of \(numbers) numbers, but \(file.path ?? "the weights file") "
                    + "holds only \(file.dataByteCount) bytes of weights: the config does not belong to these weights "
                    + "(vocabulary size \(config.vocabSize), context \(config.maxSeqLen), \(config.numLayers) layers, "
                    + "width \(config.hiddenDim), feed-forward \(config.ffnDim))")
        }
        let (v, t, c, f) = (config.vocabSize, config.maxSeqLen, config.hiddenDim, config.ffnDim)
        var expected: [(String, [Int])] = [("wte.weight", [v, c]), ("blocks.0.ffn.down.weight", [c, f])]
        if config.positionEncoding == .learned { expected.append(("wpe.weight", [t, c])) }
        for (name, shape) in expected {
            let (sourceName, transposed) = source(name)
            let wanted = transposed ? Array(shape.reversed()) : shape
            if let info = file.tensors[sourceName], info.shape != wanted {
                throw CheckpointError.shapeMismatch(tensor: sourceName, expected: wanted, found: info.shape)
            }
        }
    }

    /// Fills every parameter from `file`. `source(name)` gives the file's name for a parameter and
    /// whether it is stored transposed. Tensors of the file that no parameter takes, and are not
    /// already explained in `report.entries`, are unexpected. Every missing and unexpected name is
    /// listed in the report before anything is thrown.
    @_specialize(where Scalar == Float)
    func fill(from file: SafeTensorsFile, report: inout CheckpointReport,
              source: (String) -> (name: String, transposed: Bool)) throws {
        var used: [String: (target: String, action: CheckpointReport.Action)] = [:]
        var firstError: CheckpointError?
        updateParameters { name, value in
            let (sourceName, transposed) = source(name)
            let expected = transposed ? Array(value.shape.reversed()) : value.shape
            guard let info = file.tensors[sourceName] else {
                report.missing.append("\(sourceName) \(expected)")
                return
            }
            used[sourceName] = (name, transposed ? .transposed : .copied)
            guard firstError == nil else { return }
            guard info.shape == expected else {
                firstError = .shapeMismatch(tensor: sourceName, expected: expected, found: info.shape)
                return
            }
            do {
                let loaded: NDArray<Scalar> = try file.array(sourceName)
                value = transposed ? loaded.T.contiguous() : loaded          // NDArray copies a transpose in cache-sized blocks
            } catch let error as SafeTensorsError {
                firstError = .safeTensors(file: file.path ?? "(in memory)", error)
            } catch {
                firstError = .unsupported(reason: "\(error)")
            }
        }
        let explained = report.entries
        var entries: [CheckpointReport.Entry] = []
        for name in file.names {
            if let (target, action) = used[name] {
                entries.append(.init(source: name, target: target, shape: file.tensors[name]!.shape, action: action))
            } else if let entry = explained.first(where: { $0.source == name }) {
                entries.append(entry)
            } else {
                report.unexpected.append(name)
            }
        }
        report.entries = entries
        if !report.missing.isEmpty || !report.unexpected.isEmpty {
            throw CheckpointError.keysDoNotMatch(missing: report.missing, unexpected: report.unexpected)
        }
        if let firstError { throw firstError }
    }
}

func createDirectory(_ directory: URL) throws {
    do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
        throw SafeTensorsError.io(path: directory.path, reason: "cannot create the folder: \(error.localizedDescription)")
    }
}

func writeAtomically(_ data: Data, to url: URL) throws {
    do {
        try data.write(to: url, options: .atomic)
    } catch {
        throw SafeTensorsError.io(path: url.path, reason: "cannot write: \(error.localizedDescription)")
    }
}

/// config.json, parsed strictly (see JSON.swift): a syntax error names its line and column.
func readConfigJSON(_ url: URL) throws -> JSONDocument {
    guard FileManager.default.fileExists(atPath: url.path) else { throw CheckpointError.missingFile(path: url.path) }
    let data: Data
    do {
        data = try Data(contentsOf: url)
    } catch {
        throw CheckpointError.invalidConfig(path: url.path, field: "(file)", reason: "cannot read: \(error.localizedDescription)")
    }
    let document: JSONDocument
    do {
        document = try JSONDocument(parsing: data)
    } catch {
        throw CheckpointError.invalidConfig(path: url.path, field: "(file)", reason: "not valid JSON: \(error)")
    }
    guard case .object = document.root.kind else {
        throw CheckpointError.invalidConfig(path: url.path, field: "(file)",
                                            reason: "expected a JSON object, found \(document.root.found)")
    }
    return document
}

func openSafeTensors(_ url: URL) throws -> SafeTensorsFile {
    guard FileManager.default.fileExists(atPath: url.path) else { throw CheckpointError.missingFile(path: url.path) }
    do {
        return try SafeTensorsFile(contentsOf: url)
    } catch let error as SafeTensorsError {
        throw CheckpointError.safeTensors(file: url.path, error)
    }
}
