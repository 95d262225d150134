// GPTModel.swift — a decoder-only transformer: token ids in, next-token logits out.
//
//   ids [B, T] ─ wte ─→ [B, T, C] (+ wpe or sinusoids) ─ dropout
//              ─→ block 0 … block L−1 (causal self-attention + feed-forward) ─→ lnF
//              ─→ · wteᵀ (or lmHead) ─→ logits [B, T, V]
//
// Logit [b, t, v] scores token v as the one that follows ids[b, 0…t]: the
// causal mask lets position t see only positions ≤ t, so one forward pass
// trains T predictions at once. Weight tying (GPT-2's) reuses the token
// embedding as the output projection: one [V, C] table both reads and writes
// tokens, counted once.
//
// With a `GPTCache`, forward reads only the new tokens: every attention layer
// keeps the keys and values of the earlier ones (see KeyValueCache.swift). A
// left-padded batch passes an attention mask [B, past + T] of 1s (real) and 0s
// (padding); positions then come from the mask, so every prompt starts at 0.
//
// Depends on: NDArray, NN (the layers), GPTConfig.swift, Backprop (the layers' saving forwards, which
// `run(…, keeping: true)` calls for the backward: the forward is written once, here), GPTBackward.swift
// (`Saved`, what is kept).
// Not here: generation (Generation.swift), checkpoints (Checkpoint.swift), the backward (GPTBackward.swift).

import Backprop
import Foundation
import NDArray
import NN

/// What `forward` returns when asked for more than the logits.
public struct GPTOutput<Scalar: NDFloatingPoint> {
    /// [B, T, V], or [B, 1, V] when only the last position's were asked for.
    public var logits: NDArray<Scalar>
    /// L + 1 arrays [B, T, C]: the embeddings, then each block's output, the last one after lnF (as
    /// Hugging Face's `hidden_states`); empty unless asked.
    public var hiddenStates: [NDArray<Scalar>]
    /// L arrays [B, NH, T, past + T]: each block's attention weights; empty unless asked.
    public var attentions: [NDArray<Scalar>]

    /// Bundles a forward pass's results.
    public init(logits: NDArray<Scalar>, hiddenStates: [NDArray<Scalar>] = [], attentions: [NDArray<Scalar>] = []) {
        self.logits = logits
        self.hiddenStates = hiddenStates
        self.attentions = attentions
    }
}

/// The keys and values a GPT has seen, one `KeyValueCache` per block. Hugging Face: `past_key_values`.
public final class GPTCache<Scalar: NDFloatingPoint> {
    /// One cache per block.
    public let layers: [KeyValueCache<Scalar>]

    /// An empty cache for a model of `numLayers` blocks.
    public init(numLayers: Int) {
        layers = (0..<numLayers).map { _ in KeyValueCache<Scalar>() }
    }

    /// The number of tokens cached (the same in every block).
    public var count: Int { layers.first?.count ?? 0 }

    /// Forgets every token.
    public func removeAll() { for layer in layers { layer.removeAll() } }

    /// Keeps the first `count` tokens (e.g. to try another continuation from the same prefix).
    public func truncate(to count: Int) { for layer in layers { layer.truncate(to: count) } }

    /// Keeps, as batch row i, the cached row `rows[i]`: every layer becomes [B', NH, count, HS] for
    /// B' = rows.count (beam search follows its surviving beams with this).
    public func reorder(rows: [Int]) { for layer in layers { layer.reorder(rows: rows) } }
}

/// What is wrong with token ids given to `GPTModel.forward(checking:)`.
public enum GPTInputError: Error, Equatable, CustomStringConvertible {
    /// The ids are not [B, T] with T ≥ 1.
    case notABatch(shape: [Int])
    /// T is longer than the context (LiteTorch: "Sequence length T exceeds maximum length maxSeqLen").
    case sequenceTooLong(length: Int, maxSeqLen: Int)
    /// An id outside 0..<V, at [b, t].
    case idOutOfRange(id: Int, position: [Int], vocabSize: Int)

