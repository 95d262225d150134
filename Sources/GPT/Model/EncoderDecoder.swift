// EncoderDecoder.swift — the original transformer: read a whole source, then write a target.
//
//   src [B, S] ─ srcEmbedding·√C + sinusoids ─ encoder blocks (padding mask) ─ encoderNorm ─→ memory [B, S, C]
//   tgt [B, T] ─ tgtEmbedding·√C + sinusoids ─ decoder blocks:
//        masked self-attention (causal + target padding) → cross-attention on memory (source padding)
//        → feed-forward ─ decoderNorm ─ lmHead ─→ logits [B, T, V_tgt]
//
// The encoder sees the whole source at once (no causal mask: only padding is
// hidden); the decoder is a GPT that also looks at the encoder's output. As in
// "Attention Is All You Need" (and Nima's walk-through of it), embeddings are
// scaled by √C before the fixed sinusoidal positions are added.
//
// Depends on: NN (EncoderBlock, DecoderBlock, Embedding, PositionalEncoding, masks), Backprop
// (the layers' saving forwards, which `runEncoder`/`runDecoder` call when asked to keep),
// EncoderDecoderBackward.swift (`EncoderSaved`, `DecoderSaved`: what is kept).
// Not here: generation (Generation/EncoderDecoderGeneration.swift: the GPT's sampling loop and beam
// search), the backward (Training/EncoderDecoderBackward.swift), shared source/target vocabularies,
// weight tying.

import Backprop
import Foundation
import NDArray
import NN

/// The shape of an encoder-decoder transformer.
public struct EncoderDecoderConfig: Sendable, Codable, Equatable {
    /// The source vocabulary size.
    public var srcVocabSize: Int
    /// The target vocabulary size (V of the logits).
    public var tgtVocabSize: Int
    /// The longest source or target.
    public var maxSeqLen: Int
    /// Encoder blocks.
    public var numEncoderLayers: Int
    /// Decoder blocks.
    public var numDecoderLayers: Int
    /// NH.
    public var numHeads: Int
    /// C.
    public var hiddenDim: Int
    /// The feed-forward width.
    public var ffnDim: Int
    /// Dropout (training only).
    public var dropout: Double
    /// The padding id of both vocabularies (masked out of attention).
    public var padId: Int
    /// Pre-norm (default) or post-norm blocks.
    public var normPlacement: NormPlacement
    /// The feed-forward activation (the original: ReLU).
    public var activation: Activation

    /// A configuration; ffnDim defaults to 4C.
    public init(srcVocabSize: Int, tgtVocabSize: Int, maxSeqLen: Int, numEncoderLayers: Int, numDecoderLayers: Int,
                numHeads: Int, hiddenDim: Int, ffnDim: Int? = nil, dropout: Double = 0.1, padId: Int = 0,
                normPlacement: NormPlacement = .pre, activation: Activation = .relu) {
        self.srcVocabSize = srcVocabSize
        self.tgtVocabSize = tgtVocabSize
        self.maxSeqLen = maxSeqLen
        self.numEncoderLayers = numEncoderLayers
        self.numDecoderLayers = numDecoderLayers
        self.numHeads = numHeads
        self.hiddenDim = hiddenDim
        self.ffnDim = ffnDim ?? 4 * hiddenDim
        self.dropout = dropout
        self.padId = padId
        self.normPlacement = normPlacement
        self.activation = activation
    }
}

/// An encoder-decoder transformer. PyTorch: `nn.Transformer` plus embeddings and an output projection.
///
/// ```swift
/// let model = EncoderDecoderTransformer<Float>(config: config, using: &rng)
/// let logits = model(src: src, tgt: tgt)                 // [B, S], [B, T] → [B, T, V_tgt]
/// let out = model.generate(src: [[5, 6, 7]], bos: 1, eos: 2, config: .greedy(maxNewTokens: 20))
/// ```
public final class EncoderDecoderTransformer<Scalar: NDFloatingPoint>: Layer {
    /// The configuration it was built with.
    public let config: EncoderDecoderConfig
    /// Source token embedding [V_src, C].
    public let srcEmbedding: Embedding<Scalar>
    /// Target token embedding [V_tgt, C].
    public let tgtEmbedding: Embedding<Scalar>
    /// The sinusoidal position table (no parameters), shared by both sides.
    public let positions: PositionalEncoding<Scalar>
    /// Dropout on both sides' embeddings.
    public let embeddingDropout: Dropout<Scalar>
    /// The encoder blocks.
    public let encoder: [EncoderBlock<Scalar>]
    /// The LayerNorm after the encoder.
    public let encoderNorm: LayerNorm<Scalar>
    /// The decoder blocks.
    public let decoder: [DecoderBlock<Scalar>]
    /// The LayerNorm after the decoder.
    public let decoderNorm: LayerNorm<Scalar>
    /// The output projection [V_tgt, C] with a bias.
    public let lmHead: Linear<Scalar>

