// %% [markdown]
// # Lesson 7 · Attention, from scratch
//
// Attention is the one place in a GPT where tokens look at each other. Each token asks a
// question (its query q), each token offers a label (its key k) and a content (its
// value v). A token's output is an average of the values, weighted by how well its query
// matches each key. This lesson builds it step by step: the scores q·kᵀ/√HS, the causal
// and padding masks, the softmax, the weighted sum, then the split into heads and back.
// Each step is checked against the library, and at the end each head's weights are drawn
// as a heatmap over a short sentence.
//
// Run this lesson with `swift run -c release lesson 07`; its rendered copy, with every
// output, is `Notebooks/Rendered/07-attention.md`.

// %%
import Foundation
import NDArray
import NN
import Notebook

// %% [markdown]
// ## Scores: every query against every key
//
// Two sequences (B = 2) of T = 4 tokens, one head for now (NH = 1), HS = 8 numbers per
// query, key and value: q, k and v are [B, NH, T, HS], drawn at random. The score of
// query i against key j is their dot product. All of them at once is one matmul with the
// keys transposed: [B, NH, T, HS]·[B, NH, HS, T] → [B, NH, T, T]. `swappedAxes(-1, -2)`
// is that transpose, a view (lesson 1).

// %%
cell()
var rng = SeededGenerator(seed: 7)
let (B, T, HS) = (2, 4, 8)
let q = NDArray<Float>.normal([B, 1, T, HS], using: &rng)       // [B, NH, T, HS]
let k = NDArray<Float>.normal([B, 1, T, HS], using: &rng)
let v = NDArray<Float>.normal([B, 1, T, HS], using: &rng)
let scores = matmul(q, k.swappedAxes(-1, -2)) / sqrt(Float(HS))  // [B, NH, T, T]
print("scores", scores.shape)
print(round(scores[0, 0], decimals: 3))
var one: Float = 0                                               // one entry, as a loop
for c in 0..<HS { one += q[0, 0, 1, c].item() * k[0, 0, 2, c].item() }
print("query 1 · key 2 / √8 by a loop:", String(format: "%.3f", one / sqrt(Float(HS))))

// %% [markdown]
// Why divide by √HS? A dot product of HS random numbers of variance 1 has variance HS,
// so its typical size grows with the head. Large scores make the softmax pick one key and
// ignore the rest before anything is learned. Dividing by √HS brings the spread back to
// about 1, whatever HS is:

// %%
cell()
let wideQ = NDArray<Float>.normal([1000, 64], using: &rng)
let wideK = NDArray<Float>.normal([1000, 64], using: &rng)
let raw = (wideQ * wideK).sum(axis: -1)                          // 1000 dot products, HS = 64
print("std of q·k, HS = 64:", String(format: "%.2f", raw.std()),
      "  after dividing by √64:", String(format: "%.2f", (raw / 8).std()))

// %% [markdown]
// ## The causal mask: no looking ahead
//
// A GPT predicts each next token from the ones before it, so token i may not see tokens
// j > i. The mask is additive: 0 where a query may look, −∞ where it may not, added to
// the scores. After the softmax e^−∞ = 0, so the future gets no weight at all, however
// well it matches. By hand, then the library's `createCausalMask`:

// %%
cell()
var causal = NDArray<Float>.zeros([T, T])                        // [T, T]
for i in 0..<T {
    for j in (i + 1)..<T { causal[i, j] = NDArray(-Float.infinity) }
}
print(causal)
print("the same as createCausalMask:", causal == createCausalMask(seqLen: T))

// %% [markdown]
// ## Softmax, then the weighted sum of values
//
// Add the mask (a [T, T] mask broadcasts over [B, NH, T, T]), and turn each row into
// weights that are positive and sum to 1: the softmax, e^x / Σ e^x, after taking the
// row's maximum out so that nothing overflows (lesson 4). Row i's weights then mix the
// values: output = weights · v, [B, NH, T, T]·[B, NH, T, HS] → [B, NH, T, HS].

// %%
cell()
func attention(_ q: NDArray<Float>, _ k: NDArray<Float>, _ v: NDArray<Float>, mask: NDArray<Float>)
    -> (output: NDArray<Float>, weights: NDArray<Float>) {
    let headSize = Float(q.shape[q.ndim - 1])
    let scores = matmul(q, k.swappedAxes(-1, -2)) / sqrt(headSize) + mask      // [B, NH, Tq, Tk]
    let e = exp(scores - scores.max(axis: -1, keepDims: true))                 // e^−∞ = 0
    let weights = e / e.sum(axis: -1, keepDims: true)                          // each row sums to 1
    return (matmul(weights, v), weights)                                        // [B, NH, Tq, HS]
}
let (output, weights) = attention(q, k, v, mask: causal)
print("weights of sequence 0:")
print(round(weights[0, 0], decimals: 4))
print("row sums:", round(weights.sum(axis: -1)[0, 0], decimals: 4))
print("output", output.shape, " row 0 is v's row 0:", output[0, 0, 0] == v[0, 0, 0])

