// %% [markdown]
// # Lesson 9 · Sampling: from logits to the next token
//
// A forward pass ends with logits [B, T, V]: for every position, one score per entry of
// the vocabulary. Writing text needs one more decision per step: which token comes next.
// Always taking the best one (greedy) is safe and dull; drawing at random from the
// softmax is lively and sometimes absurd. Everything in between is a way of *reshaping*
// the distribution before the draw: temperature, top-k, top-p and the repetition penalty.
// Beam search takes another road and keeps several continuations alive at once.
//
// This lesson takes one fixed set of logits and runs every method on it, from scratch,
// drawing each resulting distribution as bars and checking it against the library's
// sampler (`Sources/GPT/Generation/Sampling.swift`). Every draw comes from a
// `SeededGenerator`, so this page prints the same on every machine.
//
// Run this lesson with `swift run -c release lesson 09`; its rendered copy, with every
// output, is `Notebooks/Rendered/09-sampling.md`.

// %%
import Foundation
import GPT
import NDArray
import Notebook

// %% [markdown]
// ## One set of logits
//
// Say a model has read "the cat sat on the mat, and then the cat sat on the", and, to keep
// the page short, that its vocabulary has only the ten words below (V = 10). Its logits for
// the next word are the last position's row of [B, T, V]. The softmax turns them into
// probabilities: exponentiate, divide by the sum. Subtracting the largest logit first
// changes nothing mathematically and keeps exp from overflowing.

// %%
cell()
let words = ["mat", "floor", "sofa", "bed", "chair", "roof", "table", "cat", "moon", "piano"]
let logits: [Double] = [3.1, 2.6, 2.3, 1.9, 1.6, 1.0, 0.6, -0.4, -1.0, -1.5]

func softmax(_ logits: [Double]) -> [Double] {
    let largest = logits.max()!
    let e = logits.map { exp($0 - largest) }          // exp(−∞) = 0: a token that was cut gets 0
    let total = e.reduce(0, +)
    return e.map { $0 / total }
}

func bar(_ p: Double, scale: Double = 60) -> String { String(repeating: "█", count: Int((p * scale).rounded())) }
func pad(_ s: String, _ width: Int) -> String { s.padding(toLength: max(width, s.count), withPad: " ", startingAt: 0) }
func printTrimmed(_ line: String) {                       // without the spaces a padded last column leaves
    var line = line
    while line.last == " " { line.removeLast() }
    print(line)
}
func chart(_ probabilities: [Double], note: (Int) -> String = { _ in "" }) {
    for (i, p) in probabilities.enumerated() {
        printTrimmed(pad(words[i], 7) + String(format: "%.3f  ", p) + pad(bar(p), 34) + note(i))
    }
}

let probabilities = softmax(logits)
chart(probabilities) { String(format: "logit %5.2f", logits[$0]) }
print("sums to 1:", abs(probabilities.reduce(0, +) - 1) < 1e-12)
print("agrees with Sampling.softmax within 1e-12:",
      zip(probabilities, Sampling.softmax(logits)).allSatisfy { abs($0 - $1) < 1e-12 })

// %% [markdown]
// ## Greedy: always the most likely
//
// Greedy decoding takes the argmax and never draws. Here that is "mat" every time. It is
// what you want for a short factual answer, and what makes long texts loop: once a phrase
// is the most likely continuation of itself, greedy repeats it forever. The library's
// `GenerationConfig.greedy()` does the same, through `Sampling.choose`, which also returns
// the log-probability of what it picked.

// %%
cell()
func greedy(_ logits: [Double]) -> Int {
    var best = 0
    for i in logits.indices where logits[i] > logits[best] { best = i }   // the first of equals wins
    return best
}
var unused = SeededGenerator(seed: 0)                                      // greedy never draws from it
let chosen = Sampling.choose(NDArray(logits), history: [], config: .greedy(), using: &unused)
print("greedy by hand:", words[greedy(logits)], "  Sampling.choose:", words[chosen.token],
      String(format: "  log p = %.4f = log %.4f", chosen.logProbability, probabilities[chosen.token]))

// %% [markdown]
// ## Temperature: sharper or flatter
//
// Dividing the logits by a temperature T before the softmax keeps their order but changes
// the gaps between them. T < 1 widens the gaps, so the favourite takes more; T > 1 narrows
// them, so the long tail gets a real chance. T → 0 is greedy, T → ∞ is a uniform draw.
// Here are the same ten logits at three temperatures, each bar 24 characters for a
// probability of 1. The entropy H = −Σ p·ln p measures the spread; e^H reads as "as
// uncertain as a fair choice among this many words".