    /// Whether dropout is active; setting it sets every layer inside.
    public var isTraining = true {
        didSet {
            embeddingDropout.isTraining = isTraining
            for block in encoder { block.isTraining = isTraining }
            for block in decoder { block.isTraining = isTraining }
        }
    }

    /// A model with Xavier-uniform weights and N(0, 1/C) embeddings (so that after ·√C they are N(0, 1)).
    public init(config: EncoderDecoderConfig, using generator: inout SeededGenerator) {
        let c = config.hiddenDim
        self.config = config
        let embeddingInit = Initialization<Scalar>.normal(std: Scalar(1 / Double(c).squareRoot()))
        srcEmbedding = Embedding(numEmbeddings: config.srcVocabSize, embeddingDim: c, weightInit: embeddingInit,
                                 using: &generator)
        tgtEmbedding = Embedding(numEmbeddings: config.tgtVocabSize, embeddingDim: c, weightInit: embeddingInit,
                                 using: &generator)
        positions = PositionalEncoding(maxSeqLen: config.maxSeqLen, embeddingDim: c)
        embeddingDropout = Dropout(p: config.dropout, using: &generator)
        encoder = (0..<config.numEncoderLayers).map { _ in
            EncoderBlock(hiddenDim: c, numHeads: config.numHeads, ffnDim: config.ffnDim, dropout: config.dropout,
                         normPlacement: config.normPlacement, activation: config.activation, attentionBias: true,
                         using: &generator)
        }
        encoderNorm = LayerNorm(normalizedShape: c)
        decoder = (0..<config.numDecoderLayers).map { _ in
            DecoderBlock(hiddenDim: c, numHeads: config.numHeads, ffnDim: config.ffnDim, dropout: config.dropout,
                         normPlacement: config.normPlacement, activation: config.activation, attentionBias: true,
                         using: &generator)
        }
        decoderNorm = LayerNorm(normalizedShape: c)
        lmHead = Linear(inFeatures: c, outFeatures: config.tgtVocabSize, using: &generator)
    }

    /// srcEmbedding, tgtEmbedding, encoder.N.…, encoderNorm, decoder.N.…, decoderNorm, lmHead (see Layer.swift).
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {
        try srcEmbedding.visitParameters(prefix: prefix + "srcEmbedding.", body)
        try tgtEmbedding.visitParameters(prefix: prefix + "tgtEmbedding.", body)
        for (i, block) in encoder.enumerated() { try block.visitParameters(prefix: prefix + "encoder.\(i).", body) }
        try encoderNorm.visitParameters(prefix: prefix + "encoderNorm.", body)
        for (i, block) in decoder.enumerated() { try block.visitParameters(prefix: prefix + "decoder.\(i).", body) }
        try decoderNorm.visitParameters(prefix: prefix + "decoderNorm.", body)
        try lmHead.visitParameters(prefix: prefix + "lmHead.", body)
    }

    /// The additive padding mask of a batch of ids: −∞ where id == padId. [B, 1, 1, S].
    public func paddingMask(_ ids: NDArray<Int>) -> NDArray<Scalar> {
        createPaddingMask(tokenIds: ids, padId: config.padId)
    }

    /// Reads the source.
    /// - Parameter src: [B, S]
    /// - Returns: memory [B, S, C]
    @inlinable
    public func encode(_ src: NDArray<Int>) -> NDArray<Scalar> { runEncoder(src, keeping: false).memory }

    /// Writes: the target's logits given the memory.
    /// - Parameters:
    ///   - tgt: [B, T] (the new tokens only, when a cache is given)
    ///   - memory: [B, S, C] from `encode`
    ///   - memoryMask: [B, 1, 1, S], `paddingMask(src)`
    ///   - maskTargetPadding: hide target tokens equal to padId from attention (teacher forcing on
    ///     padded batches); generation passes false, since every generated token is real
    ///   - caches: one per decoder block, holding earlier target tokens' self-attention keys and values
    /// - Returns: [B, T, V_tgt]
    @inlinable
    public func decode(_ tgt: NDArray<Int>, memory: NDArray<Scalar>, memoryMask: NDArray<Scalar>?,
                       maskTargetPadding: Bool = true, caches: [KeyValueCache<Scalar>]? = nil) -> NDArray<Scalar> {
        runDecoder(tgt, memory: memory, memoryMask: memoryMask, maskTargetPadding: maskTargetPadding, caches: caches,
                   keeping: false).logits
    }

