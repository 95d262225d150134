// GPTConfig.swift — every number and choice that fixes a GPT's shape.
//
//   vocabSize V, maxSeqLen (context), numLayers L, numHeads NH, hiddenDim C, ffnDim (usually 4C)
//   + where positions come from (learned table, sinusoids, rotary), pre/post norm,
//     the feed-forward variant, weight tying, dropout and biases
//
// One value of this struct builds a model (`GPTModel(config:using:)`) and is
// written beside its weights as config.json, so that a checkpoint says what it
// holds. The presets are the sizes people quote: LiteTorch's tiny to large, the
// four GPT-2s, and nanoGPT's shakespeare-char.
//
// Depends on: NDArray (Activation), NN (NormPlacement, FeedForwardVariant), Foundation (Codable).
// Not here: the Hugging Face config.json of a GPT-2 folder (GPT2Checkpoint.swift reads that).

import Foundation
import NDArray
import NN

/// Where a GPT gets the position of each token from.
public enum PositionEncodingKind: String, Sendable, Codable, CaseIterable {
    /// A learned table [maxSeqLen, C] added to the token embeddings (GPT-2's `wpe`).
    case learned
    /// The fixed sinusoidal table of "Attention Is All You Need", added to the token embeddings.
    case sinusoidal
    /// Rotary embeddings (RoPE): q and k are rotated by position inside every attention layer.
    case rotary
}

/// The shape and options of a GPT. Field names follow LiteTorch's `GPTModel` arguments.
///
/// ```swift
/// var config = GPTConfig.gpt2Small            // 124M
/// config.dropout = 0
/// let model = GPTModel<Float>(config: config, using: &rng)
/// ```
public struct GPTConfig: Sendable, Codable, Equatable {
    /// V: the number of token ids.
    public var vocabSize: Int
    /// The context: the longest sequence the model reads (positions 0..<maxSeqLen).
    public var maxSeqLen: Int
    /// L: the number of transformer blocks.
    public var numLayers: Int
    /// NH: attention heads per block (C must divide by it; HS = C / NH).
    public var numHeads: Int
    /// C: the width of every token's vector.
    public var hiddenDim: Int
    /// The feed-forward network's inner width (GPT-2: 4C).
    public var ffnDim: Int
    /// Dropout after the embeddings, on the attention weights and on each residual branch (training only).
    public var dropout: Double
    /// Learned, sinusoidal or rotary positions.
    public var positionEncoding: PositionEncodingKind
    /// Pre-norm (GPT-2) or post-norm (the original transformer).
    public var normPlacement: NormPlacement
    /// The feed-forward network's activation (GPT-2: GELU in its tanh form).
    public var activation: Activation
    /// Standard, GLU or SwiGLU feed-forward network.
    public var ffnVariant: FeedForwardVariant
    /// Whether the output projection is the token embedding's weight (GPT-2: yes).
    public var tieWeights: Bool
    /// Whether the linear layers and layer norms have biases (GPT-2: yes).
    public var bias: Bool
    /// Whether attention's projections (qkv, proj) have biases; nil: as `bias`. LiteTorch's attention
    /// has none (its W_q, W_k, W_v, W_o are bare matrices) while its feed-forward layers do.
    public var attentionBias: Bool?
    /// LayerNorm's ε.
    public var layerNormEps: Double
    /// The base of the rotary and sinusoidal frequencies.
    public var positionBase: Double

    /// A configuration; everything after `hiddenDim` has GPT-2's value by default, and `ffnDim` defaults to 4C.
    public init(vocabSize: Int, maxSeqLen: Int, numLayers: Int, numHeads: Int, hiddenDim: Int,
                ffnDim: Int? = nil, dropout: Double = 0.1, positionEncoding: PositionEncodingKind = .learned,
                normPlacement: NormPlacement = .pre, activation: Activation = .geluTanh,
                ffnVariant: FeedForwardVariant = .standard, tieWeights: Bool = true, bias: Bool = true,
                attentionBias: Bool? = nil, layerNormEps: Double = 1e-5, positionBase: Double = 10000) {
        self.vocabSize = vocabSize
        self.maxSeqLen = maxSeqLen
        self.numLayers = numLayers
        self.numHeads = numHeads
        self.hiddenDim = hiddenDim
        self.ffnDim = ffnDim ?? (hiddenDim.multipliedReportingOverflow(by: 4).overflow ? .max : 4 * hiddenDim)
        self.dropout = dropout
        self.positionEncoding = positionEncoding
        self.normPlacement = normPlacement
        self.activation = activation
        self.ffnVariant = ffnVariant
        self.tieWeights = tieWeights
        self.bias = bias
        self.attentionBias = attentionBias
        self.layerNormEps = layerNormEps
        self.positionBase = positionBase
    }