// %%
cell()
func withTemperature(_ logits: [Double], _ t: Double) -> [Double] { logits.map { $0 / t } }
let temperatures = [0.5, 1.0, 2.0]
let tempered = temperatures.map { softmax(withTemperature(logits, $0)) }
printTrimmed(pad("", 7) + temperatures.map { pad("T = \($0)", 22) }.joined())
for i in words.indices {
    let columns = tempered.map { pad(pad(bar($0[i], scale: 24), 16) + String(format: "%.2f", $0[i]), 22) }
    printTrimmed(pad(words[i], 7) + columns.joined())
}
func entropy(_ p: [Double]) -> Double { -p.filter { $0 > 0 }.reduce(0) { $0 + $1 * log($1) } }
printTrimmed(pad("e^H", 7) + tempered.map { pad(String(format: "%.1f words", exp(entropy($0))), 22) }.joined())

var agree = true
for t in temperatures {
    var theirs = logits
    Sampling.applyTemperature(&theirs, t)
    agree = agree && zip(withTemperature(logits, t), theirs).allSatisfy { abs($0 - $1) < 1e-12 }
}
print("agrees with Sampling.applyTemperature:", agree)

// %% [markdown]
// ## The draw
//
// Sampling itself is one uniform number u in [0, 1) and a walk along the probabilities:
// the first token whose running sum passes u is drawn. The library makes u from the top
// 53 bits of its generator (a Double has 53 bits of mantissa), and so do we, so the same
// seed draws the same words. A thousand draws at T = 1 land in proportion to the
// probabilities.

// %%
cell()
func draw(_ probabilities: [Double], using generator: inout SeededGenerator) -> Int {
    let u = Double(generator.next() >> 11) * 0x1p-53          // 53 random bits → [0, 1)
    var cumulative = 0.0
    for (i, p) in probabilities.enumerated() {
        cumulative += p
        if u < cumulative { return i }
    }
    return probabilities.lastIndex { $0 > 0 }!                // rounding left u just above the total
}
var ours = SeededGenerator(seed: 9), theirs = SeededGenerator(seed: 9)
let drawsByHand = (0..<1000).map { _ in draw(probabilities, using: &ours) }
let drawsLibrary = (0..<1000).map { _ in Sampling.draw(probabilities, using: &theirs) }
print("first twelve draws:", drawsByHand.prefix(12).map { words[$0] }.joined(separator: " "))
print("all 1000 draws equal Sampling.draw's from the same seed:", drawsByHand == drawsLibrary)
print("how often each word was drawn, against its probability:")
let counts = words.indices.map { word in drawsByHand.filter { $0 == word }.count }
chart(counts.map { Double($0) / 1000 }) { String(format: "%4d draws, p = %.3f", counts[$0], probabilities[$0]) }

// %% [markdown]
// ## Top-k: only the k best
//
// Even a good model gives every word a little probability, and over hundreds of draws
// the tail gets picked now and then: "the cat sat on the piano". Top-k keeps only the k
// highest logits (and any tied with the k-th), sets the rest to −∞, and renormalises.
// With k = 3:

// %%
cell()
func topK(_ logits: [Double], _ k: Int) -> [Double] {
    let threshold = logits.sorted(by: >)[min(k, logits.count) - 1]        // the k-th largest
    return logits.map { $0 >= threshold ? $0 : -.infinity }
}
let afterTopK = softmax(topK(logits, 3))
chart(afterTopK) { afterTopK[$0] > 0 ? String(format: "was %.3f", probabilities[$0]) : "cut" }
var libraryTopK = logits
Sampling.applyTopK(&libraryTopK, 3)
print("agrees with Sampling.applyTopK:", topK(logits, 3) == libraryTopK)

// %% [markdown]
// Top-k's weakness is that k is fixed: when the model is sure, three candidates are too
// many; when it hesitates between twenty good words, three are too few.
//
// ## Top-p (nucleus): the smallest set that covers p
//
// Top-p adapts. Sort the tokens by probability and keep the most likely ones until their
// probabilities add up to at least p; cut the rest. A confident distribution keeps one or
// two tokens, a flat one keeps many. With p = 0.9:

// %%
cell()
func topP(_ logits: [Double], _ p: Double) -> [Double] {
    let probabilities = softmax(logits)
    let order = logits.indices.sorted {                                   // most likely first, ties by index
        probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1)
    }
    var kept = Set<Int>(), cumulative = 0.0
    for i in order where cumulative < p {                                 // stop once the kept ones reach p
        kept.insert(i)
        cumulative += probabilities[i]
    }
    return logits.indices.map { kept.contains($0) ? logits[$0] : -.infinity }
}
var running = 0.0
print("rank  word   p      running sum")
for (rank, i) in probabilities.indices.sorted(by: { probabilities[$0] > probabilities[$1] }).enumerated() {
    let before = running
    running += probabilities[i]
    print(pad("\(rank + 1)", 6) + pad(words[i], 7) + String(format: "%.3f  %.3f  ", probabilities[i], running)
          + (before < 0.9 ? "kept" : "cut"))
}
let afterTopP = softmax(topP(logits, 0.9))
chart(afterTopP) { afterTopP[$0] > 0 ? String(format: "was %.3f", probabilities[$0]) : "cut" }
var libraryTopP = logits
Sampling.applyTopP(&libraryTopP, 0.9)
print("agrees with Sampling.applyTopP:", topP(logits, 0.9) == libraryTopP)

// %% [markdown]
// A token is kept when the tokens before it had not yet reached p, so the last kept token
// is the one that carries the sum past 0.9.
//
// ## The repetition penalty
//
// The text so far already holds "mat" and "cat". The repetition penalty θ (from the CTRL
// paper) makes every token already in the text less likely: a positive logit is divided by
// θ, a negative one multiplied by θ. Dividing a negative logit would move it towards zero,
// making the token *more* likely, hence the two cases. With θ = 1.5:

// %%
cell()
let history = [7, 0, 7]                                   // the words of the text so far: cat, mat, cat
func penalise(_ logits: [Double], history: [Int], _ theta: Double) -> [Double] {
    var out = logits
    for token in Set(history) {
        out[token] = out[token] > 0 ? out[token] / theta : out[token] * theta
    }
    return out
}
let penalised = penalise(logits, history: history, 1.5)
let afterPenalty = softmax(penalised)
chart(afterPenalty) {
    guard history.contains($0) else { return "" }
    return String(format: "logit %.2f → %.2f, p was %.3f", logits[$0], penalised[$0], probabilities[$0])
}
var libraryPenalty = logits
Sampling.applyRepetitionPenalty(&libraryPenalty, history: history, penalty: 1.5)
print("agrees with Sampling.applyRepetitionPenalty:", zip(penalised, libraryPenalty).allSatisfy { abs($0 - $1) < 1e-12 })

// %% [markdown]
// "mat" is no longer the favourite: "floor" is. The penalty counts a token once however
// often it appeared (the library takes `Set(history)`, as Hugging Face does).
//
// ## All of it together, in the library's order
//
// `GenerationConfig` holds every knob, and `Sampling.process` applies them in Hugging
// Face's order: repetition penalty, temperature, top-k, top-p; then the softmax and the
// draw. `Sampling.explain` lays one step open as a table, and draws from the generator
// exactly as generation would.

// %%
cell()
var config = GenerationConfig.sampling(temperature: 0.8, topK: 5, topP: 0.9, seed: 42)
config.repetitionPenalty = 1.5
let byHand = topP(topK(withTemperature(penalise(logits, history: history, 1.5), 0.8), 5), 0.9)
var processed = logits
Sampling.process(&processed, history: history, config: config)
print("our pipeline agrees with Sampling.process:", zip(byHand, processed).allSatisfy { $0 == $1 || abs($0 - $1) < 1e-12 })

var stream = Sampling.rowGenerator(seed: config.seed, row: 0)          // the stream generation uses for row 0
let explanation = Sampling.explain(logits, history: history, config: config, candidates: 10, contextLength: 13,
                                   decode: { words[$0] }, using: &stream)
print(explanation)
var ourStream = Sampling.rowGenerator(seed: config.seed, row: 0)
print("our draw from the same stream:", words[draw(softmax(byHand), using: &ourStream)])