    /// The message, naming the shape, the length or the id.
    public var description: String {
        switch self {
        case .notABatch(let shape): return "inputIds of shape \(shape) must be [B, T] with T ≥ 1"
        case .sequenceTooLong(let length, let maxSeqLen):
            return "sequence length \(length) exceeds maxSeqLen \(maxSeqLen): crop it to the last \(maxSeqLen) tokens"
        case .idOutOfRange(let id, let position, let vocabSize):
            return "id \(id) at \(position) is outside the vocabulary 0..<\(vocabSize)"
        }
    }
}

/// How `GPTModel.init` fills the weights.
public enum GPTInitialization: Sendable {
    /// GPT-2's: N(0, 0.02²), residual projections scaled by 1/√(2L), biases 0.
    case gpt2
    /// All zeros (LayerNorms γ = 1): nothing is drawn, for weights about to be loaded.
    case zeros
}

/// A GPT: token embedding, positions, L transformer blocks, a final LayerNorm and the output projection.
/// LiteTorch: `GPTModel(vocab_size, max_seq_len, num_layers, num_heads, hidden_dim, ffn_dim, dropout)`.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let model = GPTModel<Float>(config: .shakespeareChar, using: &rng)
/// model.eval()
/// let logits = model(ids)                   // [B, T] → [B, T, V]
/// ```
public final class GPTModel<Scalar: NDFloatingPoint>: Layer {
    /// The shape and options this model was built with.
    public let config: GPTConfig
    /// Token embedding: [V, C] (also the output projection when tied).
    public let wte: Embedding<Scalar>
    /// The learned position table [maxSeqLen, C], with `.learned` positions.
    public let wpe: LearnedPositionalEncoding<Scalar>?
    /// The sinusoidal table, with `.sinusoidal` positions (no parameters).
    public let sinusoids: PositionalEncoding<Scalar>?
    /// The rotary embedding every attention layer shares, with `.rotary` positions (no parameters).
    public let rotary: RotaryEmbedding<Scalar>?
    /// Dropout on the embeddings.
    public let embeddingDropout: Dropout<Scalar>
    /// The L transformer blocks.
    public let blocks: [TransformerBlock<Scalar>]
    /// The final LayerNorm, before the output projection.
    public let lnF: LayerNorm<Scalar>
    /// The output projection [V, C] when weights are not tied; nil when `wte` serves.
    public let lmHead: Linear<Scalar>?

    /// Whether dropout is active; setting it sets every layer inside.
    public var isTraining = true {
        didSet {
            embeddingDropout.isTraining = isTraining
            for block in blocks { block.isTraining = isTraining }
        }
    }

    /// A model of `config`'s shape. `.gpt2` initialisation (the default): weights from N(0, 0.02²),
    /// the two projections back into the residual stream (attn.proj, ffn.down) from
    /// N(0, (0.02 / √(2L))²), biases 0, LayerNorms γ = 1, β = 0; the same generator state gives the
    /// same weights. `.zeros` draws nothing (fast): for weights that a checkpoint will overwrite.
    public init(config: GPTConfig, initialization: GPTInitialization = .gpt2, using generator: inout SeededGenerator) {
        if let problem = config.problem { modelFailure("GPTModel.init", problem) }
        self.config = config
        let c = config.hiddenDim
        let weightInit: Initialization<Scalar> = initialization == .zeros ? .zeros : .normal(std: 0.02)
        wte = Embedding(numEmbeddings: config.vocabSize, embeddingDim: c, weightInit: weightInit, using: &generator)
        switch config.positionEncoding {
        case .learned:
            wpe = LearnedPositionalEncoding(maxSeqLen: config.maxSeqLen, embeddingDim: c, weightInit: weightInit,
                                            using: &generator)
            (sinusoids, rotary) = (nil, nil)
        case .sinusoidal:
            sinusoids = PositionalEncoding(maxSeqLen: config.maxSeqLen, embeddingDim: c, base: config.positionBase)
            (wpe, rotary) = (nil, nil)
        case .rotary:
            rotary = RotaryEmbedding(headDim: config.headDim, maxSeqLen: config.maxSeqLen, base: config.positionBase)
            (wpe, sinusoids) = (nil, nil)
        }
        embeddingDropout = Dropout(p: config.dropout, using: &generator)
        var made: [TransformerBlock<Scalar>] = []
        for _ in 0..<config.numLayers {
            made.append(TransformerBlock(hiddenDim: c, numHeads: config.numHeads, ffnDim: config.ffnDim,
                                         dropout: config.dropout, normPlacement: config.normPlacement,
                                         activation: config.activation, ffnVariant: config.ffnVariant,
                                         bias: config.bias, attentionBias: config.attentionBias ?? config.bias,
                                         eps: Scalar(config.layerNormEps), rotary: rotary,
                                         weightInit: weightInit, using: &generator))
        }
        blocks = made
        lnF = LayerNorm(normalizedShape: c, eps: Scalar(config.layerNormEps), bias: config.bias)
        lmHead = config.tieWeights ? nil : Linear(inFeatures: c, outFeatures: config.vocabSize, bias: false,
                                                  weightInit: weightInit, using: &generator)
        if initialization == .gpt2 {
            // GPT-2 scales the residual projections so the stream's variance does not grow with depth.
            let residual = Initialization<Scalar>.normal(std: Scalar(0.02 / Double(2 * config.numLayers).squareRoot()))
            for block in blocks {
                block.attn.proj.weight = residual.makeArray(block.attn.proj.weight.shape, using: &generator)
                block.ffn.down.weight = residual.makeArray(block.ffn.down.weight.shape, using: &generator)
            }
        }
    }

