// GPT2Checkpoint.swift — reading and writing Hugging Face's GPT-2 folders.
//
//   Hugging Face (transformers.GPT2LMHeadModel)        ours (GPTModel)
//   [transformer.]wte.weight          [V, C]           wte.weight
//   [transformer.]wpe.weight          [T, C]           wpe.weight
//   [transformer.]h.N.ln_1.weight     [C]              blocks.N.ln1.weight          (and .bias)
//   [transformer.]h.N.attn.c_attn.weight [C, 3C]       blocks.N.attn.qkv.weight [3C, C]  transposed
//   [transformer.]h.N.attn.c_proj.weight [C, C]        blocks.N.attn.proj.weight         transposed
//   [transformer.]h.N.ln_2.weight     [C]              blocks.N.ln2.weight
//   [transformer.]h.N.mlp.c_fc.weight [C, 4C]          blocks.N.ffn.up.weight [4C, C]    transposed
//   [transformer.]h.N.mlp.c_proj.weight [4C, C]        blocks.N.ffn.down.weight          transposed
//   [transformer.]ln_f.weight         [C]              lnF.weight
//   lm_head.weight                    [V, C]           lmHead.weight (only when not tied)
//   h.N.attn.bias, h.N.attn.masked_bias                (causal-mask buffers: ignored, we build the mask)
//
// GPT-2 was written with a "Conv1D" layer that stores its weight as [in, out],
// the transpose of a Linear's [out, in]; c_attn's 3C outputs are q, k, v in
// that order, as our qkv's rows are. The original gpt2 download has no
// "transformer." prefix and stores the mask buffers; a folder saved by a recent
// transformers has the prefix and omits lm_head.weight when it is tied. Both load.
// Writing refuses a model that is not GPT-2's kind; `convertedToGPT2Layout()`
// first makes the exact conversions there are (zero biases, sinusoids as a
// learned table), as `walkthrough export` does.
//
// Depends on: Checkpoint.swift, SafeTensors.swift, GPTModel.swift.
// Not here: the tokenizer (BPETokenizer reads vocab.json + merges.txt from the same folder).

import Foundation
import NDArray
import NN

extension GPTModel {
    /// Hugging Face's name for each of our parameters, and whether it is stored transposed.
    static func huggingFaceName(_ name: String, prefix: String) -> (name: String, transposed: Bool) {
        var parts = name.split(separator: ".").map(String.init)
        if parts[0] == "lmHead" { return ("lm_head.weight", false) }
        if parts[0] == "lnF" { return (prefix + "ln_f." + parts[1], false) }
        if parts[0] != "blocks" { return (prefix + name, false) }                  // wte.weight, wpe.weight
        let layer = parts[1]
        parts.removeFirst(2)
        let leaf = parts.last!
        let isWeight = leaf == "weight"
        switch parts.dropLast().joined(separator: ".") {
        case "ln1": return ("\(prefix)h.\(layer).ln_1.\(leaf)", false)
        case "ln2": return ("\(prefix)h.\(layer).ln_2.\(leaf)", false)
        case "attn.qkv": return ("\(prefix)h.\(layer).attn.c_attn.\(leaf)", isWeight)
        case "attn.proj": return ("\(prefix)h.\(layer).attn.c_proj.\(leaf)", isWeight)
        case "ffn.up": return ("\(prefix)h.\(layer).mlp.c_fc.\(leaf)", isWeight)
        case "ffn.down": return ("\(prefix)h.\(layer).mlp.c_proj.\(leaf)", isWeight)
        default: return (prefix + name, false)
        }
    }