// %% [markdown]
// Read the table left to right: the penalty has already lowered "mat" and "cat" in the
// logit column; T = 0.8 sharpens; top-k cuts everything below "chair"; top-p then keeps
// only the words whose running sum had not yet reached 0.9, and the draw picks among them.
//
// A model's own logits go through the same steps: `GPTModel.explainNextToken` runs the
// forward pass on a prompt and prints this table for its last position (it is what
// `walkthrough generate --explain` prints before every token). Here it is on a small,
// untrained model whose vocabulary is our ten words, its weights scaled up so that its
// guesses are sharper than a new model's; what it prefers means nothing, the mechanics
// are the same. We check the table's last column against our pipeline run on the model's
// logits.

// %%
cell()
var modelRNG = SeededGenerator(seed: 16)
let model = GPTModel<Float>(config: GPTConfig(vocabSize: 10, maxSeqLen: 16, numLayers: 1, numHeads: 2,
                                              hiddenDim: 16, dropout: 0), using: &modelRNG)
model.updateParameters { _, value in value = value * 5 }                 // sharper logits than a new model's
let prompt = [7, 2, 0]                                                   // "cat sofa mat"
let modelTable = model.explainNextToken(prompt, config: config, candidates: 5) { words[$0] }
print(modelTable)
let last = model(NDArray(shape: [1, prompt.count], scalars: prompt))[0, prompt.count - 1].scalars.map(Double.init)
let ourModelDistribution = softmax(topP(topK(withTemperature(penalise(last, history: prompt, 1.5), 0.8), 5), 0.9))
print("the top-p column agrees with our pipeline on the model's logits:",
      modelTable.candidates.allSatisfy { abs($0.afterTopP - ourModelDistribution[$0.token]) < 1e-5 })

// %% [markdown]
// ## Beam search: several continuations at once
//
// Greedy picks the best next token, which is not the same as the best sequence: a first
// word that is slightly less likely can open a much more likely continuation. Beam search
// keeps the k best partial sequences (the *beams*), scored by the sum of their tokens' log
// probabilities. Each step it extends every beam by every token and keeps the k best of
// all those candidates. With k = 1 it is greedy.
//
// A tiny hand-made "model" shows the difference: a table of next-word probabilities that
// depend only on the last word. After "<s>", "the" (0.5) beats "a" (0.4); but after "the"
// the model hesitates between "cat" (0.36) and "dog" (0.34), while after "a" it is sure of
// "cat" (0.9). Any probability a row does not list is spread evenly over the other words.

// %%
cell()
let toyWords = ["<s>", "the", "a", "cat", "dog", "sat", "ran"]
let listed: [[Int: Double]] = [
    [1: 0.5, 2: 0.4],                  // after <s>: the, a
    [3: 0.36, 4: 0.34],                // after the: cat, dog
    [3: 0.9],                          // after a: cat
    [5: 0.6, 6: 0.3],                  // after cat: sat, ran
    [6: 0.5, 5: 0.4],                  // after dog: ran, sat
    [:], [:],                          // after sat, ran: anything
]
func toyLogProbabilities(_ sequence: [Int]) -> [Double] {
    let row = listed[sequence.last!]
    let rest = (1 - row.values.reduce(0, +)) / Double(toyWords.count - row.count)
    return toyWords.indices.map { log(row[$0] ?? rest) }
}

typealias Beam = (tokens: [Int], logProbability: Double)
func beamSearch(_ prompt: [Int], beams k: Int, steps: Int, _ next: ([Int]) -> [Double],
                trace: (([Beam]) -> Void)? = nil) -> Beam {
    var beams: [Beam] = [([], 0)]
    for _ in 0..<steps {
        var candidates: [Beam] = []
        for beam in beams {                                               // every beam × every token
            let logp = next(prompt + beam.tokens)
            for token in logp.indices { candidates.append((beam.tokens + [token], beam.logProbability + logp[token])) }
        }
        let ranked = candidates.indices.sorted {                          // best first; ties: the earlier candidate
            candidates[$0].logProbability > candidates[$1].logProbability
                || (candidates[$0].logProbability == candidates[$1].logProbability && $0 < $1)
        }
        beams = ranked.prefix(k).map { candidates[$0] }
        trace?(beams)
    }
    return beams[0]
}

