// %% [markdown]
// # Lesson 10 · The KV cache
//
// A GPT writes one token per forward pass. The simplest loop feeds the whole text back in
// every step: the prompt and everything generated so far, T tokens to get one new one.
// Most of that work is the same as the step before. Because of the causal mask, nothing a
// token computes ever depends on the tokens after it, so its keys and values, in every
// layer, are the same at every later step. The *KV cache* keeps them, and each step then
// feeds only the newest token. This lesson shows that the cached forward gives exactly
// the full forward's logits, builds one cached attention step from scratch, and measures
// what the cache saves per token as the context grows.
//
// Shapes use the legend: B batch, T sequence, C channels, NH heads, HS head size (C / NH),
// V vocabulary, L layers.
//
// Run this lesson with `swift run -c release lesson 10`; its rendered copy, with every
// output, is `Notebooks/Rendered/10-kv-cache.md`.

// %%
import Foundation
import GPT
import NDArray
import NN
import Notebook

// %% [markdown]
// ## What a step without a cache recomputes
//
// A small untrained GPT will do: the argument is about shapes and the mask, not about what
// the model knows. Run it on 5 tokens, then on the same 5 followed by 3 more, and compare
// what it computes for the first 5 positions: the embeddings and each block's output
// (`outputHiddenStates: true` returns them, [B, T, C] each).

// %%
cell()
var rng = SeededGenerator(seed: 10)
let config = GPTConfig(vocabSize: 64, maxSeqLen: 512, numLayers: 2, numHeads: 4, hiddenDim: 64, dropout: 0)
let model = GPTModel<Float>(config: config, using: &rng)
model.eval()
let (L, nh, hs, c, v) = (config.numLayers, config.numHeads, config.headDim, config.hiddenDim, config.vocabSize)
let tokens = NDArray<Int>.randomIntegers([1, 8], low: 0, high: v, using: &rng)       // [B, T] with B = 1
print("tokens", tokens)

let short = model.forward(tokens[.all, 0..<5], outputHiddenStates: true).hiddenStates
let long = model.forward(tokens, outputHiddenStates: true).hiddenStates
let names = ["embeddings"] + (0..<L).map { $0 == L - 1 ? "block \($0) and lnF" : "block \($0)" }
for (name, (a, b)) in zip(names, zip(short, long)) {
    let same = abs(a - b[.all, 0..<5]).max() < 1e-5
    print("positions 0..<5 after \(name):".padding(toLength: 38, withPad: " ", startingAt: 0),
          a.shape, "vs the first 5 of", b.shape, "→ the same:", same)
}

// %% [markdown]
// Appending three tokens changed nothing about the first five, in any layer. The reason is
// the causal mask: position j attends only to positions 0…j, the feed-forward network and
// the layer norms work on each position alone, so position j's vector in every layer is a
// function of tokens 0…j and nothing else. Its key and value in each layer are made from
// that vector, so they are fixed the moment token j is read. A step without a cache
// recomputes them all, every step, for nothing.
//
// ## Cached equals full
//
// A `GPTCache` holds one `KeyValueCache` per block. Passed to `forward`, it makes every
// attention layer append the new tokens' keys and values to what it holds and attend over
// all of them; the positions continue from the cache's count. Here the first 4 tokens go in
// at once (the prompt, "prefill"), then the rest one at a time, each step's logits compared
// with the full forward's row for the same position.

// %%
cell()
let full = model(tokens)                                                  // [1, 8, V]: every position at once
let cache = GPTCache<Float>(numLayers: L)
let prefill = model.forward(tokens[.all, 0..<4], cache: cache).logits    // [1, 4, V]
var allAgree = abs(prefill - full[.all, 0..<4]).max() < 1e-4
print("prefill: 4 tokens in, logits", prefill.shape, " cache now holds", cache.count, "tokens")
for t in 4..<8 {
    let step = model.forward(tokens[.all, t..<(t + 1)], cache: cache).logits   // [1, 1, V]: one token in
    let same = abs(step - full[.all, t..<(t + 1)]).max() < 1e-4
    allAgree = allAgree && same
    print("step: token \(t) in, logits", step.shape, " cache holds", cache.count,
          " equals the full forward's row \(t):", same)
}
print("every position's logits agree within 1e-4, the last token's included:", allAgree)

