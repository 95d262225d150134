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
// scaled by √C before the fixed sinusoidal positions are added. Generation
// encodes the source once, then decodes one token at a time with a KV cache on
// each decoder self-attention (cross-attention reads the fixed memory).
//
// Depends on: NN (EncoderBlock, DecoderBlock, Embedding, PositionalEncoding, masks),
// Sampling.swift and BeamSearch.swift (for generation).
// Not here: training it (the Backprop module), shared source/target vocabularies, weight tying.

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
                         normPlacement: config.normPlacement, activation: config.activation, using: &generator)
        }
        encoderNorm = LayerNorm(normalizedShape: c)
        decoder = (0..<config.numDecoderLayers).map { _ in
            DecoderBlock(hiddenDim: c, numHeads: config.numHeads, ffnDim: config.ffnDim, dropout: config.dropout,
                         normPlacement: config.normPlacement, activation: config.activation, using: &generator)
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
    @_specialize(where Scalar == Float)
    public func encode(_ src: NDArray<Int>) -> NDArray<Scalar> {
        checkIds(src, "src")
        var x = embed(src, srcEmbedding, offset: 0)
        let mask = paddingMask(src)                                                  // [B, 1, 1, S]
        for block in encoder { x = block(x, mask: mask) }
        return encoderNorm(x)
    }

    /// Writes: the target's logits given the memory.
    /// - Parameters:
    ///   - tgt: [B, T] (the new tokens only, when a cache is given)
    ///   - memory: [B, S, C] from `encode`
    ///   - memoryMask: [B, 1, 1, S], `paddingMask(src)`
    ///   - maskTargetPadding: hide target tokens equal to padId from attention (teacher forcing on
    ///     padded batches); generation passes false, since every generated token is real
    ///   - caches: one per decoder block, holding earlier target tokens' self-attention keys and values
    /// - Returns: [B, T, V_tgt]
    @_specialize(where Scalar == Float)
    public func decode(_ tgt: NDArray<Int>, memory: NDArray<Scalar>, memoryMask: NDArray<Scalar>?,
                       maskTargetPadding: Bool = true, caches: [KeyValueCache<Scalar>]? = nil) -> NDArray<Scalar> {
        checkIds(tgt, "tgt")
        let past = caches?.first?.count ?? 0
        let t = tgt.shape[1]
        var y = embed(tgt, tgtEmbedding, offset: past)
        var mask: NDArray<Scalar>? = t == 1 ? nil : createCausalMask(queryLength: t, keyLength: past + t)
        if maskTargetPadding && past == 0 { mask = mask.map { paddingMask(tgt) + $0 } ?? paddingMask(tgt) }  // [B, 1, T, T]
        for (i, block) in decoder.enumerated() {
            y = block(y, memory: memory, mask: mask, memoryMask: memoryMask, cache: caches?[i])
        }
        return lmHead(decoderNorm(y))
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

    /// Translates each source: greedy (or sampling) for a batch, or beam search when `config.numBeams > 1`.
    /// Dropout is off meanwhile. The target starts with `bos` and ends at `eos` (kept) or maxNewTokens.
    /// - Parameters:
    ///   - src: B sources (padded here with padId to the longest)
    ///   - config: how to choose tokens; its stopTokens gain `eos`
    /// - Returns: per source, the target tokens from `bos` on
    @_specialize(where Scalar == Float)
    public func generate(src: [[Int]], bos: Int, eos: Int, config: GenerationConfig) -> [[Int]] {
        if let problem = config.problem { modelFailure("EncoderDecoderTransformer.generate", problem) }
        if src.isEmpty || src.contains(where: \.isEmpty) {
            modelFailure("EncoderDecoderTransformer.generate", "every source needs at least one token")
        }
        var config = config
        config.stopTokens.insert(eos)
        let wasTraining = isTraining
        eval()
        defer { isTraining = wasTraining }
        let width = src.map(\.count).max()!
        let ids = NDArray(shape: [src.count, width],
                          scalars: src.flatMap { $0 + Array(repeating: self.config.padId, count: width - $0.count) })
        let memory = encode(ids), memoryMask = paddingMask(ids)
        if config.numBeams > 1 {
            return (0..<src.count).map { row in
                beamSearch(memory: memory[row..<(row + 1)], memoryMask: memoryMask[row..<(row + 1)], bos: bos, config: config)
            }
        }
        var generators = src.indices.map { Sampling.rowGenerator(seed: config.seed, row: $0) }
        let stepper = TargetStepper(model: self, memory: memory, memoryMask: memoryMask, useCache: config.useCache)
        var rows = src.map { _ in [bos] }
        var active = Set(src.indices)
        var logits = stepper.start(rows)
        for step in 0..<config.maxNewTokens {
            for row in rows.indices {
                guard active.contains(row) else { rows[row].append(self.config.padId); continue }
                let token = Sampling.choose(logits[row], history: rows[row], config: config,
                                            using: &generators[row]).token
                rows[row].append(token)
                if config.stopTokens.contains(token) { active.remove(row) }
            }
            if active.isEmpty || step == config.maxNewTokens - 1 { break }
            logits = stepper.step(rows)
        }
        // Drop what finished rows were fed after their stop token.
        return rows.map { row in
            if let stop = row.dropFirst().firstIndex(where: { config.stopTokens.contains($0) }) { return Array(row[...stop]) }
            return row
        }
    }

    @_specialize(where Scalar == Float)
    func beamSearch(memory: NDArray<Scalar>, memoryMask: NDArray<Scalar>, bos: Int, config: GenerationConfig) -> [Int] {
        var beamMemory = memory, beamMask = memoryMask
        var stepper = TargetStepper(model: self, memory: memory, memoryMask: memoryMask, useCache: config.useCache)
        let best = runBeamSearch(config: config, history: { [bos] + $0 }, onLogits: nil,
                                 start: { stepper.start([[bos]]) },
                                 step: { sources, beams in
                                     if beamMemory.shape[0] != sources.count {       // 1 row, then k beams
                                         let rows = NDArray<Int>(Array(repeating: 0, count: sources.count))
                                         beamMemory = memory.take(rows, axis: 0)
                                         beamMask = memoryMask.take(rows, axis: 0)
                                         stepper.memory = beamMemory
                                         stepper.memoryMask = beamMask
                                     }
                                     stepper.reorder(rows: sources)
                                     return stepper.step(beams.map { [bos] + $0 })
                                 })
        return [bos] + best.newTokens
    }

    @inline(__always)
    func embed(_ ids: NDArray<Int>, _ table: Embedding<Scalar>, offset: Int) -> NDArray<Scalar> {
        var x = table(ids) * Scalar(Double(config.hiddenDim).squareRoot())         // [B, T, C]
        x += positions(seqLen: ids.shape[1], offset: offset)
        return embeddingDropout(x)
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

/// Feeds growing targets to the decoder: all at once, then one token per step with the caches.
struct TargetStepper<Scalar: NDFloatingPoint> {
    let model: EncoderDecoderTransformer<Scalar>
    var memory: NDArray<Scalar>
    var memoryMask: NDArray<Scalar>
    let useCache: Bool
    let caches: [KeyValueCache<Scalar>]

    init(model: EncoderDecoderTransformer<Scalar>, memory: NDArray<Scalar>, memoryMask: NDArray<Scalar>, useCache: Bool) {
        self.model = model
        self.memory = memory
        self.memoryMask = memoryMask
        self.useCache = useCache
        caches = model.decoder.map { _ in KeyValueCache() }
    }

    /// The last position's logits [B, V] after reading whole targets (all of one length).
    func start(_ rows: [[Int]]) -> NDArray<Scalar> {
        for cache in caches { cache.removeAll() }
        let t = rows[0].count
        let ids = NDArray(shape: [rows.count, t], scalars: rows.flatMap { $0 })
        let logits = model.decode(ids, memory: memory, memoryMask: memoryMask, maskTargetPadding: false,
                                  caches: useCache ? caches : nil)
        return logits[.all, t - 1]                                                 // [B, V]
    }

    /// The logits [B, V] after the newest token of each row.
    func step(_ rows: [[Int]]) -> NDArray<Scalar> {
        if !useCache || caches[0].count + 1 > model.config.maxSeqLen { return start(rows.map { Array($0.suffix(model.config.maxSeqLen)) }) }
        let ids = NDArray(shape: [rows.count, 1], scalars: rows.map { $0.last! })
        return model.decode(ids, memory: memory, memoryMask: memoryMask, maskTargetPadding: false, caches: caches)[.all, 0]
    }

    func reorder(rows: [Int]) { for cache in caches { cache.reorder(rows: rows) } }
}