    /// LiteTorch's signature, and LiteTorch's model: `GPTModel(vocab_size, max_seq_len, num_layers, num_heads,
    /// hidden_dim, ffn_dim, dropout)` with its defaults (ffn_dim 3072 whatever the width), built as
    /// `GPTConfig.liteTorch(…)` says: an untied head, attention without biases. The same arguments give
    /// LiteTorch's parameter count (V 1000, T 128, L 2, C 64, F 256: 235,776). GPT-2's choices (a tied
    /// head, F = 4C, biases everywhere) are `GPTModel(config:)`'s, through `GPTConfig`.
    /// Swift needs the generator LiteTorch's global NumPy state hides: `using: &rng`.
    public convenience init(vocabSize: Int = 50257, maxSeqLen: Int = 1024, numLayers: Int = 12, numHeads: Int = 12,
                            hiddenDim: Int = 768, ffnDim: Int = 3072, dropout: Double = 0.1,
                            using generator: inout SeededGenerator) {
        self.init(config: .liteTorch(vocabSize: vocabSize, maxSeqLen: maxSeqLen, numLayers: numLayers,
                                     numHeads: numHeads, hiddenDim: hiddenDim, ffnDim: ffnDim, dropout: dropout),
                  using: &generator)
    }

    /// Each parameter under `prefix`: wte.weight, wpe.weight, blocks.N.…, lnF.…, lmHead.weight (see Layer.swift).
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {
        try wte.visitParameters(prefix: prefix + "wte.", body)
        try wpe?.visitParameters(prefix: prefix + "wpe.", body)
        for (i, block) in blocks.enumerated() { try block.visitParameters(prefix: prefix + "blocks.\(i).", body) }
        try lnF.visitParameters(prefix: prefix + "lnF.", body)
        try lmHead?.visitParameters(prefix: prefix + "lmHead.", body)
    }

    /// The number of parameters stored: a tied embedding counts once. LiteTorch: `get_num_parameters()`.
    /// - Parameter excludingPositions: leave out the learned position table (nanoGPT's "non-embedding" count)
    public func numParameters(excludingPositions: Bool = false) -> Int {
        parameterCount - (excludingPositions ? (wpe?.weight.count ?? 0) : 0)
    }

    // MARK: Forward

    /// The logits for every position.
    /// - Parameter inputIds: [B, T] token ids, T ≤ maxSeqLen
    /// - Returns: [B, T, V]
    @inlinable
    public func forward(_ inputIds: NDArray<Int>) -> NDArray<Scalar> {
        forward(inputIds, attentionMask: nil, cache: nil).logits
    }

    /// The same as `forward(_:)`.
    @inlinable
    public func callAsFunction(_ inputIds: NDArray<Int>) -> NDArray<Scalar> { forward(inputIds) }