// %% [markdown]
// The tolerance is only for rounding: the cached step multiplies a [1, C] row where the
// full forward multiplies a [T, C] block, and floating-point sums in another order differ
// in the last bits. The library's tests check the same equality to 1e-5 for learned,
// sinusoidal and rotary positions, for padded batches and for beam search.
//
// ## What the cache holds
//
// Each layer keeps a key and a value per token and head: two arrays [B, NH, T, HS]. So
// every token costs 2 · L · NH · HS = 2 · L · C numbers, whatever the context. The model's
// `summary()` prints the same figure.

// %%
cell()
for (layer, kv) in cache.layers.enumerated() {
    print("layer \(layer): keys", kv.keys!.shape, " values", kv.values!.shape, " [B, NH, T, HS]")
}
let bytesPerToken = 2 * L * nh * hs * MemoryLayout<Float>.size
print("per token: 2 × \(L) layers × \(nh) heads × \(hs) = \(2 * L * nh * hs) numbers = \(bytesPerToken) bytes")
print(model.summary().split(separator: "\n").filter { $0.hasPrefix("KV cache") }[0])

func cacheBytesPerToken(_ config: GPTConfig) -> Int { 2 * config.numLayers * config.hiddenDim * MemoryLayout<Float>.size }
for (name, preset) in [("GPT-2 small", GPTConfig.gpt2Small), ("GPT-2 XL", GPTConfig.gpt2XL)] {
    let perToken = cacheBytesPerToken(preset)
    print("\(name): \(grouped(perToken)) bytes a token, \(grouped(perToken * preset.maxSeqLen / 1_048_576)) MB for a full "
          + "context of \(preset.maxSeqLen) (Float)")
}

// %% [markdown]
// That is the price of the cache: memory that grows with the context (and with the batch:
// B rows cost B times as much). For long contexts and big batches it is what fills a
// server's memory, which is why real systems page it, share it between requests or
// quantise it. Here it is 1 KB a token.
//
// ## One cached attention step, from scratch
//
// Inside a layer, a step with a cache is three moves: make the new token's query, key and
// value; append the key and value to the cached ones along the T axis; and attend with the
// one query over every cached key. No mask is needed: everything in the cache is in the new
// token's past. Here it is for block 0, with our own cache (two arrays, grown by
// `concatenate`), checked against the library's `KeyValueCache` inside the same attention
// layer.

// %%
cell()
let attn = model.blocks[0].attn
let ln1 = model.blocks[0].ln1
let prompt = tokens[.all, 0..<7]                                          // [B, T] with T = 7
let promptIn = ln1(model.wte(prompt) + model.wpe!(seqLen: 7))            // block 0's input, normalised: [B, T, C]
let newIn = ln1(model.wte(tokens[.all, 7...]) + model.wpe!(seqLen: 1, offset: 7))   // token 7: [B, 1, C]

func append(_ cached: NDArray<Float>?, _ new: NDArray<Float>) -> NDArray<Float> {
    guard let cached else { return new }
    return concatenate([cached, new], axis: 2)                            // [B, NH, past, HS] + [B, NH, 1, HS]
}
// Prefill: the prompt's keys and values go into our cache.
let (_, promptK, promptV) = attn.heads(query: promptIn, key: promptIn, value: promptIn)
var cachedK = append(nil, promptK), cachedV = append(nil, promptV)
print("after the prompt: keys", cachedK.shape, "values", cachedV.shape, " [B, NH, T, HS]")
// One step: the new token's q, k and v (its position is 7, the cache's count), appended, attended.
let (q, k, newV) = attn.heads(query: newIn, key: newIn, value: newIn, offset: 7)
cachedK = append(cachedK, k)
cachedV = append(cachedV, newV)
let scores = matmul(q, cachedK.swappedAxes(-1, -2)) / Float(hs).squareRoot()    // [B, NH, 1, T + 1]: no mask
let weights = scores.softmax(axis: -1)
let mixed = matmul(weights, cachedV)                                             // [B, NH, 1, HS]
let stepOut = attn.proj(attn.mergeHeads(mixed))                                  // [B, 1, C]
print("the new query", q.shape, "· keys", cachedK.shape, "→ weights", weights.shape, "→ output", stepOut.shape)

