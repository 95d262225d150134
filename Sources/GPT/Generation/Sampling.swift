// Sampling.swift — turning one position's logits into the next token.
//
//   logits [V] ─ repetition penalty ─ ÷ temperature ─ top-k ─ top-p ─ softmax ─ draw (or argmax)
//
// Each step reshapes the distribution the model gave:
//   - repetition penalty θ (CTRL): a logit of a token already in the text is
//     divided by θ when positive and multiplied by θ when negative, so it always
//     becomes less likely (dividing a negative logit would make it *more* likely);
//   - temperature T: logits ÷ T; T < 1 sharpens, T > 1 flattens;
//   - top-k: only the k highest logits survive (ties with the k-th survive too);
//   - top-p (nucleus): only the smallest set of most likely tokens whose
//     probabilities reach p survives (at least one token always does).
// The order is Hugging Face's. Sampling draws from a `SeededGenerator`, so one
// seed gives one text on every platform.
//
// Depends on: NDArray (SeededGenerator).
// Not here: the model loop (Generation.swift), beam search (BeamSearch.swift).

import Foundation
import NDArray

/// How to choose tokens. Hugging Face: `GenerationConfig`.
///
/// ```swift
/// var config = GenerationConfig.sampling(temperature: 0.8, topK: 40, seed: 1)
/// config.maxNewTokens = 100
/// config.stopTokens = [tokenizer.endOfText]
/// ```
public struct GenerationConfig: Sendable, Equatable {
    /// The most tokens to add (a stop token ends a sequence earlier).
    public var maxNewTokens: Int
    /// Draw from the distribution (true) or take its most likely token (false: greedy).
    public var doSample: Bool
    /// Divides the logits before sampling; must be positive.
    public var temperature: Double
    /// Keep only the k most likely tokens (nil: all).
    public var topK: Int?
    /// Keep only the most likely tokens whose probabilities add up to p, in (0, 1] (nil: all).
    public var topP: Double?
    /// θ ≥ 1 makes tokens already in the sequence less likely (1: off).
    public var repetitionPenalty: Double
    /// Beams for beam search (1: no beam search).
    public var numBeams: Int
    /// A finished beam scores sum(log p) / length^lengthPenalty, applied once when it finishes;
    /// above 0 favours longer sequences.
    public var lengthPenalty: Double
    /// Tokens that end a sequence (kept in its output), e.g. `<|endoftext|>`.
    public var stopTokens: Set<Int>
    /// The id that pads shorter prompts in a batch (never attended to).
    public var padTokenId: Int
    /// The seed of the sampling draws.
    public var seed: UInt64
    /// Keep every layer's keys and values (true), or re-run the whole sequence each step (false: slow, for checks).
    public var useCache: Bool

    /// A configuration; by default greedy, 50 new tokens, with the cache.
    public init(maxNewTokens: Int = 50, doSample: Bool = false, temperature: Double = 1, topK: Int? = nil,
                topP: Double? = nil, repetitionPenalty: Double = 1, numBeams: Int = 1, lengthPenalty: Double = 1,
                stopTokens: Set<Int> = [], padTokenId: Int = 0, seed: UInt64 = 0, useCache: Bool = true) {
        self.maxNewTokens = maxNewTokens
        self.doSample = doSample
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.repetitionPenalty = repetitionPenalty
        self.numBeams = numBeams
        self.lengthPenalty = lengthPenalty
        self.stopTokens = stopTokens
        self.padTokenId = padTokenId
        self.seed = seed
        self.useCache = useCache
    }

    /// Greedy decoding: always the most likely token.
    public static func greedy(maxNewTokens: Int = 50) -> GenerationConfig {
        GenerationConfig(maxNewTokens: maxNewTokens)
    }

    /// Sampling with a temperature and optional top-k / top-p.
    public static func sampling(maxNewTokens: Int = 50, temperature: Double = 1, topK: Int? = nil,
                                topP: Double? = nil, seed: UInt64 = 0) -> GenerationConfig {
        GenerationConfig(maxNewTokens: maxNewTokens, doSample: true, temperature: temperature, topK: topK,
                         topP: topP, seed: seed)
    }