// %% [markdown]
// Token 0 can only see itself, so its output is its own value; the last token mixes all
// four. The library's `ScaledDotProductAttention` does the same in three public steps,
// `scores`, `weights` (their softmax) and `forward` (weights · v, with dropout on the
// weights while training):

// %%
cell()
let sdpa = ScaledDotProductAttention<Float>()                    // no dropout
print("scores agree within 1e-5:", abs(sdpa.scores(query: q, key: k) - scores).max() < 1e-5)
let maskedScores = sdpa.scores(query: q, key: k, mask: causal)
let sameInfinities = (maskedScores .== -Float.infinity) == (scores + causal .== -Float.infinity)
print("masked: −∞ in the same places:", sameInfinities)
print("weights agree within 1e-6:", abs(sdpa.weights(query: q, key: k, mask: causal) - weights).max() < 1e-6)
let library = sdpa.forward(query: q, key: k, value: v, mask: causal)
print("output agrees within 1e-5:", abs(library.output - output).max() < 1e-5)

// %% [markdown]
// (We compare the scores before the mask: after it both hold −∞ in the same places, and
// −∞ − (−∞) is NaN, which no tolerance accepts.)
//
// ## The padding mask: a batch with a shorter sequence
//
// A batch is one array, so its sequences must have one length. A shorter sequence is
// filled up with padding tokens, and no query may look at them: the padding mask puts −∞
// on the padded keys of each sequence. Here sequence 0 has 4 real tokens and sequence 1
// only 2. The mask is [B, 1, 1, T]: one row per sequence, with singleton axes so that it
// broadcasts over the heads and the queries. Added to the causal mask, it gives
// [B, 1, T, T].

// %%
cell()
let lengths = [4, 2]
var padding = NDArray<Float>.zeros([B, 1, 1, T])                 // [B, 1, 1, T]
for b in 0..<B {
    for j in lengths[b]..<T { padding[b, 0, 0, j] = NDArray(-Float.infinity) }
}
print(padding)
print("the same as createPaddingMask:", padding == createPaddingMask(seqLengths: lengths, maxLen: T))
let both = causal + padding                                      // [T, T] + [B, 1, 1, T] → [B, 1, T, T]
print("causal + padding:", both.shape)
let padded = attention(q, k, v, mask: both)
print("weights of sequence 1:")
print(round(padded.weights[1, 0], decimals: 4))
let libraryPadded = sdpa.forward(query: q, key: k, value: v, mask: both)
print("the library agrees within 1e-5:", abs(libraryPadded.output - padded.output).max() < 1e-5)
print("sequence 0 unchanged:", padded.weights[0] == weights[0])

// %% [markdown]
// Keys 2 and 3 of sequence 1 get weight 0 in every row. Rows 2 and 3 are the padding's own
// queries: they still look at the real tokens, and whatever they compute is thrown away
// (the loss ignores padded positions). Sequence 0 is unchanged.

// %% [markdown]
// ## Heads: C channels as NH heads of HS
//
// A model's tokens are [B, T, C]. Multi-head attention cuts each token's C channels into
// NH groups of HS = C / NH, and lets each group attend on its own, with its own scores
// and weights. Reshaping [B, T, C] to [B, T, NH, HS] names the groups; moving the head
// axis forward, [B, NH, T, HS], puts each head's T × HS block together, the shape
// attention wants. Both are views: no number moves. Merging goes back the other way, and
// has to copy, because the heads' numbers must sit side by side again. Channels 0 … 7 of
// 3 tokens (token t holds 10t + c), NH = 2:

// %%
cell()
func splitHeads(_ x: NDArray<Float>, heads: Int) -> NDArray<Float> {          // [B, T, C] → [B, NH, T, HS]
    let (b, t, c) = (x.shape[0], x.shape[1], x.shape[2])
    return x.reshaped(b, t, heads, c / heads).permuted(0, 2, 1, 3)
}
func mergeHeads(_ x: NDArray<Float>) -> NDArray<Float> {                       // [B, NH, T, HS] → [B, T, C]
    let (b, heads, t, hs) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    return x.permuted(0, 2, 1, 3).reshaped(b, t, heads * hs)
}
let tokens = NDArray<Float>.arange(3).reshaped(1, 3, 1) * 10 + NDArray<Float>.arange(8)   // [1, 3, 8]
let split = splitHeads(tokens, heads: 2)
print("split", split.shape, "  a view of the tokens:", split.sharesStorage(with: tokens))
print("head 0:\n\(split[0, 0])\nhead 1:\n\(split[0, 1])")
print("merged back:", mergeHeads(split) == tokens)

