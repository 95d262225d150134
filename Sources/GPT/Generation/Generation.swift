// Generation.swift — writing text one token at a time.
//
//   prompts ─ crop to the last maxSeqLen ─ left-pad into [B, T] + mask ─ forward (fills the cache)
//   loop:  logits of the last position [B, V] ─ Sampling ─ one token per row ─ forward([B, 1]) ─ …
//
// The first forward reads the prompts and leaves every layer's keys and values
// in a `GPTCache`; after that each step feeds only the newest token, so it costs
// one token's work (plus attention over the context), not the whole prompt's.
// Prompts of different lengths are padded on the left, so that every row's
// newest token is in the same column; the attention mask keeps padding out of
// attention and gives each row positions that start at 0. Once the context is
// full, each step re-reads the last maxSeqLen tokens without the cache (what
// nanoGPT's loop does on every step). Dropout is off while generating.
//
// Depends on: GPTModel.swift, Sampling.swift, NDArray, NN (the caches).
// Not here: beam search (BeamSearch.swift); the encoder-decoder's generation
// (EncoderDecoderGeneration.swift, which runs this file's `runSampling` loop).

import Foundation
import NDArray
import NN

/// What `generate` made.
public struct GenerationResult: Sendable, Equatable {
    /// Why a sequence ended.
    public enum StopReason: Sendable, Equatable {
        /// It produced one of the stop tokens (kept as its last token).
        case stopToken
        /// It reached maxNewTokens.
        case maxNewTokens
    }

    /// Each prompt followed by its new tokens (the cropped-off start of a long prompt is kept).
    public var sequences: [[Int]]
    /// The new tokens alone.
    public var newTokens: [[Int]]
    /// Σ log p of the chosen tokens under the distribution they were chosen from; for beam search
    /// the beam's score, Σ log p / length^lengthPenalty.
    public var scores: [Double]
    /// Why each sequence ended.
    public var stopReasons: [StopReason]
}

/// Feeds a batch of growing sequences to a model: the prompts once, then one token per step.
final class IncrementalDecoder<Scalar: NDFloatingPoint> {
    let model: GPTModel<Scalar>
    let useCache: Bool
    let padTokenId: Int
    let cache: GPTCache<Scalar>
    /// [B, cached] 0/1, or nil when no row is padded.
    var mask: [[Int]]?

    init(model: GPTModel<Scalar>, useCache: Bool, padTokenId: Int) {
        self.model = model
        self.useCache = useCache
        self.padTokenId = padTokenId
        cache = GPTCache(numLayers: model.blocks.count)
    }

    /// Reads whole sequences (each cropped to its last maxSeqLen tokens) from an empty cache.
    /// - Returns: the last position's logits, [B, V]
    @_specialize(where Scalar == Float)
    func start(_ rows: [[Int]]) -> NDArray<Scalar> {
        cache.removeAll()
        let window = rows.map { Array($0.suffix(model.config.maxSeqLen)) }
        let width = window.map(\.count).max() ?? 0
        var ids: [Int] = []
        var flags: [[Int]] = []
        for row in window {
            ids += Array(repeating: padTokenId, count: width - row.count) + row          // padded on the left
            flags.append(Array(repeating: 0, count: width - row.count) + Array(repeating: 1, count: row.count))
        }
        mask = window.allSatisfy({ $0.count == width }) ? nil : flags
        return run(NDArray(shape: [rows.count, width], scalars: ids))
    }

    /// Reads the newest token of every row (rows are the whole sequences, the new token appended).
    /// - Returns: the last position's logits, [B, V]
    @_specialize(where Scalar == Float)
    func step(_ rows: [[Int]]) -> NDArray<Scalar> {
        if !useCache || cache.count + 1 > model.config.maxSeqLen { return start(rows) }
        if mask != nil { for i in mask!.indices { mask![i].append(1) } }
        return run(NDArray(shape: [rows.count, 1], scalars: rows.map { $0.last! }))
    }

    /// Keeps row `rows[i]` as row i (beam search).
    func reorder(rows: [Int]) {
        cache.reorder(rows: rows)
        if let old = mask { mask = rows.map { old[$0] } }
    }

    @_specialize(where Scalar == Float)
    private func run(_ ids: NDArray<Int>) -> NDArray<Scalar> {
        let attentionMask = mask.map { NDArray(shape: [$0.count, $0[0].count], scalars: $0.flatMap { $0 }) }
        let logits = model.forward(ids, attentionMask: attentionMask, cache: useCache ? cache : nil,
                                   lastLogitsOnly: true).logits                    // [B, 1, V]
        if !useCache { cache.removeAll() }
        return logits.reshaped(ids.shape[0], model.config.vocabSize)               // [B, V]
    }
}