// The library: a KeyValueCache inside the same layer, the prompt first, then the one token.
let kv = KeyValueCache<Float>()
_ = attn(query: promptIn, key: promptIn, value: promptIn, mask: createCausalMask(seqLen: 7), cache: kv)
let (libraryOut, libraryWeights) = attn.forwardWithWeights(query: newIn, key: newIn, value: newIn, cache: kv)
print("our cache equals KeyValueCache's keys and values:",
      abs(cachedK - kv.keys!).max() < 1e-6 && abs(cachedV - kv.values!).max() < 1e-6)
print("our step equals the layer's cached forward within 1e-5:",
      abs(stepOut - libraryOut).max() < 1e-5 && abs(weights - libraryWeights).max() < 1e-5)
// And the full attention over all 8 tokens, whose last row is the same computation.
let allIn = concatenate([promptIn, newIn], axis: 1)                               // [B, T + 1, C]
let fullOut = attn(query: allIn, key: allIn, value: allIn, mask: createCausalMask(seqLen: 8))
print("our step equals the last row of attention over all 8 tokens within 1e-5:",
      abs(stepOut - fullOut[.all, 7...]).max() < 1e-5)

print("the new query's weights over the 8 keys, one row per head (position 7 is its own key):")
print(round(weights[0, .all, 0], decimals: 3))

// %% [markdown]
// Untrained, every head spreads its weight almost evenly, about 1/8 on each key; a trained
// model's rows are what lesson 7's heatmaps showed. The step attends over T + 1 keys with
// one query: its cost grows with T, but only linearly, and the [C, 3C], [C, C] and
// feed-forward products run on one row instead of T + 1. Rotary positions work the same
// way: the new q and k are rotated by position 7 (the `offset`), and the cached keys were
// rotated when they were made.
//
// ## The cost per token, counted and measured
//
// Count the floating-point operations of one step at context T (T tokens already read, one
// new; a multiply and an add are 2). Per layer, the new token's products cost 24C² (qkv 6C²,
// proj 2C², the feed-forward network 16C²) and its attention 4·(T + 1)·C (scores and the
// weighted sum over T + 1 keys); the output projection of the last position costs 2CV.
// Without the cache, the step is a full forward over T + 1 tokens: (T + 1)·24C² per layer
// for the products, and 4·(T + 1)²·C for attention, since every query meets every key
// (the mask only zeroes the weights afterwards). These counts are exact, not measured.

// %%
cell()
func flopsWithCache(_ cfg: GPTConfig, context t: Int) -> Int {
    let c = cfg.hiddenDim
    return cfg.numLayers * (24 * c * c + 4 * (t + 1) * c) + 2 * c * cfg.vocabSize
}
func flopsWithoutCache(_ cfg: GPTConfig, context t: Int) -> Int {
    let c = cfg.hiddenDim
    return cfg.numLayers * ((t + 1) * 24 * c * c + 4 * (t + 1) * (t + 1) * c) + 2 * c * cfg.vocabSize
}
let contexts = [32, 64, 128, 256, 448]
print("this model (L = \(L), C = \(c), V = \(v)), FLOPs for one new token")
func pad(_ s: String, _ width: Int) -> String { s.padding(toLength: max(width, s.count), withPad: " ", startingAt: 0) }
print(pad("T", 8) + pad("with the cache", 18) + pad("without", 16) + "ratio")
for t in contexts {
    let (with, without) = (flopsWithCache(config, context: t), flopsWithoutCache(config, context: t))
    print(pad("\(t)", 8) + pad(grouped(with), 18) + pad(grouped(without), 16)
          + String(format: "%.0f×", Double(without) / Double(with)))
}
let gpt2With = flopsWithCache(.gpt2Small, context: 1000), gpt2Without = flopsWithoutCache(.gpt2Small, context: 1000)
print(String(format: "GPT-2 small at T = 1000: %.2f GFLOP with the cache, %.1f GFLOP without (%.0f×)",
             Double(gpt2With) / 1e9, Double(gpt2Without) / 1e9, Double(gpt2Without) / Double(gpt2With)))