    /// HS: each head's width, C / NH.
    public var headDim: Int { hiddenDim / numHeads }

    /// What is wrong with this configuration, or nil: sizes must be positive, C must divide by NH
    /// (and HS be even for rotary positions), dropout must be in [0, 1), ε positive and finite, the
    /// position base above 1; and the weights must fit in this machine's memory as Float (checked
    /// with overflow-safe arithmetic, so that sizes read from a file never allocate before this).
    public var problem: String? {
        let sizes: KeyValuePairs = ["vocabSize": vocabSize, "maxSeqLen": maxSeqLen, "numLayers": numLayers,
                                    "numHeads": numHeads, "hiddenDim": hiddenDim, "ffnDim": ffnDim]
        if let (name, value) = sizes.first(where: { $0.value <= 0 }) { return "\(name) must be positive, not \(value)" }
        if hiddenDim % numHeads != 0 { return "hiddenDim \(hiddenDim) does not divide into \(numHeads) heads" }
        if positionEncoding == .rotary && headDim % 2 != 0 {
            return "rotary positions need an even head size, not \(headDim) (hiddenDim \(hiddenDim) / \(numHeads) heads)"
        }
        if !(dropout >= 0 && dropout < 1) { return "dropout must be in [0, 1), not \(dropout)" }
        if !(layerNormEps > 0 && layerNormEps.isFinite) { return "layerNormEps must be positive and finite, not \(layerNormEps)" }
        if !(positionBase > 1 && positionBase.isFinite) { return "positionBase must be finite and above 1, not \(positionBase)" }
        // Sizes read from a file are checked before anything is allocated: the weights must fit in memory.
        guard let count = scalarCount else {
            return "its arrays would hold more numbers than an Int can count (vocabSize \(vocabSize), maxSeqLen "
                + "\(maxSeqLen), \(numLayers) layers, hiddenDim \(hiddenDim), ffnDim \(ffnDim))"
        }
        let memory = ProcessInfo.processInfo.physicalMemory
        if count > Int(clamping: memory / 4) {
            let gigabytes = { (bytes: Double) in String(format: "%.1f GB", bytes / 1e9) }
            return "its weights alone would take \(gigabytes(Double(count) * 4)) as Float (\(count) numbers); "
                + "this machine has \(gigabytes(Double(memory)))"
        }
        return nil
    }

    /// How many numbers the model's arrays hold: its weights, and a [maxSeqLen, C] position table of
    /// any kind (an upper bound for rotary and ALiBi). Computed with overflow checks; nil when it
    /// overflows an Int. The sizes must be positive.
    var scalarCount: Int? {
        func product(_ factors: Int...) -> Int? {
            var result = 1
            for factor in factors {
                let (next, overflow) = result.multipliedReportingOverflow(by: factor)
                if overflow { return nil }
                result = next
            }
            return result
        }
        func sum(_ terms: Int?...) -> Int? {
            var result = 0
            for term in terms {
                guard let term else { return nil }
                let (next, overflow) = result.addingReportingOverflow(term)
                if overflow { return nil }
                result = next
            }
            return result
        }
        let (c, f) = (hiddenDim, ffnDim)
        let gates = ffnVariant == .standard ? 1 : 2
        // Per block: qkv and proj with biases, two norms, the feed-forward (gated: two up matrices).
        let block = sum(product(4, c, c), product(4, c), product(4, c), product(gates + 1, c, f), product(gates, f),
                        product(2, c))
        return sum(product(vocabSize, c), product(maxSeqLen, c), block.flatMap { product(numLayers, $0) },
                   product(2, c), tieWeights ? 0 : product(vocabSize, c))
    }

    // MARK: Presets

    // LiteTorch's table (its LLM guide's "Model Sizes"), built as LiteTorch builds them: an untied
    // [V, C] head, attention without biases, GELU (tanh form) feed-forward layers with biases. The
    // parameter counts are LiteTorch's own (2VC + TC + L(4C² + 2CF + F + 5C) + 2C); the guide's
    // rounded "3M" and "~10M" for medium and large are not what its code builds.