extension GPTModel {
    /// Continues each prompt. Greedy, sampling or beam search as `config` says; dropout is off meanwhile.
    ///
    /// ```swift
    /// let result = model.generate(prompts: [tokenizer.encode("ROMEO:")], config: .sampling(temperature: 0.8))
    /// print(tokenizer.decode(result.sequences[0]))
    /// ```
    /// - Parameters:
    ///   - prompts: B prompts of any lengths ≥ 1 (longer than maxSeqLen: only the last maxSeqLen are read).
    ///     Each step costs one token's forward pass until a sequence fills the context; from then on
    ///     every step re-reads the last maxSeqLen tokens (nanoGPT's window, exactly), a full forward.
    ///   - config: how to choose tokens (invalid settings stop with a message)
    ///   - onToken: called with (row, token) as each new token is chosen (with beam search: the
    ///     winning beam's tokens, once the search is over)
    ///   - onLogits: called each step with the model's raw logits for the last position [B, V]
    ///     (B counts beams in beam search), before any processing
    /// - Returns: the sequences, new tokens, scores and why each stopped
    @_specialize(where Scalar == Float)
    public func generate(prompts: [[Int]], config: GenerationConfig,
                         onToken: ((_ row: Int, _ token: Int) -> Void)? = nil,
                         onLogits: ((_ step: Int, _ logits: NDArray<Scalar>) -> Void)? = nil) -> GenerationResult {
        checkGeneration(prompts: prompts, config: config)
        let wasTraining = isTraining
        eval()
        defer { isTraining = wasTraining }
        if config.numBeams > 1 {
            var result = GenerationResult(sequences: [], newTokens: [], scores: [], stopReasons: [])
            for (row, prompt) in prompts.enumerated() {
                let best = beamSearch(prompt: prompt, config: config, onLogits: onLogits)
                for token in best.newTokens { onToken?(row, token) }
                result.sequences.append(prompt + best.newTokens)
                result.newTokens.append(best.newTokens)
                result.scores.append(best.score)
                result.stopReasons.append(best.stopReason)
            }
            return result
        }
        let decoder = IncrementalDecoder(model: self, useCache: config.useCache, padTokenId: config.padTokenId)
        return runSampling(prompts: prompts, config: config, padTokenId: config.padTokenId, start: decoder.start,
                           step: decoder.step, onToken: onToken, onLogits: onLogits)
    }

    /// LiteTorch's `generate(prompt_ids, max_new_tokens, temperature, top_k, top_p)`: sampling, exactly
    /// `maxNewTokens` steps (no stop token), a prompt longer than the context read through its last
    /// maxSeqLen tokens, as LiteTorch's does. Swift asks for the seed LiteTorch's global NumPy state hides.
    /// - Parameters:
    ///   - promptIds: [T] or [B, T]
    ///   - temperature: > 0 (LiteTorch divides by it too; for greedy use `generate(prompts:config: .greedy())`)
    /// - Returns: the prompts followed by their new tokens, [B, T + maxNewTokens] (B = 1 for a [T] prompt)
    public func generate(_ promptIds: NDArray<Int>, maxNewTokens: Int = 50, temperature: Double = 1,
                         topK: Int? = nil, topP: Double? = nil, seed: UInt64 = 0) -> NDArray<Int> {
        if promptIds.ndim != 1 && promptIds.ndim != 2 {
            modelFailure("GPTModel.generate", "promptIds \(promptIds.shape) must be [T] or [B, T]")
        }
        let batch = promptIds.ndim == 1 ? promptIds.reshaped(1, -1) : promptIds        // [B, T]
        let prompts = (0..<batch.shape[0]).map { batch[$0].scalars }
        let result = generate(prompts: prompts, config: .sampling(maxNewTokens: maxNewTokens, temperature: temperature,
                                                                   topK: topK, topP: topP, seed: seed))
        return NDArray(result.sequences)                                                // [B, T + maxNewTokens]
    }

    /// The same for a prompt given as an array of ids: `[T]` → [1, T + maxNewTokens].
    public func generate(_ promptIds: [Int], maxNewTokens: Int = 50, temperature: Double = 1, topK: Int? = nil,
                         topP: Double? = nil, seed: UInt64 = 0) -> NDArray<Int> {
        generate(NDArray(promptIds), maxNewTokens: maxNewTokens, temperature: temperature, topK: topK, topP: topP,
                 seed: seed)
    }