    /// A GPTConfig from Hugging Face's GPT-2 config.json, read strictly: a size must be an integer
    /// ≥ 1, a flag true or false, ε a positive number; a missing optional field takes GPT2Config's
    /// default (n_inner: null or absent means 4C, as in transformers; resid_pdrop 0.1 becomes the
    /// dropout, which a loaded model leaves off until it trains), and a flag this model cannot honour is refused. Every error names the field, what was expected and what was found.
    static func configFromHuggingFace(_ document: JSONDocument, path: String) throws -> GPTConfig {
        let json = document.root
        func refuse(_ key: String, _ expected: String, _ value: JSON) -> CheckpointError {
            .invalidConfig(path: path, field: key, reason: "expected \(expected), found \(value.found) (\(document.place(of: value)))")
        }
        func size(_ key: String, _ fallback: String? = nil) throws -> Int {
            guard let value = json[key] ?? fallback.flatMap({ json[$0] }) else {
                throw CheckpointError.invalidConfig(path: path, field: key, reason: "missing")
            }
            guard let n = value.integer, n >= 1 else { throw refuse(key, "an integer ≥ 1", value) }
            return n
        }
        func flag(_ key: String, default fallback: Bool) throws -> Bool {
            guard let value = json[key] else { return fallback }
            guard case .bool(let flag) = value.kind else { throw refuse(key, "true or false", value) }
            return flag
        }
        let c = try size("n_embd")
        var ffn = c.multipliedReportingOverflow(by: 4).overflow ? Int.max : 4 * c   // too large: `problem` says so
        if let inner = json["n_inner"] {
            if case .null = inner.kind {} else { ffn = try size("n_inner") }
        }
        var activation = Activation.geluTanh
        if let value = json["activation_function"] {
            guard case .string(let name) = value.kind else { throw refuse("activation_function", "a string", value) }
            switch name {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": activation = .geluTanh
            case "gelu": activation = .gelu
            case "relu": activation = .relu
            case "silu", "swish": activation = .silu
            default:
                throw refuse("activation_function", "one of gelu_new, gelu_pytorch_tanh, gelu_fast, gelu, relu, silu, swish", value)
            }
        }
        for (key, needed) in [("scale_attn_by_inverse_layer_idx", false), ("reorder_and_upcast_attn", false),
                              ("add_cross_attention", false), ("scale_attn_weights", true)] {
            if try flag(key, default: needed) != needed {
                throw CheckpointError.invalidConfig(path: path, field: key, reason: "\(!needed) is not supported (only \(needed))")
            }
        }
        var epsilon = 1e-5
        if let value = json["layer_norm_epsilon"] {
            guard let number = value.double, number > 0 else { throw refuse("layer_norm_epsilon", "a number > 0", value) }
            epsilon = number
        }
        // One dropout serves the embeddings, attention and the residual branches here; GPT-2 names three
        // (each 0.1 by default). Each must be a probability; the residual one is kept (fine-tuning uses it).
        var dropout = 0.1
        for key in ["embd_pdrop", "attn_pdrop", "resid_pdrop"] {
            guard let value = json[key] else { continue }
            guard let p = value.double, p >= 0 && p < 1 else { throw refuse(key, "a probability in [0, 1)", value) }
            if key == "resid_pdrop" { dropout = p }
        }
        let config = GPTConfig(vocabSize: try size("vocab_size"), maxSeqLen: try size("n_positions", "n_ctx"),
                               numLayers: try size("n_layer"), numHeads: try size("n_head"), hiddenDim: c,
                               ffnDim: ffn, dropout: dropout, activation: activation,
                               tieWeights: try flag("tie_word_embeddings", default: true), layerNormEps: epsilon)
        if let problem = config.problem { throw CheckpointError.invalidConfig(path: path, field: "(config)", reason: problem) }
        return config
    }

    static func loadHuggingFaceGPT2(config: GPTConfig, file: SafeTensorsFile, reportSoFar: inout CheckpointReport?) throws
        -> (model: GPTModel, report: CheckpointReport) {
        let prefix = file.tensors["transformer.wte.weight"] != nil ? "transformer." : ""
        try checkSizes(config, against: file) { huggingFaceName($0, prefix: prefix) }
        var rng = SeededGenerator(seed: 0)
        let model = GPTModel(config: config, initialization: .zeros, using: &rng)
        var report = CheckpointReport(format: "huggingface-gpt2")
        for name in file.names {
            if name.hasSuffix(".attn.bias") || name.hasSuffix(".attn.masked_bias") {
                report.entries.append(.init(source: name, target: nil, shape: file.tensors[name]!.shape,
                                            action: .ignored(reason: "causal-mask buffer (the model builds its mask)")))
            } else if name == "lm_head.weight" && config.tieWeights {
                report.entries.append(.init(source: name, target: nil, shape: file.tensors[name]!.shape,
                                            action: .tied(to: "wte.weight")))
            }
        }
        defer { reportSoFar = report }
        try model.fill(from: file, report: &report) { huggingFaceName($0, prefix: prefix) }
        if config.tieWeights && file.tensors["lm_head.weight"] == nil {
            report.entries.append(.init(source: "(lm_head.weight)", target: "wte.weight",
                                        shape: [config.vocabSize, config.hiddenDim], action: .tied(to: "wte.weight")))
        }
        model.eval()
        return (model, report)
    }

