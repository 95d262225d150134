// EncoderDecoderGeneration.swift — translating with the encoder-decoder: read the source once,
// then write the target one token at a time, with the same loops as the GPT's.
//
//   src ─ encode ─→ memory [B, S, C] (once)
//   [bos] ─ decode(target, memory) ─→ logits [B, V] ─ Sampling ─ one token per row ─ decode([B, 1]) ─ …
//
// Greedy decoding and sampling run Generation.swift's `runSampling` loop, beam
// search BeamSearch.swift's `runBeamSearch`: only how a batch of targets is
// scored differs (`TargetStepper`: the decoder's self-attention caches its keys
// and values; the memory's are recomputed, a small cost at these sizes).
//
// Depends on: EncoderDecoder.swift, Generation.swift (runSampling), BeamSearch.swift
// (runBeamSearch), Sampling.swift, NN (KeyValueCache).
// Not here: caching the memory's keys and values across steps.

import NDArray
import NN

extension EncoderDecoderTransformer {
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
        let stepper = TargetStepper(model: self, memory: memory, memoryMask: memoryMask, useCache: config.useCache)
        let result = runSampling(prompts: src.map { _ in [bos] }, config: config, padTokenId: self.config.padId,
                                 start: stepper.start, step: stepper.step)
        return result.sequences                                                    // bos, then up to eos (kept)
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