    /// One step of `config`'s sampler on `prompt`, laid open: the top candidates' probabilities
    /// before and after temperature, top-k and top-p, and the token drawn (with `config.seed`).
    /// - Parameters:
    ///   - decode: a token's text for the table (e.g. `{ tokenizer.decode([$0]) }`)
    ///   - candidates: how many rows to show
    @_specialize(where Scalar == Float)
    public func explainNextToken(_ prompt: [Int], config: GenerationConfig, candidates count: Int = 10,
                                 decode: ((Int) -> String)? = nil) -> NextTokenExplanation {
        checkGeneration(prompts: [prompt], config: config)
        if count < 1 { modelFailure("GPTModel.explainNextToken", "candidates must be at least 1, not \(count)") }
        let wasTraining = isTraining
        eval()
        defer { isTraining = wasTraining }
        let decoder = IncrementalDecoder(model: self, useCache: false, padTokenId: config.padTokenId)
        let logits = decoder.start([prompt])[0].scalars.map(Double.init)
        var generator = Sampling.rowGenerator(seed: config.seed, row: 0)
        return Sampling.explain(logits, history: prompt, config: config, candidates: count,
                                contextLength: min(prompt.count, self.config.maxSeqLen), decode: decode, using: &generator)
    }

    func checkGeneration(prompts: [[Int]], config: GenerationConfig) {
        if let problem = config.problem { modelFailure("GPTModel.generate", problem) }
        if prompts.isEmpty { modelFailure("GPTModel.generate", "no prompts given") }
        if let empty = prompts.firstIndex(where: { $0.isEmpty }) {
            modelFailure("GPTModel.generate", "prompt \(empty) is empty: give at least one token (e.g. <|endoftext|>)")
        }
        let v = self.config.vocabSize
        for (row, prompt) in prompts.enumerated() {
            if let bad = prompt.firstIndex(where: { $0 < 0 || $0 >= v }) {
                modelFailure("GPTModel.generate", "prompt \(row) has token \(prompt[bad]) at \(bad), not in 0..<\(v) (V)")
            }
        }
        if config.padTokenId < 0 || config.padTokenId >= v {
            modelFailure("GPTModel.generate", "padTokenId \(config.padTokenId) is not in 0..<\(v) (V)")
        }
    }
}

/// The token-by-token loop of greedy decoding and sampling, for any model that can score a batch of
/// growing sequences (the GPT's `IncrementalDecoder`, the encoder-decoder's `TargetStepper`): each
/// step, every running row chooses its next token from the last position's logits (`Sampling.choose`,
/// from its own stream), stops at a stop token, and the rows are fed back.
/// - Parameters:
///   - prompts: B sequences to continue (a finished row is padded with `padTokenId` to keep the batch
///     rectangular; the padding is never returned)
///   - start: the logits [B, V] after reading whole sequences
///   - step: the logits [B, V] after each row's newest token
/// - Returns: the sequences, new tokens, Σ log p and why each row stopped
@_specialize(where Scalar == Float)
func runSampling<Scalar: NDFloatingPoint>(
    prompts: [[Int]], config: GenerationConfig, padTokenId: Int,
    start: ([[Int]]) -> NDArray<Scalar>, step: ([[Int]]) -> NDArray<Scalar>,
    onToken: ((_ row: Int, _ token: Int) -> Void)? = nil,
    onLogits: ((_ step: Int, _ logits: NDArray<Scalar>) -> Void)? = nil
) -> GenerationResult {
    var generators = prompts.indices.map { Sampling.rowGenerator(seed: config.seed, row: $0) }
    var rows = prompts
    var newTokens = prompts.map { _ in [Int]() }
    var scores = prompts.map { _ in 0.0 }
    var reasons = prompts.map { _ in GenerationResult.StopReason.maxNewTokens }
    var active = Set(prompts.indices)
    guard config.maxNewTokens > 0 else {
        return GenerationResult(sequences: rows, newTokens: newTokens, scores: scores, stopReasons: reasons)
    }
    var logits = start(rows)                                                   // [B, V]
    for stepIndex in 0..<config.maxNewTokens {
        onLogits?(stepIndex, logits)
        for row in prompts.indices {
            guard active.contains(row) else {
                rows[row].append(padTokenId)                                   // keeps the batch rectangular; never returned
                continue
            }
            let (token, logProbability) = Sampling.choose(logits[row], history: rows[row], config: config,
                                                          using: &generators[row])
            scores[row] += logProbability
            rows[row].append(token)
            newTokens[row].append(token)
            onToken?(row, token)
            if config.stopTokens.contains(token) {
                active.remove(row)
                reasons[row] = .stopToken
            }
        }
        if active.isEmpty || stepIndex == config.maxNewTokens - 1 { break }
        logits = step(rows)
    }
    return GenerationResult(sequences: zip(prompts, newTokens).map { $0 + $1 }, newTokens: newTokens,
                            scores: scores, stopReasons: reasons)
}