    /// `forward(_:)` for ids from outside (a file, a user): throws where `forward` stops the program,
    /// as LiteTorch's forward raises `ValueError` for a sequence longer than max_seq_len.
    /// - Parameter inputIds: [B, T] token ids
    /// - Returns: [B, T, V]
    /// - Throws: `GPTInputError` naming the shape, the length or the id
    public func forward(checking inputIds: NDArray<Int>) throws(GPTInputError) -> NDArray<Scalar> {
        if inputIds.ndim != 2 || inputIds.shape[1] == 0 { throw .notABatch(shape: inputIds.shape) }
        if inputIds.shape[1] > config.maxSeqLen {
            throw .sequenceTooLong(length: inputIds.shape[1], maxSeqLen: config.maxSeqLen)
        }
        if let index = inputIds.scalars.firstIndex(where: { $0 < 0 || $0 >= config.vocabSize }) {
            throw .idOutOfRange(id: inputIds.scalars[index], position: [index / inputIds.shape[1], index % inputIds.shape[1]],
                                vocabSize: config.vocabSize)
        }
        return forward(inputIds)
    }

    /// The full forward pass.
    /// - Parameters:
    ///   - inputIds: [B, T] the new token ids
    ///   - attentionMask: [B, past + T] of 1 (a real token) and 0 (padding), or nil when nothing is
    ///     padded; positions are then counted along each row's real tokens (Hugging Face's convention)
    ///   - cache: the earlier tokens' keys and values (past = cache.count); the new ones are appended
    ///   - lastLogitsOnly: project only the last position (generation needs no more): logits [B, 1, V]
    ///   - outputHiddenStates: also return the embeddings and every block's output [B, T, C] (the last after lnF)
    ///   - outputAttentions: also return every block's attention weights [B, NH, T, past + T]
    /// - Returns: logits [B, T, V] (or [B, 1, V]) and what was asked for
    @inlinable
    public func forward(_ inputIds: NDArray<Int>, attentionMask: NDArray<Int>? = nil, cache: GPTCache<Scalar>? = nil,
                        lastLogitsOnly: Bool = false, outputHiddenStates: Bool = false,
                        outputAttentions: Bool = false) -> GPTOutput<Scalar> {
        run(inputIds, attentionMask: attentionMask, cache: cache, lastLogitsOnly: lastLogitsOnly,
            outputHiddenStates: outputHiddenStates, outputAttentions: outputAttentions, keeping: false).output
    }