// %% [markdown]
// With the cache a step's cost is a constant (the products) plus a term linear in T (the
// attention): O(T). Without it, the products alone are linear in T and the attention is
// quadratic: O(T²) per step. Over a whole generation of N tokens, that is O(N²) against
// O(N³).
//
// Now the clock. `generate(prompts:config:onToken:)` calls `onToken` as each new token is
// chosen, so the time between two calls is one step: one forward pass and one choice.
// From a prompt of T tokens, with `useCache: true` and `false`, the median of those gaps is
// the time of one token at context T. The times are this machine's (marked ⏱); the greedy
// tokens are the same either way.

// %%
cell()
func secondsPerToken(_ model: GPTModel<Float>, _ prompt: [Int], useCache: Bool, newTokens: Int) -> Double {
    var settings = GenerationConfig.greedy(maxNewTokens: newTokens)
    settings.useCache = useCache
    var stamps: [UInt64] = []
    let result = model.generate(prompts: [prompt], config: settings) { _, _ in
        stamps.append(DispatchTime.now().uptimeNanoseconds)
    }
    precondition(result.newTokens[0].count == newTokens)
    let gaps = zip(stamps.dropFirst(), stamps).map { Double($0 - $1) / 1e9 }.sorted()
    return gaps[gaps.count / 2]                                           // the median step
}
_ = secondsPerToken(model, [1, 2, 3], useCache: true, newTokens: 5)     // a warm-up run, not shown
var sameTokens = true
for t in contexts {
    let context = NDArray<Int>.randomIntegers([t], low: 0, high: v, using: &rng).scalars     // a prompt of T tokens
    let with = secondsPerToken(model, context, useCache: true, newTokens: 33)
    let without = secondsPerToken(model, context, useCache: false, newTokens: 9)
    printMeasured(String(format: "T = %3d: %6.3f ms a token with the cache, %7.3f ms without (%.0f× slower)",
                         t, with * 1e3, without * 1e3, without / with))
    let cached = GenerationConfig.greedy(maxNewTokens: 9)
    var uncached = cached
    uncached.useCache = false
    sameTokens = sameTokens && model.generate(prompts: [context], config: cached).newTokens
        == model.generate(prompts: [context], config: uncached).newTokens
}
print("the same 9 greedy tokens with and without the cache, at every T:", sameTokens)

// %% [markdown]
// With the cache the time per token grows slowly with T: at this size the constant part
// (the products on one row and the fixed cost of a call) outweighs the attention over a
// few hundred keys. Without the cache it grows with T, and faster than linearly once the
// T² attention takes over. Your machine's figures differ from the ones rendered here; the
// shape of the two columns does not.
//
// One more rule of the library's loop: once a sequence fills the context (maxSeqLen), the
// oldest token must be dropped, and with learned positions every remaining token moves to a
// new position, so the cached keys no longer fit. From then on each step re-reads the last
// maxSeqLen tokens without the cache, as nanoGPT does every step.
//
// ## What you built, and where the library does it
//
// - `append` is `KeyValueCache.append(keys:values:)` in `Sources/NN/KeyValueCache.swift`,
//   which grows its storage by doubling and returns views, so a step copies only the new
//   token's keys and values; `reorder(rows:)` there lets beam search follow its beams.
// - The cached attention step is `MultiHeadAttention.forwardWithWeights(…, cache:)` in
//   `Sources/NN/MultiHeadAttention.swift` (`heads(…, offset:)` positions the new token).
// - `GPTCache` (one `KeyValueCache` per block) and `forward(_:attentionMask:cache:…)` are in
//   `Sources/GPT/Model/GPTModel.swift`; the memory line is `summary()` in
//   `Sources/GPT/Model/Summary.swift`.
// - The generation loop, prefill then one token a step, the cache or (`useCache: false`)
//   none, and the sliding window once the context is full, is `IncrementalDecoder` in
//   `Sources/GPT/Generation/Generation.swift`; beam search reorders the cache in
//   `Sources/GPT/Generation/BeamSearch.swift`.
//
// ## Exercises
//
// Rebuild it yourself (`swift run exercises next`, see docs/Exercises.md): `23-kv-cache`.
//
// ## In the walkthrough
//
// Chapter 4 ends with "Generation with the KV cache, token by token":
// `swift run -c release walkthrough --chapter gpt`. On a model you trained,
// `swift run -c release walkthrough generate DIR --no-cache` recomputes every position at
// each step: compare its tokens per second with the default (docs/Walkthrough.md).