func describe(_ beam: Beam, _ names: [String]) -> String {
    beam.tokens.map { names[$0] }.joined(separator: " ")
        + String(format: " (Σ log p = %.3f, p = %.3f)", beam.logProbability, exp(beam.logProbability))
}
for k in [1, 2] {
    print(k == 1 ? "greedy (k = 1):" : "beam search, k = 2:")
    var step = 0
    let best = beamSearch([0], beams: k, steps: 3, toyLogProbabilities) { beams in
        step += 1
        print("  step \(step): " + beams.map { describe($0, toyWords) }.joined(separator: " | "))
    }
    print("  → " + describe(best, toyWords))
}

// %% [markdown]
// Greedy committed to "the" and then had only a 0.36 to follow it with; beam search kept
// "a" alive as the second beam, and at step 2 "a cat" (0.4 × 0.9 = 0.36) overtook every
// continuation of "the". The sequence it found is twice as likely as greedy's.
//
// The library's beam search (`Sources/GPT/Generation/BeamSearch.swift`) runs on a model:
// `generate(prompts:config:)` with `numBeams` above 1. It does the same search batched
// (all k beams in one forward pass, the KV cache following the surviving beams) and adds
// stop tokens and a length penalty, which do not come into play here. Running our
// `beamSearch` on the small model above, with its forward pass as the `next` function,
// gives the same sequences as the library's greedy and beam search.

// %%
cell()
func logProbabilities(of model: GPTModel<Float>, after sequence: [Int]) -> [Double] {
    let logits = model(NDArray(shape: [1, sequence.count], scalars: sequence))[0, sequence.count - 1]
    let values = logits.scalars.map(Double.init)
    let largest = values.max()!
    let logSum = largest + log(values.reduce(0) { $0 + exp($1 - largest) })
    return values.map { $0 - logSum }                                     // log softmax
}
let ourGreedy = beamSearch(prompt, beams: 1, steps: 4) { logProbabilities(of: model, after: $0) }
let ourBeam = beamSearch(prompt, beams: 3, steps: 4) { logProbabilities(of: model, after: $0) }
let libraryGreedy = model.generate(prompts: [prompt], config: .greedy(maxNewTokens: 4))
let libraryBeam = model.generate(prompts: [prompt], config: .beamSearch(numBeams: 3, maxNewTokens: 4))
print("greedy:        " + describe(ourGreedy, words))
print("beam, k = 3:   " + describe(ourBeam, words))
print("greedy tokens equal generate(.greedy)'s:", ourGreedy.tokens == libraryGreedy.newTokens[0],
      " its Σ log p:", abs(ourGreedy.logProbability - libraryGreedy.scores[0]) < 1e-4)
print("beam tokens equal generate(.beamSearch(numBeams: 3))'s:", ourBeam.tokens == libraryBeam.newTokens[0],
      " its score Σ log p / length:", abs(ourBeam.logProbability / 4 - libraryBeam.scores[0]) < 1e-4)

// %% [markdown]
// On the model too, beam search found a sequence six times as likely as greedy's (0.110
// against 0.018) by starting from a word greedy passed over, "roof" instead of "mat".
// Notice also what it found: the same word three times. Beam search is what translation
// and summarisation systems use, where one best answer is wanted. For open-ended text it
// tends to find bland, repetitive sequences like this one (high probability is not the
// same as interesting), which is why chat models sample with a temperature and top-p.
//
// ## What you built, and where the library does it
//
// - `softmax`, `greedy`, `withTemperature`, `topK`, `topP`, `penalise` and `draw` are
//   `Sampling.softmax`, `argmax`, `applyTemperature`, `applyTopK`, `applyTopP`,
//   `applyRepetitionPenalty` and `draw` in `Sources/GPT/Generation/Sampling.swift`, where
//   `Sampling.process` chains them and `GenerationConfig` holds the settings.
// - The table is `Sampling.explain` (same file); `GPTModel.explainNextToken` and the
//   generation loop are in `Sources/GPT/Generation/Generation.swift`.
// - `beamSearch` is `runBeamSearch` in `Sources/GPT/Generation/BeamSearch.swift`.
//
// ## Exercises
//
// Rebuild it yourself (`swift run exercises next`, see docs/Exercises.md): `22-sampling`.
//
// ## In the walkthrough
//
// Chapter 4's step "The next token: candidates, temperature, top-k, top-p, the draw" does
// this on a trained model: `swift run -c release walkthrough --chapter gpt`. To sample from
// a model you trained, with every knob of this lesson as a flag and `--explain` to print
// the table before each token: `swift run -c release walkthrough generate DIR` (see
// docs/Walkthrough.md).