    /// The encoder's forward, written once: `encode` runs it, and `lossAndGradients` runs it keeping
    /// what the backward reads (Backprop's saving forwards of the same layers).
    @usableFromInline
    @_specialize(where Scalar == Float)
    func runEncoder(_ src: NDArray<Int>, keeping: Bool) -> (memory: NDArray<Scalar>, saved: EncoderSaved?) {
        checkIds(src, "src")
        var x = embed(src, srcEmbedding, offset: 0)                                  // [B, S, C]
        var dropoutSaved: Dropout<Scalar>.Saved?
        if keeping { (x, dropoutSaved) = embeddingDropout.forwardSaving(x) } else { x = embeddingDropout(x) }
        let mask = paddingMask(src)                                                  // [B, 1, 1, S]
        var blocksSaved: [TransformerBlock<Scalar>.Saved] = []
        for block in encoder {
            if keeping {
                let (y, _, s) = block.forwardSaving(x, mask: mask)
                x = y
                blocksSaved.append(s)
            } else {
                x = block(x, mask: mask)
            }
        }
        guard keeping, let dropoutSaved else { return (encoderNorm(x), nil) }
        let (memory, normSaved) = encoderNorm.forwardSaving(x)
        return (memory, EncoderSaved(embeddingDropout: dropoutSaved, blocks: blocksSaved, norm: normSaved))
    }

    /// The decoder's forward, written once: `decode` runs it, and `lossAndGradients` runs it keeping
    /// what the backward reads (no cache then: training reads whole targets).
    @usableFromInline
    @_specialize(where Scalar == Float)
    func runDecoder(_ tgt: NDArray<Int>, memory: NDArray<Scalar>, memoryMask: NDArray<Scalar>?,
                    maskTargetPadding: Bool, caches: [KeyValueCache<Scalar>]?,
                    keeping: Bool) -> (logits: NDArray<Scalar>, saved: DecoderSaved?) {
        checkIds(tgt, "tgt")
        let past = caches?.first?.count ?? 0
        let t = tgt.shape[1]
        var y = embed(tgt, tgtEmbedding, offset: past)                               // [B, T, C]
        var dropoutSaved: Dropout<Scalar>.Saved?
        if keeping { (y, dropoutSaved) = embeddingDropout.forwardSaving(y) } else { y = embeddingDropout(y) }
        var mask: NDArray<Scalar>? = t == 1 ? nil : createCausalMask(queryLength: t, keyLength: past + t)
        if maskTargetPadding && past == 0 { mask = mask.map { paddingMask(tgt) + $0 } ?? paddingMask(tgt) }  // [B, 1, T, T]
        var blocksSaved: [DecoderBlock<Scalar>.Saved] = []
        for (i, block) in decoder.enumerated() {
            if keeping {
                let (z, s) = block.forwardSaving(y, memory: memory, mask: mask, memoryMask: memoryMask)
                y = z
                blocksSaved.append(s)
            } else {
                y = block(y, memory: memory, mask: mask, memoryMask: memoryMask, cache: caches?[i])
            }
        }
        guard keeping, let dropoutSaved else { return (lmHead(decoderNorm(y)), nil) }
        let (h, normSaved) = decoderNorm.forwardSaving(y)                            // [B, T, C]
        return (lmHead(h), DecoderSaved(embeddingDropout: dropoutSaved, blocks: blocksSaved, norm: normSaved, final: h))
    }

    /// The whole model: logits for every target position (teacher forcing).
    /// - Parameters:
    ///   - src: [B, S]
    ///   - tgt: [B, T], starting with BOS
    /// - Returns: [B, T, V_tgt]
    public func forward(src: NDArray<Int>, tgt: NDArray<Int>) -> NDArray<Scalar> {
        decode(tgt, memory: encode(src), memoryMask: paddingMask(src))
    }

    /// The same as `forward(src:tgt:)`.
    public func callAsFunction(src: NDArray<Int>, tgt: NDArray<Int>) -> NDArray<Scalar> { forward(src: src, tgt: tgt) }

    /// table[ids]·√C + the sinusoids of positions offset..<offset + T, before dropout.
    /// - Parameter ids: [B, T]
    /// - Returns: [B, T, C]
    @inline(__always)
    func embed(_ ids: NDArray<Int>, _ table: Embedding<Scalar>, offset: Int) -> NDArray<Scalar> {
        var x = table(ids) * Scalar(Double(config.hiddenDim).squareRoot())         // [B, T, C]
        x += positions(seqLen: ids.shape[1], offset: offset)
        return x
    }

    /// The shape and length of `ids` (each id's range is the embedding's to check).
    func checkIds(_ ids: NDArray<Int>, _ name: String) {
        if ids.ndim != 2 || ids.shape[1] == 0 {
            modelFailure("EncoderDecoderTransformer", "\(name) \(ids.shape) must be [B, T] with T ≥ 1")
        }
        if ids.shape[1] > config.maxSeqLen {
            modelFailure("EncoderDecoderTransformer", "\(name) of \(ids.shape[1]) tokens is longer than maxSeqLen \(config.maxSeqLen)")
        }
    }
}