    /// Beam search keeping `numBeams` hypotheses.
    public static func beamSearch(numBeams: Int, maxNewTokens: Int = 50, lengthPenalty: Double = 1) -> GenerationConfig {
        GenerationConfig(maxNewTokens: maxNewTokens, numBeams: numBeams, lengthPenalty: lengthPenalty)
    }

    /// What is wrong with these settings, or nil.
    public var problem: String? {
        if maxNewTokens < 0 { return "maxNewTokens must not be negative, not \(maxNewTokens)" }
        if !(temperature > 0) { return "temperature must be positive, not \(temperature) (use doSample = false for greedy)" }
        if let topK, topK < 1 { return "topK must be at least 1, not \(topK)" }
        if let topP, !(topP > 0 && topP <= 1) { return "topP must be in (0, 1], not \(topP)" }
        if !(repetitionPenalty > 0) { return "repetitionPenalty must be positive, not \(repetitionPenalty)" }
        if numBeams < 1 { return "numBeams must be at least 1, not \(numBeams)" }
        if numBeams > 1 && doSample { return "beam search does not sample: set doSample = false or numBeams = 1" }
        return nil
    }
}

/// The steps between logits and a token, each on one position's logits [V] in Double.
public enum Sampling {
    /// CTRL's repetition penalty: every token in `history` has its logit divided by θ if positive,
    /// multiplied by θ if negative (both make it less likely for θ > 1).
    public static func applyRepetitionPenalty(_ logits: inout [Double], history: [Int], penalty: Double) {
        guard penalty != 1 else { return }
        for token in Set(history) where logits.indices.contains(token) {
            logits[token] = logits[token] > 0 ? logits[token] / penalty : logits[token] * penalty
        }
    }

    /// logits ÷ T.
    public static func applyTemperature(_ logits: inout [Double], _ temperature: Double) {
        guard temperature != 1 else { return }
        for i in logits.indices { logits[i] /= temperature }
    }

    /// Sets every logit below the k-th largest to −∞ (ties with the k-th are kept, as Hugging Face does).
    public static func applyTopK(_ logits: inout [Double], _ k: Int) {
        guard k < logits.count else { return }
        let threshold = logits[topIndices(logits, count: k)[k - 1]]          // the k-th largest, without sorting all V
        for i in logits.indices where logits[i] < threshold { logits[i] = -.infinity }
    }

    /// Keeps the most likely tokens until their probabilities reach p (always at least one);
    /// sets the rest to −∞.
    public static func applyTopP(_ logits: inout [Double], _ p: Double) {
        guard p < 1 else { return }
        let probabilities = softmax(logits)
        // Only tokens still possible are sorted (after top-k, k of them; otherwise all V).
        let order = logits.indices.filter { probabilities[$0] > 0 }
            .sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
        var cumulative = 0.0
        var keep = 0
        for i in order {
            if keep > 0 && cumulative >= p { break }          // the set before this token already reached p
            cumulative += probabilities[i]
            keep += 1
        }
        for i in order[keep...] { logits[i] = -.infinity }
    }

    /// Every step of `config` before the draw: repetition penalty, temperature, top-k, top-p
    /// (temperature, top-k and top-p only when sampling).
    public static func process(_ logits: inout [Double], history: [Int], config: GenerationConfig) {
        applyRepetitionPenalty(&logits, history: history, penalty: config.repetitionPenalty)
        guard config.doSample else { return }
        applyTemperature(&logits, config.temperature)
        if let k = config.topK { applyTopK(&logits, k) }
        if let p = config.topP { applyTopP(&logits, p) }
    }