var layerRNG = SeededGenerator(seed: 7)
let small = MultiHeadAttention<Float>(hiddenDim: 8, numHeads: 2, dropout: 0, using: &layerRNG)
print("MultiHeadAttention's splitHeads agrees:", small.splitHeads(tokens) == split,
      " mergeHeads:", small.mergeHeads(split) == tokens)

// %% [markdown]
// Head 0 got channels 0 … 3 of every token, head 1 channels 4 … 7.
//
// ## Multi-head attention, by hand
//
// Now the whole layer. `MultiHeadAttention` holds two weights: `qkv` [3C, C], which makes
// each token's query, key and value in one product (rows 0 ..< C give q, C ..< 2C give
// k, 2C ..< 3C give v), and `proj` [C, C], which mixes the merged heads. Its forward:
// project, split, attend per head, merge, project. By hand, on x [B, T, C] = [2, 4, 8]
// with the causal and padding masks, using the layer's own weights (seeded, untrained):

// %%
cell()
let C = 8
let x = NDArray<Float>.normal([B, T, C], using: &rng)            // [B, T, C]
let qkv = matmul(x, small.qkv.weight.T)                           // [B, T, C]·[C, 3C] → [B, T, 3C]
let (myQ, myK, myV) = (splitHeads(qkv[.ellipsis, 0..<C], heads: 2),
                       splitHeads(qkv[.ellipsis, C..<(2 * C)], heads: 2),
                       splitHeads(qkv[.ellipsis, (2 * C)..<(3 * C)], heads: 2))   // [B, NH, T, HS] each
let perHead = attention(myQ, myK, myV, mask: both)                 // [B, NH, T, HS], weights [B, NH, T, T]
let y = matmul(mergeHeads(perHead.output), small.proj.weight.T)   // [B, T, C]·[C, C] → [B, T, C]

let (libQ, libK, libV) = small.heads(query: x, key: x, value: x)
print("q, k, v per head", libQ.shape, "agree within 1e-5:",
      [abs(libQ - myQ).max(), abs(libK - myK).max(), abs(libV - myV).max()].allSatisfy { $0 < 1e-5 })
let (libY, libWeights) = small.forwardWithWeights(query: x, key: x, value: x, mask: both)
print("weights", libWeights.shape, "agree within 1e-5:", abs(libWeights - perHead.weights).max() < 1e-5)
print("output", libY.shape, "agrees within 1e-5:", abs(libY - y).max() < 1e-5)
print("forward gives the same output:", small.forward(query: x, key: x, value: x, mask: both) == libY)
print("parameters:", small.namedParameters.map { "\($0.name) \($0.value.shape)" })

// %% [markdown]
// ## What each head looks at
//
// Random weights give heads with no particular job; training is what gives them jobs.
// To see heads with recognisable jobs without training, we write the weights by hand. The
// sentence "the cat sat on the mat" is 6 tokens of a 5-word vocabulary. Each token's
// vector x (C = 24) is the sum of two one-hot embeddings, as in lesson 6: channels 0 … 5
// say its position, channels 6 … 10 its word. NH = 4 heads of HS = 6, and each head's
// rows of `qkv.weight` are written so that:
//
// - head 0 looks at the **previous token**: its query is position t, its key is
//   position j moved up by one, so they match when j = t − 1;
// - head 1 looks at the **first token**: every query is "position 0", and only position
//   0 has that key;
// - head 2 looks at **the same word**: query and key are the word's one-hot, so "the"
//   finds every earlier "the";
// - head 3 has a zero query: every score is 0, and it takes a plain **average** of what
//   it may see.
//
// A query is multiplied by 12 to make the matches sharp (12/√6 ≈ 4.9 before the softmax).
// The four maps share one scale, weight 0 to 1 (`valueRange = 0...1`), so a shade means
// the same weight in each of them.