    /// Where this model differs from GPT-2's layout, each with the exact conversion
    /// `convertedToGPT2Layout()` makes for it, or nil when there is none: learned positions,
    /// pre-norm, a standard feed-forward network with an activation GPT-2's config can name, and
    /// biases everywhere (attention's too). Empty for GPT-2's own kind.
    public var gpt2LayoutDifferences: [(difference: String, conversion: String?)] {
        var differences: [(String, String?)] = []
        switch config.positionEncoding {
        case .learned: break
        case .sinusoidal: differences.append(("sinusoidal positions, not learned ones",
                                              "the sinusoids stored as a learned position table (the same numbers)"))
        case .rotary: differences.append(("rotary positions, not learned ones", nil))
        }
        if config.normPlacement != .pre { differences.append(("post-norm, not pre-norm", nil)) }
        if config.ffnVariant != .standard {
            differences.append(("a \(config.ffnVariant) feed-forward network, not the standard one", nil))
        }
        if Self.gpt2ActivationName(config.activation) == nil {
            differences.append(("the activation \(config.activation.rawValue), which GPT-2's config cannot name", nil))
        }
        if !config.bias {
            differences.append(("no biases", "every bias GPT-2 has written as zeros (adding zero changes nothing)"))
        } else if config.attentionBias == false {
            differences.append(("no biases in attention", "attention's biases written as zeros (adding zero changes nothing)"))
        }
        return differences
    }

    /// GPT-2's config.json name for `activation` (activation_function), or nil when it has none.
    static func gpt2ActivationName(_ activation: Activation) -> String? {
        ["geluTanh": "gelu_new", "gelu": "gelu", "relu": "relu", "silu": "silu"][activation.rawValue]
    }

    /// The same function in GPT-2's layout, and the conversions made: missing biases become zero
    /// biases, sinusoidal positions a learned table of the same sinusoids. Every conversion is
    /// exact: the logits do not change. The model itself when it is GPT-2's kind already.
    /// - Throws: `CheckpointError.unsupported` naming every difference no conversion can bridge
    ///   (rotary positions, post-norm, a gated feed-forward network, an activation GPT-2 cannot name).
    public func convertedToGPT2Layout() throws -> (model: GPTModel, conversions: [String]) {
        let differences = gpt2LayoutDifferences
        let impossible = differences.filter { $0.conversion == nil }.map(\.difference)
        if !impossible.isEmpty {
            throw CheckpointError.unsupported(reason: "the GPT-2 layout cannot hold this model: "
                                              + impossible.joined(separator: "; "))
        }
        if differences.isEmpty { return (self, []) }
        var gpt2 = config
        gpt2.bias = true
        gpt2.attentionBias = nil
        gpt2.positionEncoding = .learned
        let table = sinusoids?.encoding                                      // [maxSeqLen, C]
        let model = rebuilt(as: gpt2) { name, value in value ?? (name == "wpe.weight" ? table : nil) }
        return (model, differences.compactMap(\.conversion))
    }

    /// Writes a Hugging Face GPT-2 folder into `directory`: model.safetensors ("transformer."
    /// names, Conv1D weights [in, out], no lm_head.weight when tied) and config.json, each atomically.
    /// `GPT2LMHeadModel.from_pretrained(directory)` reads it. The dropout goes into all three of
    /// GPT-2's (resid_pdrop, embd_pdrop, attn_pdrop); `bosTokenID`/`eosTokenID` into its
    /// bos_token_id/eos_token_id (null when nil). Throws `.unsupported`, naming every difference,
    /// unless the model is GPT-2's kind (see `gpt2LayoutDifferences`; `convertedToGPT2Layout()`
    /// converts what can be).
    public func saveHuggingFaceGPT2(to directory: URL, bosTokenID: Int? = nil, eosTokenID: Int? = nil) throws {
        let differences = gpt2LayoutDifferences
        if !differences.isEmpty {
            let convertible = differences.contains { $0.conversion != nil }
            throw CheckpointError.unsupported(reason: "the GPT-2 layout cannot hold this model: "
                                              + differences.map(\.difference).joined(separator: "; ")
                                              + (convertible ? " (convertedToGPT2Layout() converts some of these)" : ""))
        }
        let activation = Self.gpt2ActivationName(config.activation)!
        try createDirectory(directory)
        var tensors: [(String, NDArray<Scalar>)] = []
        for (name, value) in namedParameters {
            let (target, transposed) = Self.huggingFaceName(name, prefix: "transformer.")
            tensors.append((target, transposed ? value.T.contiguous() : value))
        }
        try SafeTensorsFile.write(tensors, metadata: ["format": "pt"], to: directory.appendingPathComponent("model.safetensors"))
        let json: [String: Any] = [
            "model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": config.vocabSize,
            "n_positions": config.maxSeqLen, "n_embd": config.hiddenDim, "n_layer": config.numLayers,
            "n_head": config.numHeads, "n_inner": config.ffnDim, "activation_function": activation,
            "layer_norm_epsilon": config.layerNormEps, "tie_word_embeddings": config.tieWeights,
            "resid_pdrop": config.dropout, "embd_pdrop": config.dropout, "attn_pdrop": config.dropout,
            "bos_token_id": bosTokenID.map { $0 as Any } ?? NSNull(), "eos_token_id": eosTokenID.map { $0 as Any } ?? NSNull(),
        ]
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try writeAtomically(data, to: directory.appendingPathComponent("config.json"))
    }
}