    /// The next token of one row: `process`, then a draw (sampling) or the argmax (greedy).
    /// - Parameters:
    ///   - logits: the model's logits for the row's last position, [V]
    ///   - history: the row's tokens so far (for the repetition penalty)
    /// - Returns: the token and its log-probability under the distribution it was chosen from
    @_specialize(where S == Float)
    public static func choose<S: NDFloatingPoint>(_ logits: NDArray<S>, history: [Int], config: GenerationConfig,
                                                  using generator: inout SeededGenerator)
        -> (token: Int, logProbability: Double) {
        var values = logits.scalars.map(Double.init)
        process(&values, history: history, config: config)
        let probabilities = softmax(values)
        let token = config.doSample ? draw(probabilities, using: &generator) : argmax(values)
        return (token, Foundation.log(probabilities[token]))
    }

    /// One step of the sampler laid open (what `GPTModel.explainNextToken` prints): the candidates'
    /// probabilities before and after temperature, top-k and top-p, and the token chosen.
    /// It draws from `generator` exactly as `choose` does, so a caller that keeps the stream of
    /// `rowGenerator(seed:row:)` across steps explains the very tokens `GPTModel.generate` picks.
    /// - Parameters:
    ///   - logits: the model's logits for the last position, [V]
    ///   - history: the tokens so far (for the repetition penalty)
    ///   - config: the sampler's settings (`config.problem` must be nil)
    ///   - candidates: how many rows to show, best first (at least 1)
    ///   - contextLength: the number of tokens the model read (for the heading)
    ///   - decode: a token's text for the table
    ///   - generator: the sampling stream; one draw is taken from it when `config.doSample`
    /// - Returns: the candidates' probabilities after each step, and the token chosen
    public static func explain(_ logits: [Double], history: [Int], config: GenerationConfig, candidates count: Int,
                               contextLength: Int, decode: ((Int) -> String)? = nil,
                               using generator: inout SeededGenerator) -> NextTokenExplanation {
        if let problem = config.problem { modelFailure("Sampling.explain", problem) }
        if count < 1 { modelFailure("Sampling.explain", "candidates must be at least 1, not \(count)") }
        var logits = logits
        applyRepetitionPenalty(&logits, history: history, penalty: config.repetitionPenalty)
        let raw = softmax(logits)
        var scaled = logits
        applyTemperature(&scaled, config.temperature)
        let tempered = softmax(scaled)
        if let k = config.topK { applyTopK(&scaled, k) }
        let afterK = softmax(scaled)
        if let p = config.topP { applyTopP(&scaled, p) }
        let afterP = softmax(scaled)
        let chosen = config.doSample ? draw(afterP, using: &generator) : argmax(logits)
        let order = topIndices(raw, count: count)
        let rows = order.map {
            NextTokenExplanation.Candidate(token: $0, text: decode?($0), logit: logits[$0], probability: raw[$0],
                                           afterTemperature: tempered[$0], afterTopK: afterK[$0], afterTopP: afterP[$0])
        }
        return NextTokenExplanation(config: config, contextLength: contextLength, candidates: rows,
                                    survivors: afterP.filter { $0 > 0 }.count, chosen: chosen, chosenText: decode?(chosen))
    }

