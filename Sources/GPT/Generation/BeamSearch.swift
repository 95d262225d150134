// BeamSearch.swift — keeping the k best continuations instead of one.
//
//   beams (k sequences, each with Σ log p) ─ forward all k in one batch [k, V]
//   ─ every beam × every token → the 2k best candidates by Σ log p (more with several stop tokens)
//   ─ a candidate ending in a stop token is finished: score Σ log p / length^lengthPenalty
//   ─ the best k of the rest become the next beams; the cache follows them (reorder)
//
// Greedy decoding can miss a sequence whose first token is slightly less
// likely but whose continuation is far more likely; beam search keeps k
// partial sequences alive. Longer sequences collect more negative log
// probabilities, so finished ones are compared after dividing by
// length^lengthPenalty, applied once, when a beam finishes. The search stops
// when k beams have finished and no running beam could still beat the worst
// of them (Hugging Face's rule with early_stopping=False), or at maxNewTokens.
//
// Depends on: Generation.swift (IncrementalDecoder), Sampling.swift. EncoderDecoderGeneration.swift uses it too.
// Not here: diverse or constrained beam search, sampling beams.

import Foundation
import NDArray

/// A finished or running hypothesis.
struct BeamHypothesis {
    var newTokens: [Int]
    /// Σ log p of newTokens.
    var logProbability: Double
    /// logProbability / length^lengthPenalty.
    var score: Double
    var stopReason: GenerationResult.StopReason
}

extension GPTModel {
    /// Beam search from one prompt; returns the best hypothesis.
    @_specialize(where Scalar == Float)
    func beamSearch(prompt: [Int], config: GenerationConfig,
                    onLogits: ((_ step: Int, _ logits: NDArray<Scalar>) -> Void)?) -> BeamHypothesis {
        let decoder = IncrementalDecoder(model: self, useCache: config.useCache, padTokenId: config.padTokenId)
        return runBeamSearch(config: config, history: { prompt + $0 }, onLogits: onLogits,
                             start: { decoder.start([prompt]) },
                             step: { sources, beams in
                                 decoder.reorder(rows: sources)
                                 return decoder.step(beams.map { prompt + $0 })
                             })
    }
}

/// The search itself, for any model that can score a batch of continuations.
/// - Parameters:
///   - history: the whole sequence of a beam's new tokens (for the repetition penalty)
///   - start: the logits [1, V] after the prompt
///   - step: given, for each new beam, the index of the beam it extends, and every new beam's
///     tokens, the logits [k, V] of each new beam's next token (the model's cache must follow `sources`)
@_specialize(where Scalar == Float)
func runBeamSearch<Scalar: NDFloatingPoint>(
    config: GenerationConfig, history: ([Int]) -> [Int],
    onLogits: ((_ step: Int, _ logits: NDArray<Scalar>) -> Void)?,
    start: () -> NDArray<Scalar>, step: (_ sources: [Int], _ beams: [[Int]]) -> NDArray<Scalar>
) -> BeamHypothesis {
    let k = config.numBeams
    // Enough candidates that k survive even if every stop token is among the best (Hugging Face's rule).
    let candidateCount = Swift.max(2, 1 + config.stopTokens.count) * k
    func normalized(_ logProbability: Double, length: Int) -> Double {
        logProbability / Foundation.pow(Double(Swift.max(length, 1)), config.lengthPenalty)
    }
    var beams = [BeamHypothesis(newTokens: [], logProbability: 0, score: 0, stopReason: .maxNewTokens)]
    var finished: [BeamHypothesis] = []
    guard config.maxNewTokens > 0 else { return beams[0] }
    var logits = start()                                                      // [1, V] at first, then [k, V]
    for stepIndex in 0..<config.maxNewTokens {
        onLogits?(stepIndex, logits)
        // Every beam × every token, scored by the beam's Σ log p plus the token's log p.
        var candidates: [(beam: Int, token: Int, logProbability: Double)] = []
        for (b, beam) in beams.enumerated() {
            // As Hugging Face's beam search: log-softmax first, then the penalty on the log-probabilities
            // (all negative, so multiplied by θ), not renormalised.
            var logp = logSoftmax(logits[b].scalars.map(Double.init))
            Sampling.applyRepetitionPenalty(&logp, history: history(beam.newTokens), penalty: config.repetitionPenalty)
            for token in topIndices(logp, count: candidateCount) {
                candidates.append((b, token, beam.logProbability + logp[token]))
            }
        }
        candidates.sort { $0.logProbability > $1.logProbability
            || ($0.logProbability == $1.logProbability && ($0.beam, $0.token) < ($1.beam, $1.token)) }
        var next: [BeamHypothesis] = []
        var sources: [Int] = []
        for (rank, candidate) in candidates.prefix(candidateCount).enumerated() {
            let tokens = beams[candidate.beam].newTokens + [candidate.token]
            if config.stopTokens.contains(candidate.token) {
                if rank < k {                                                  // as Hugging Face: only the top k may finish
                    finished.append(BeamHypothesis(newTokens: tokens, logProbability: candidate.logProbability,
                                                   score: normalized(candidate.logProbability, length: tokens.count),
                                                   stopReason: .stopToken))
                }
            } else {
                next.append(BeamHypothesis(newTokens: tokens, logProbability: candidate.logProbability,
                                           score: 0, stopReason: .maxNewTokens))
                sources.append(candidate.beam)
            }
            if next.count == k { break }
        }
        finished.sort { $0.score > $1.score }
        if finished.count > k { finished.removeLast(finished.count - k) }
        beams = next
        if beams.isEmpty { break }
        if finished.count == k,
           let best = beams.map({ normalized($0.logProbability, length: stepIndex + 1) }).max(),
           finished[k - 1].score >= best { break }                             // no running beam can win
        if stepIndex == config.maxNewTokens - 1 { break }
        logits = step(sources, beams.map(\.newTokens))
    }
    for beam in beams {
        finished.append(BeamHypothesis(newTokens: beam.newTokens, logProbability: beam.logProbability,
                                       score: normalized(beam.logProbability, length: beam.newTokens.count),
                                       stopReason: .maxNewTokens))
    }
    return finished.max { $0.score < $1.score }!
}

/// log softmax of a row, in Double.
func logSoftmax(_ values: [Double]) -> [Double] {
    let largest = values.max() ?? 0
    guard largest > -.infinity else { return values }
    let logSum = Foundation.log(values.reduce(0) { $0 + Foundation.exp($1 - largest) }) + largest
    return values.map { $0 - logSum }
}