// %%
cell()
let words = ["the", "cat", "sat", "on", "the", "mat"]
let vocabulary = ["cat", "mat", "on", "sat", "the"]
let wordIDs = NDArray<Int>(shape: [1, 6], scalars: words.map { vocabulary.firstIndex(of: $0)! })
let (hidden, heads, headSize, sharp) = (24, 4, 6, Float(12))   // C, NH, HS
var tokenTable = NDArray<Float>.zeros([5, hidden])               // word w → channel 6 + w
var positionTable = NDArray<Float>.zeros([6, hidden])            // position p → channel p
for word in 0..<5 { tokenTable[word, 6 + word] = 1 }
for p in 0..<6 { positionTable[p, p] = 1 }
let positionIDs = NDArray<Int>.arange(6).reshaped(1, 6)
let sentence = Embedding(weight: tokenTable)(wordIDs)
    + Embedding(weight: positionTable)(positionIDs)              // [1, T, C]: word + position

var w = NDArray<Float>.zeros([3 * hidden, hidden])               // qkv.weight: rows of W_q, W_k, then W_v
func query(_ head: Int, _ slot: Int) -> Int { head * headSize + slot }          // a row of W_q
func key(_ head: Int, _ slot: Int) -> Int { hidden + head * headSize + slot }   // a row of W_k
for p in 0..<6 { w[query(0, p), p] = NDArray(sharp) }            // head 0: q = position t
for p in 0..<5 { w[key(0, p + 1), p] = 1 }                       //         k = position j + 1
for p in 0..<6 { w[query(1, 0), p] = NDArray(sharp) }            // head 1: q = "position 0" for every t
w[key(1, 0), 0] = 1                                              //         k = 1 at position 0 only
for word in 0..<5 {
    w[query(2, word), 6 + word] = NDArray(sharp)                 // head 2: q = the word
    w[key(2, word), 6 + word] = 1                                //         k = the word
}
for c in 0..<hidden { w[2 * hidden + c, c] = 1 }                // W_v = identity: v = x

let handmade = MultiHeadAttention<Float>(hiddenDim: hidden, numHeads: heads, dropout: 0, using: &layerRNG)
handmade.qkv.weight = w
let (_, headWeights) = handmade.forwardWithWeights(query: sentence, key: sentence, value: sentence,
                                                   mask: createCausalMask(seqLen: 6))      // [1, NH, T, T]
let jobs = ["the previous token", "the first token", "the same word", "an average"]
for h in 0..<heads {
    var map = Heatmap(rowLabels: words, columnLabels: words,
                      title: "head \(h), \(jobs[h]): row = the token looking, column = where it looks")
    map.valueRange = 0...1                                        // one scale for all four maps
    print(map.render(headWeights[0, h]))
    print()
}
print("\"mat\" looks back with weights:")
for h in 0..<heads {
    let row = headWeights[0, h, 5]
    let looks = (0..<6).map { "\(words[$0]) " + String(format: "%.2f", row[$0].item()) }
    print("  head \(h):", looks.joined(separator: "  "))
}

// %% [markdown]
// Each map shows its job. Row 0 ("the") may only see itself, so every head puts all its
// weight there. In head 0 the rest lies just left of the diagonal; in head 1 it is all in
// column 0; in head 2 on the diagonal, except the second "the", which splits its weight
// between both "the"s; head 3 fades as each row spreads over more tokens. A trained GPT
// finds heads like these on its own (previous-token heads and "attention sinks" on the
// first token are common in GPT-2), mixed with many that are harder to name.
//
// ## What you built, and where the library does it
//
// - `attention` is `ScaledDotProductAttention` in `Sources/NN/ScaledDotProductAttention.swift`:
//   its `scores`, `weights` and `forward` are the steps of ours (with dropout on the weights
//   while training).
// - The causal and padding masks are `createCausalMask` and `createPaddingMask` in
//   `Sources/NN/Masks.swift` (also the causal mask for queries after a KV cache, and a
//   padding mask from token ids).
// - `splitHeads`, `mergeHeads` and the by-hand layer are `MultiHeadAttention` in
//   `Sources/NN/MultiHeadAttention.swift`: `heads` (project and split, and rotate with
//   rotary positions), `splitHeads`, `mergeHeads`, `forward` and `forwardWithWeights`.
//
// ## Exercises
//
// Rebuild it yourself (`swift run exercises next`, see docs/Exercises.md):
// `10-causal-mask`, `15-attention`, `16-heads`, `17-multi-head-attention`.
//
// ## In the walkthrough
//
// Chapter 4 trains a small GPT on a copying task and draws each head of each layer as
// here, from the model's own `heads`, `scores` and `mergeHeads`:
// `swift run -c release walkthrough --chapter gpt`. For a saved model (a folder written by
// `walkthrough train FILE --out DIR`, or GPT-2's),
// `swift run -c release walkthrough attention DIR "TEXT"` draws every head over your text
// (`--scale log` brings out weights beside an attention sink).