    /// The sampling stream of batch row `row`: row 0 uses `seed` itself, so a prompt alone and the
    /// first prompt of a batch draw alike, and no row's draws depend on its batch-mates.
    public static func rowGenerator(seed: UInt64, row: Int) -> SeededGenerator {
        SeededGenerator(seed: seed &+ UInt64(row) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// The probabilities of `logits` (−∞ gives 0), computed stably in Double.
    public static func softmax(_ logits: [Double]) -> [Double] {
        let largest = logits.max() ?? 0
        guard largest > -.infinity else { return logits.map { _ in 0 } }
        var p = logits.map { Foundation.exp($0 - largest) }
        let sum = p.reduce(0, +)
        for i in p.indices { p[i] /= sum }
        return p
    }

    /// The index of the largest logit (the first, if tied).
    public static func argmax(_ logits: [Double]) -> Int {
        var best = 0
        for i in logits.indices where logits[i] > logits[best] { best = i }
        return best
    }

    /// One draw from `probabilities` (which sum to 1): the first index whose running sum passes a
    /// uniform number in [0, 1) made from 53 bits of the generator.
    public static func draw(_ probabilities: [Double], using generator: inout SeededGenerator) -> Int {
        let u = Double(generator.next() >> 11) * 0x1p-53
        var cumulative = 0.0
        var last = 0
        for (i, p) in probabilities.enumerated() where p > 0 {
            cumulative += p
            last = i
            if u < cumulative { return i }
        }
        return last                                            // rounding left u just above the total
    }
}

/// One generation step laid open: the most likely candidates and their probabilities after each
/// step of the sampler, and the token that was drawn. Print it (`description`).
public struct NextTokenExplanation: CustomStringConvertible, Sendable {
    /// One candidate token.
    public struct Candidate: Sendable {
        /// The token id.
        public var token: Int
        /// The token's text, when a decoder was given.
        public var text: String?
        /// The model's logit (after the repetition penalty).
        public var logit: Double
        /// softmax(logits).
        public var probability: Double
        /// softmax(logits ÷ T).
        public var afterTemperature: Double
        /// After top-k (0: cut).
        public var afterTopK: Double
        /// After top-p as well (0: cut): the distribution the draw used.
        public var afterTopP: Double
    }

    /// The settings explained.
    public var config: GenerationConfig
    /// The number of tokens the model read.
    public var contextLength: Int
    /// The highest-probability candidates, best first.
    public var candidates: [Candidate]
    /// How many tokens survived top-k and top-p.
    public var survivors: Int
    /// The token chosen (greedy: the largest logit; sampling: drawn from the top-p column).
    public var chosen: Int
    /// The chosen token's text.
    public var chosenText: String?

    /// A table: one row per candidate, one column per step, then the token drawn.
    public var description: String {
        var lines: [String] = []
        let k = config.topK.map(String.init) ?? "off", p = config.topP.map { String($0) } ?? "off"
        lines.append("next token after \(contextLength) tokens (temperature \(config.temperature), top-k \(k), "
                     + "top-p \(p), repetition penalty \(config.repetitionPenalty))")
        // The token column is as wide as its longest name, so a long BPE token keeps the columns aligned.
        let names = candidates.map { candidate in candidate.text.map { quoted($0) } ?? "#\(candidate.token)" }
        let nameWidth = Swift.max(14, (names.map(\.count).max() ?? 0) + 2)
        lines.append(pad("rank", 5) + pad("token", nameWidth) + pad("logit", 9) + pad("p", 9)
                     + pad("softmax(logit/T)", 18) + pad("top-k", 9) + "top-p")
        for (rank, (candidate, name)) in zip(candidates, names).enumerated() {
            lines.append(pad("\(rank + 1)", 5) + pad(name, nameWidth) + pad(format(candidate.logit, 2), 9)
                         + pad(format(candidate.probability, 4), 9) + pad(format(candidate.afterTemperature, 4), 18)
                         + pad(format(candidate.afterTopK, 4), 9) + format(candidate.afterTopP, 4))
        }
        if config.doSample {
            lines.append("\(survivors) tokens can be drawn; drawn: " + (chosenText.map { quoted($0) + " " } ?? "")
                         + "(id \(chosen))")
        } else {
            lines.append("greedy (doSample is false): temperature, top-k and top-p are not applied; chosen: "
                         + (chosenText.map { quoted($0) + " " } ?? "") + "(id \(chosen)), the largest logit")
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    private func format(_ x: Double, _ digits: Int) -> String {
        x.isFinite ? String(format: "%.\(digits)f", x) : (x < 0 ? "-inf" : "inf")
    }

    private func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t") + "\""
    }
}

/// The indices of the `count` largest values, largest first (ties: the lower index first).
func topIndices(_ values: [Double], count: Int) -> [Int] {
    var best: [Int] = []
    for i in values.indices {
        if best.count == count && values[i] <= values[best[count - 1]] { continue }
        var at = best.count
        while at > 0 && values[best[at - 1]] < values[i] { at -= 1 }
        best.insert(i, at: at)
        if best.count > count { best.removeLast() }
    }
    return best
}