    /// LiteTorch's tiny GPT: V 500, context 64, 2 layers, 2 heads, 32 wide, FFN 128: 59,264 parameters.
    public static let tiny = liteTorch(vocabSize: 500, maxSeqLen: 64, numLayers: 2, numHeads: 2, hiddenDim: 32,
                                       ffnDim: 128)
    /// LiteTorch's small GPT: V 1000, context 128, 4 layers, 4 heads, 64 wide, FFN 256: 335,232 parameters.
    public static let small = liteTorch(vocabSize: 1000, maxSeqLen: 128, numLayers: 4, numHeads: 4, hiddenDim: 64,
                                        ffnDim: 256)
    /// LiteTorch's medium GPT: V 5000, context 256, 6 layers, 6 heads, 192 wide, FFN 768: 4,634,112 parameters.
    public static let medium = liteTorch(vocabSize: 5000, maxSeqLen: 256, numLayers: 6, numHeads: 6, hiddenDim: 192,
                                         ffnDim: 768)
    /// LiteTorch's large GPT: V 10000, context 512, 12 layers, 8 heads, 256 wide, FFN 1024: 14,716,416 parameters.
    public static let large = liteTorch(vocabSize: 10000, maxSeqLen: 512, numLayers: 12, numHeads: 8, hiddenDim: 256,
                                        ffnDim: 1024)

    /// GPT-2 (124M): 12 layers, 12 heads, 768 wide, context 1024, V = 50257.
    public static let gpt2Small = gpt2(numLayers: 12, numHeads: 12, hiddenDim: 768)
    /// GPT-2 medium (355M): 24 layers, 16 heads, 1024 wide.
    public static let gpt2Medium = gpt2(numLayers: 24, numHeads: 16, hiddenDim: 1024)
    /// GPT-2 large (774M): 36 layers, 20 heads, 1280 wide.
    public static let gpt2Large = gpt2(numLayers: 36, numHeads: 20, hiddenDim: 1280)
    /// GPT-2 XL (1.5B): 48 layers, 25 heads, 1600 wide.
    public static let gpt2XL = gpt2(numLayers: 48, numHeads: 25, hiddenDim: 1600)

    /// nanoGPT's shakespeare-char CPU run: 4 layers, 4 heads, 128 wide, context 64, dropout 0, no biases,
    /// exact GELU, tied head (V = 65: the characters of tinyshakespeare; set it to your character
    /// tokenizer's `vocabSize`).
    public static let shakespeareChar = GPTConfig(vocabSize: 65, maxSeqLen: 64, numLayers: 4, numHeads: 4,
                                                  hiddenDim: 128, dropout: 0, activation: .gelu, bias: false)

    /// Every preset by name, for command lines: tiny, small, medium, large, gpt2, gpt2-medium,
    /// gpt2-large, gpt2-xl, shakespeare-char.
    public static let presets: KeyValuePairs<String, GPTConfig> = [
        "tiny": tiny, "small": small, "medium": medium, "large": large,
        "gpt2": gpt2Small, "gpt2-medium": gpt2Medium, "gpt2-large": gpt2Large, "gpt2-xl": gpt2XL,
        "shakespeare-char": shakespeareChar,
    ]

    /// The preset called `name` (see `presets`), or nil.
    public static func preset(named name: String) -> GPTConfig? {
        presets.first { $0.key == name }?.value
    }

    /// LiteTorch's `GPTModel(vocab_size, max_seq_len, num_layers, num_heads, hidden_dim, ffn_dim, dropout)`,
    /// with its defaults (GPT-2 small's sizes, ffn_dim 3072 whatever the width): learned positions,
    /// pre-norm, GELU in its tanh form, an untied head without bias, attention without biases, biases
    /// in the feed-forward layers and layer norms. The same arguments give LiteTorch's parameter count.
    public static func liteTorch(vocabSize: Int = 50257, maxSeqLen: Int = 1024, numLayers: Int = 12,
                                 numHeads: Int = 12, hiddenDim: Int = 768, ffnDim: Int = 3072,
                                 dropout: Double = 0.1) -> GPTConfig {
        GPTConfig(vocabSize: vocabSize, maxSeqLen: maxSeqLen, numLayers: numLayers, numHeads: numHeads,
                  hiddenDim: hiddenDim, ffnDim: ffnDim, dropout: dropout, activation: .geluTanh, tieWeights: false,
                  bias: true, attentionBias: false)
    }

    static func gpt2(numLayers: Int, numHeads: Int, hiddenDim: Int) -> GPTConfig {
        GPTConfig(vocabSize: 50257, maxSeqLen: 1024, numLayers: numLayers, numHeads: numHeads, hiddenDim: hiddenDim)
    }
}