    /// The forward pass, written once: `forward` calls it, and so does `lossAndGradients`, with
    /// `keeping: true` to have each layer keep what its backward reads (Backprop's saving forwards,
    /// which run the layers' own steps) and to check every stage for NaN (NumericsCheck).
    /// - Parameters: as `forward`; with `keeping`, no cache (training reads whole sequences)
    /// - Returns: the output, and with `keeping` the saved arrays
    @usableFromInline
    @_specialize(where Scalar == Float)
    func run(_ inputIds: NDArray<Int>, attentionMask: NDArray<Int>? = nil, cache: GPTCache<Scalar>? = nil,
             lastLogitsOnly: Bool = false, outputHiddenStates: Bool = false, outputAttentions: Bool = false,
             keeping: Bool) -> (output: GPTOutput<Scalar>, saved: Saved?) {
        if keeping && (cache != nil || lastLogitsOnly) {
            modelFailure("GPTModel.run", "keeping what the backward reads needs every position and no cache")
        }
        let past = cache?.count ?? 0
        checkInput(inputIds, attentionMask: attentionMask, past: past, cache: cache)
        let (b, t) = (inputIds.shape[0], inputIds.shape[1])
        let positions = attentionMask.map { positionsFromMask($0, newTokens: t) }     // [B, T], or nil: past..<past+T
        var x = wte(inputIds)                                                           // [B, T] → [B, T, C]
        if let wpe {
            if let positions { x += wpe(positions: positions) } else { x += wpe(seqLen: t, offset: past) }
        } else if let sinusoids {
            if let positions { x += sinusoids(positions: positions) } else { x += sinusoids(seqLen: t, offset: past) }
        }
        var embeddingSaved: Dropout<Scalar>.Saved?
        if keeping {
            (x, embeddingSaved) = embeddingDropout.forwardSaving(x)
            NumericsCheck.check(x, "embedding forward")
        } else {
            x = embeddingDropout(x)
        }
        let mask = attentionMaskArray(attentionMask, batch: b, queries: t, keys: past + t)   // [T, T] causal (+ padding)
        var hiddenStates: [NDArray<Scalar>] = outputHiddenStates ? [x] : []
        var attentions: [NDArray<Scalar>] = []
        var blocksSaved: [TransformerBlock<Scalar>.Saved] = []
        for (i, block) in blocks.enumerated() {
            let blockPositions = rotary == nil ? nil : positions
            let weights: NDArray<Scalar>                                                // [B, NH, T, past + T]
            if keeping {
                let (y, w, s) = block.forwardSaving(x, mask: mask, positions: blockPositions, prefix: "blocks.\(i).")
                (x, weights) = (y, w)
                blocksSaved.append(s)
            } else {
                (x, weights) = block.forwardWithWeights(x, mask: mask, cache: cache?.layers[i], positions: blockPositions)
            }
            if outputHiddenStates { hiddenStates.append(x) }
            if outputAttentions { attentions.append(weights) }
        }
        if lastLogitsOnly && !outputHiddenStates { x = x[.all, (t - 1)..<t] }            // [B, 1, C]: normalise only it
        var lnFSaved: LayerNorm<Scalar>.Saved?
        if keeping {
            (x, lnFSaved) = lnF.forwardSaving(x)
            NumericsCheck.check(x, "lnF forward")
        } else {
            x = lnF(x)
        }
        if outputHiddenStates {
            hiddenStates[hiddenStates.count - 1] = x
            if lastLogitsOnly { x = x[.all, (t - 1)..<t] }                              // [B, 1, C]
        }
        let logits = project(x)                                                         // [B, T, C] → [B, T, V]
        let output = GPTOutput(logits: logits, hiddenStates: hiddenStates, attentions: attentions)
        guard keeping, let embeddingSaved, let lnFSaved else { return (output, nil) }
        NumericsCheck.check(logits, "logits forward")
        return (output, Saved(embeddingDropout: embeddingSaved, blocks: blocksSaved, lnF: lnFSaved, final: x))
    }

    /// Hidden states [B, T, C] → logits [B, T, V]: x·wteᵀ when tied, else lmHead(x).
    @inlinable
    public func project(_ x: NDArray<Scalar>) -> NDArray<Scalar> {
        if let lmHead { return lmHead(x) }
        return matmul(x, wte.weight.T)                                                  // [B, T, C]·[C, V]
    }

    /// Position of each new token: the number of real tokens before it in its row (0 for padding).
    /// - Parameter mask: [B, past + T] of 0/1
    /// - Returns: [B, T]
    @inlinable
    func positionsFromMask(_ mask: NDArray<Int>, newTokens t: Int) -> NDArray<Int> {
        let (b, total) = (mask.shape[0], mask.shape[1])
        let flags = mask.scalars
        var positions = [Int](repeating: 0, count: b * t)
        for row in 0..<b {
            var seen = 0
            for j in 0..<total {
                let position = Swift.max(seen - 1 + flags[row * total + j], 0)          // cumsum − 1, clamped at 0
                seen += flags[row * total + j]
                if j >= total - t { positions[row * t + j - (total - t)] = position }
            }
        }
        return NDArray(shape: [b, t], scalars: positions)
    }

    /// The additive mask for T queries over `keys` keys: causal, plus −∞ on padded keys.
    /// Nil when nothing is masked (one new query and no padding). Shape [T, keys] or [B, 1, T, keys].
    @inlinable
    func attentionMaskArray(_ attentionMask: NDArray<Int>?, batch b: Int, queries t: Int, keys: Int) -> NDArray<Scalar>? {
        let causal: NDArray<Scalar>? = t == 1 ? nil : createCausalMask(queryLength: t, keyLength: keys)
        guard let attentionMask else { return causal }
        let flags = attentionMask.scalars
        var padding = [Scalar](repeating: 0, count: b * keys)
        for i in padding.indices where flags[i] == 0 { padding[i] = -.infinity }
        var mask = NDArray(shape: [b, 1, 1, keys], scalars: padding)                     // [B, 1, 1, keys]
        if let causal { mask = mask + causal }                                            // → [B, 1, T, keys]
        return mask
    }

    @inlinable
    func checkInput(_ ids: NDArray<Int>, attentionMask: NDArray<Int>?, past: Int, cache: GPTCache<Scalar>?) {
        if ids.ndim != 2 || ids.shape[1] == 0 {
            modelFailure("GPTModel.forward", "inputIds \(ids.shape) must be [B, T] with T ≥ 1")
        }
        if past + ids.shape[1] > config.maxSeqLen {
            modelFailure("GPTModel.forward", "a sequence of \(past + ids.shape[1]) tokens (\(ids.shape[1]) new, "
                            + "\(past) cached) is longer than maxSeqLen \(config.maxSeqLen); crop it to the last "
                            + "\(config.maxSeqLen) tokens (generate does)")
        }
        if let cache, cache.layers.count != blocks.count {
            modelFailure("GPTModel.forward", "the cache has \(cache.layers.count) layers, the model \(blocks.count)")
        }
        if let attentionMask, attentionMask.shape != [ids.shape[0], past + ids.shape[1]] {
            modelFailure("GPTModel.forward", "attentionMask \(attentionMask.shape) must be [B, past + T] = "
                            + "\([ids.shape[0], past + ids.shape[1]]) for inputIds \(ids.shape) after \(past) cached")
        }
    }

    // MARK: Loss

    /// The mean cross-entropy of predicting `targets` from `inputIds`. LiteTorch: `compute_loss(input_ids, target_ids)`.
    /// targets[b, t] is the token that follows inputIds[b, 0…t] (already shifted: see `computeLoss(_:)`).
    /// - Parameters:
    ///   - inputIds: [B, T]
    ///   - targets: [B, T]; positions equal to `ignoreIndex` do not count
    ///   - ignoreIndex: PyTorch's default, −100
    ///   - labelSmoothing: ε in [0, 1): the target is (1 − ε)·one-hot + ε/V
    /// - Returns: the loss in nats (mean over the counted positions)
    @inlinable
    public func computeLoss(inputIds: NDArray<Int>, targets: NDArray<Int>, ignoreIndex: Int = -100,
                            labelSmoothing: Double = 0) -> Double {
        if targets.shape != inputIds.shape {
            modelFailure("GPTModel.computeLoss", "targets \(targets.shape) must have inputIds' shape \(inputIds.shape)")
        }
        return crossEntropy(logits: forward(inputIds), targets: targets, ignoreIndex: ignoreIndex,
                            labelSmoothing: labelSmoothing)
    }

    /// The language-modelling loss of whole sequences: predict tokens[:, 1...] from tokens[:, ..<T−1]
    /// (shifted inside, with no wrap-around: the last token is only a target, the first only an input).
    /// - Parameter tokens: [B, T + 1], T + 1 ≥ 2
    /// - Returns: the mean cross-entropy in nats
    @inlinable
    public func computeLoss(_ tokens: NDArray<Int>, ignoreIndex: Int = -100, labelSmoothing: Double = 0) -> Double {
        if tokens.ndim != 2 || tokens.shape[1] < 2 {
            modelFailure("GPTModel.computeLoss", "tokens \(tokens.shape) must be [B, T + 1] with T + 1 ≥ 2")
        }
        let n = tokens.shape[1]
        return computeLoss(inputIds: tokens[.all, 0..<(n - 1)].contiguous(), targets: tokens[.all, 1..<n].contiguous(),
                           ignoreIndex: ignoreIndex, labelSmoothing: labelSmoothing)
    }

    /// e^loss: the effective number of tokens the model hesitates between.
    /// - Parameter tokens: [B, T + 1]
    @inlinable
    public func perplexity(_ tokens: NDArray<Int>, ignoreIndex: Int = -100) -> Double {
        Foundation.exp(computeLoss(tokens, ignoreIndex: ignoreIndex))
    }
}

/// Stops with "operation: detail": a programmer error (wrong shapes, a sequence too long).
@usableFromInline
func modelFailure(_ operation: String, _ detail: String) -> Never {
    fatalError("\(operation): \(detail)")
}
