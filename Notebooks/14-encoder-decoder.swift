// %% [markdown]
// # Lesson 14 · The encoder-decoder
//
// A GPT is half of the original transformer. The 2017 paper, "Attention Is All You Need",
// was about translation, and its model has two halves: an **encoder** that reads the whole
// source sentence at once, every word looking at every other, and a **decoder** that writes
// the target one token at a time, like a GPT, but with one more attention in each block:
// **cross-attention**, whose queries come from the target and whose keys and values come
// from the encoder's output. That is how the decoder reads the source while it writes.
//
// This lesson trains one on a task small enough to learn in a few seconds, reversing a word,
// then opens it up: the padding mask of a batch of different lengths, the encoder's output,
// cross-attention built from scratch and checked against the library's, a heatmap of where
// the decoder looks, and translations by greedy and beam search.
//
// Run it with `swift run -c release lesson 14`; its rendered copy is
// `Notebooks/Rendered/14-encoder-decoder.md`.

// %%
import Backprop
import Foundation
import GPT
import NDArray
import NN
import Notebook

// %% [markdown]
// ## The task: reverse a word
//
// The source is a word of 3 to 7 letters from a…h; the target is the same word backwards.
// One vocabulary serves both sides (the model still has a table for each): three special
// tokens, then the letters, so V = 11.
//
// - `<pad>` (0) fills short sequences up to the batch's longest; attention never looks at it.
// - `<bos>` (1), "beginning of sequence", is the decoder's first input: it has to start from
//   something before it has written anything.
// - `<eos>` (2), "end of sequence", is the decoder's last output: the model itself says
//   when the target is done, so it can write targets of any length.

// %%
cell()
let (pad, bos, eos) = (0, 1, 2)
let letters = Array("abcdefgh")
let vocabSize = 3 + letters.count                                             // V = 11
func encode(_ word: String) -> [Int] { word.map { letters.firstIndex(of: $0)! + 3 } }
func decode(_ ids: [Int]) -> String { String(ids.filter { $0 >= 3 }.map { letters[$0 - 3] }) }
func randomWord(using rng: inout SeededGenerator) -> String {
    let length = 3 + Int(rng.next(below: 5))                                  // 3 … 7 letters
    return String((0..<length).map { _ in letters[Int(rng.next(below: UInt64(letters.count)))] })
}
var rng = SeededGenerator(seed: 14)
for _ in 0..<3 {
    let word = randomWord(using: &rng)
    print(word.padding(toLength: 8, withPad: " ", startingAt: 0), "→", String(word.reversed()).padding(toLength: 8, withPad: " ", startingAt: 0),
          "ids", encode(word), "→", encode(String(word.reversed())))
}

// %% [markdown]
// ## A batch: padding and teacher forcing
//
// Training shows the decoder the right answer shifted by one, *teacher forcing*, as a GPT
// is trained: its input is `<bos>` and the reversed word, and at each position it must
// predict the next token, the reversed word and `<eos>`. So all positions train at once.
//
// Sources of different lengths are padded with `<pad>` to the longest, S; the decoder's
// inputs and targets to T = S + 1. A padded target position gets −100, the index the loss
// ignores (PyTorch's convention).

// %%
cell()
func batch(_ words: [String]) -> (src: NDArray<Int>, tgtIn: NDArray<Int>, targets: NDArray<Int>) {
    let s = words.map(\.count).max()!
    var src: [Int] = [], tgtIn: [Int] = [], targets: [Int] = []
    for word in words {
        let source = encode(word), answer = Array(source.reversed())
        let padding = Array(repeating: pad, count: s - source.count)
        src += source + padding                                               // S
        tgtIn += [bos] + answer + padding                                     // T = S + 1
        targets += answer + [eos] + Array(repeating: -100, count: s - source.count)
    }
    let b = words.count
    return (NDArray(shape: [b, s], scalars: src), NDArray(shape: [b, s + 1], scalars: tgtIn),
            NDArray(shape: [b, s + 1], scalars: targets))
}
let example = batch(["abcdefg", "hed"])
print("src [B, S]:", example.src.shape)
print(example.src)
print("tgtIn [B, T]: <bos> + the answer")
print(example.tgtIn)
print("targets [B, T]: the answer + <eos>, −100 where padded")
print(example.targets)

// %% [markdown]
// ## The masks
//
// Attention adds a mask to its scores before the softmax: 0 where a query may look, −∞
// where it may not (e^−∞ = 0). The encoder and cross-attention need only the **padding
// mask**: −∞ at the source's `<pad>` positions. It is [B, 1, 1, S], so that it broadcasts
// over the heads and the queries of the [B, NH, T, S] scores. From scratch it is one
// `where`; the library's is `createPaddingMask(tokenIds:padId:)` (or `model.paddingMask`).

// %%
cell()
let (b, s) = (example.src.shape[0], example.src.shape[1])
let myPaddingMask = NDArray<Float>.where(example.src .== pad, -.infinity, 0).reshaped(b, 1, 1, s)
let libraryPaddingMask: NDArray<Float> = createPaddingMask(tokenIds: example.src, padId: pad)
print("padding mask [B, 1, 1, S]:", myPaddingMask.shape, "  the same as the library's:", myPaddingMask == libraryPaddingMask)
print(myPaddingMask[.all, 0, 0])                                              // [B, S]

// %% [markdown]
// The decoder's self-attention needs more: the causal mask of a GPT (no looking ahead at
// the answer it is being taught), plus the target's own padding. The sum broadcasts
// [T, T] + [B, 1, 1, T] to [B, 1, T, T]. Here it is for the short word, "hed": every row
// sees the tokens up to its own, and no row sees the padding (the padded rows are
// ignored by the loss anyway).

// %%
cell()
let t = example.tgtIn.shape[1]
let causal: NDArray<Float> = createCausalMask(seqLen: t)                      // [T, T]
let targetPadding: NDArray<Float> = createPaddingMask(tokenIds: example.tgtIn, padId: pad)   // [B, 1, 1, T]
let selfMask = causal + targetPadding                                         // [B, 1, T, T]
print("self-attention mask:", selfMask.shape)
print(selfMask[1, 0])

// %% [markdown]
// ## The model
//
// `EncoderDecoderTransformer` is the original design, pre-norm: token embeddings times √C
// plus fixed sinusoidal positions on both sides; encoder blocks (self-attention that looks
// both ways, with the padding mask, then a ReLU feed-forward); decoder blocks (masked
// self-attention, cross-attention, feed-forward); a LayerNorm after each stack; and a
// projection onto the target vocabulary. Ours is small: one block on each side, two heads,
// C = 64, and a feed-forward 2C wide rather than 4C, to train quickly.
//
// `encode` runs the encoder once over the whole source: its output, the **memory**, is one
// C-vector per source token, [B, S, C]. `decode` runs the decoder over the target given
// the memory, [B, T] → [B, T, V].

// %%
cell()
let config = EncoderDecoderConfig(srcVocabSize: vocabSize, tgtVocabSize: vocabSize, maxSeqLen: 8,
                                  numEncoderLayers: 1, numDecoderLayers: 1, numHeads: 2, hiddenDim: 64,
                                  ffnDim: 128, dropout: 0, padId: pad)
let model = EncoderDecoderTransformer<Float>(config: config, using: &rng)
print("parameters:", grouped(model.parameterCount))
let memory = model.encode(example.src)
print("memory = encode(src):", memory.shape, "[B, S, C]")
let logits = model.decode(example.tgtIn, memory: memory, memoryMask: model.paddingMask(example.src))
print("decode(tgtIn, memory):", logits.shape, "[B, T, V]")
print("the same as model(src:tgt:):", logits == model(src: example.src, tgt: example.tgtIn))

// %% [markdown]
// ## Training
//
// `lossAndGradients(src:tgtIn:targets:into:)` runs the model forward, takes the mean
// cross-entropy over the targets that are not −100, and runs the backward through the
// decoder, the cross-attention (whose gradient for the memory flows into the encoder)
// and the encoder. The loop around it is lesson 12's: AdamW, a warmup then cosine
// learning rate, gradients clipped to norm 1. Each step draws 32 random words; 40 words
// are kept aside, never trained on, to test with afterwards. An even guess among the 11
// tokens would score ln 11 ≈ 2.398; the untrained model starts above that, because its
// random logits are not even, and are confidently wrong.

// %%
cell()
var heldOut: [String] = []
while heldOut.count < 40 {
    let word = randomWord(using: &rng)
    if !heldOut.contains(word) { heldOut.append(word) }
}
let steps = 300
var optimizer = Adam<Float>.adamW(learningRate: 0, weightDecay: 0.01)
let schedule = LearningRateSchedule.warmupCosine(maxLR: 1e-2, warmupSteps: 20, decaySteps: steps, minLR: 1e-3)
var gradients = Gradients(zerosFor: model)
var losses: [(Int, Double)] = []
let started = Date()
for step in 0..<steps {
    var words: [String] = []
    while words.count < 32 {
        let word = randomWord(using: &rng)
        if !heldOut.contains(word) { words.append(word) }
    }
    let (src, tgtIn, targets) = batch(words)
    gradients.zero()
    let loss = model.lossAndGradients(src: src, tgtIn: tgtIn, targets: targets, into: &gradients)
    clipGradients(&gradients, maxNorm: 1)
    optimizer.learningRate = schedule.learningRate(at: step)
    optimizer.step(model, gradients)
    losses.append((step, loss))
    if step % 50 == 0 || step == steps - 1 { print("step \(step): loss", String(format: "%.3f", loss)) }
}
printMeasured(String(format: "%d steps in %.1f s", steps, Date().timeIntervalSince(started)))
print(renderLossCurve(train: losses, width: 50, height: 8))
model.eval()

// %% [markdown]
// ## Cross-attention, from scratch
//
// Now the trained model's one decoder block, on the two-word batch from above. Its input is
// the target's embedding, table[ids]·√C plus the sinusoids, exactly as `decode` makes it;
// running the block and the model's last two layers on it must give the model's logits,
// which checks that we feed it the same thing.
//
// Inside the block, cross-attention sits between self-attention and the feed-forward:
// its queries are the (normalised) target states [B, T, C], its keys and values the
// memory [B, S, C]. One `qkv` matrix [3C, C] holds all three projections: rows 0..<C make
// queries, C..<2C keys, 2C..<3C values. The scores are [B, NH, T, S]: a target position
// against every source position, so T and S need not be equal. The padding mask hides the
// source's `<pad>`.

// %%
cell()
let c = config.hiddenDim, nh = config.numHeads, hs = c / nh
let block = model.decoder[0]
let embedded = model.tgtEmbedding(example.tgtIn) * Float(c).squareRoot() + model.positions(seqLen: t)   // [B, T, C]
let memoryMask = model.paddingMask(example.src)                               // [B, 1, 1, S]
let trainedMemory = model.encode(example.src)                                 // [B, S, C]
let blockRun = block.forwardWithWeights(embedded, memory: trainedMemory, mask: selfMask, memoryMask: memoryMask)
let viaBlock = model.lmHead(model.decoderNorm(blockRun.output))
print("block → decoderNorm → lmHead agrees with model(src:tgt:) within 1e-5:",
      viaBlock.allClose(to: model(src: example.src, tgt: example.tgtIn), absoluteTolerance: 1e-5))

// The block's first step (self-attention, the library's), then cross-attention by hand.
let normed = block.ln1(embedded)
let afterSelf = embedded + block.selfAttn(query: normed, key: normed, value: normed, mask: selfMask)
let h = block.ln2(afterSelf)                                                  // the queries' input [B, T, C]
let w = block.crossAttn.qkv.weight, bias = block.crossAttn.qkv.bias!          // [3C, C], [3C]
func split(_ x: NDArray<Float>) -> NDArray<Float> {                           // [B, L, C] → [B, NH, L, HS]
    x.reshaped(x.shape[0], x.shape[1], nh, hs).permuted(0, 2, 1, 3)
}
let q = split(matmul(h, w[0..<c].T) + bias[0..<c])                            // from the target: [B, NH, T, HS]
let k = split(matmul(trainedMemory, w[c..<(2 * c)].T) + bias[c..<(2 * c)])    // from the source: [B, NH, S, HS]
let v = split(matmul(trainedMemory, w[(2 * c)...].T) + bias[(2 * c)...])      // [B, NH, S, HS]
let scores = matmul(q, k.swappedAxes(-1, -2)) / Float(hs).squareRoot() + memoryMask   // [B, NH, T, S]
let crossWeights = scores.softmax(axis: -1)
let mixed = matmul(crossWeights, v).permuted(0, 2, 1, 3).reshaped(b, t, c)    // [B, T, C]
let crossOut = matmul(mixed, block.crossAttn.proj.weight.T) + block.crossAttn.proj.bias!
print("q", q.shape, " k", k.shape, " v", v.shape, " weights", crossWeights.shape)

let library = block.crossAttn.forwardWithWeights(query: h, key: trainedMemory, value: trainedMemory, mask: memoryMask)
print("our weights agree with the library's cross-attention within 1e-5:",
      crossWeights.allClose(to: library.weights, absoluteTolerance: 1e-5),
      "  and with the block's:", crossWeights.allClose(to: blockRun.crossWeights, absoluteTolerance: 1e-5))
print("our output agrees within 1e-5:", crossOut.allClose(to: library.output, absoluteTolerance: 1e-5))
print("weight on the short word's padding:", crossWeights[1, .all, .all, 3...].max())

// %% [markdown]
// ## Where the decoder looks
//
// Each row is one step of writing "gfedcba": the token fed in, and the one it must predict.
// Each column is a letter of the source. To write the i-th letter of the reversed word,
// the decoder needs the source's i-th letter from the end, so a model that has learned the
// task should look along the anti-diagonal. In the last row, where it must write `<eos>`,
// both heads look at the source's first letter: the one just written, where the reversal
// ends. (The weights are rounded to two decimals before drawing, so that the picture does
// not depend on the last bits of the floats.)

// %%
cell()
let fed = example.tgtIn[0].scalars, wanted = example.targets[0].scalars
let rowLabels = zip(fed, wanted).map { input, output in
    (input == bos ? "<bos>" : decode([input])) + " → " + (output == eos ? "<eos>" : decode([output]))
}
let columnLabels = example.src[0].scalars.map { decode([$0]) }
for head in 0..<nh {
    let map = Heatmap(rowLabels: rowLabels, columnLabels: columnLabels,
                      title: "cross-attention, head \(head): \"abcdefg\" (columns) read while writing (rows)")
    print(map.render(round(crossWeights[0, head], decimals: 2)))             // [T, S]
    print("")
}

// %% [markdown]
// The same with numbers rather than shades: for each step of writing, the source position
// each head weighs most, beside the position of the letter it must write (S − 1 − i for
// the i-th, S = 7).

// %%
cell()
func row(_ label: String, _ values: [Int]) {
    print(label.padding(toLength: 18, withPad: " ", startingAt: 0) + values.map(String.init).joined(separator: " "))
}
row("step i", Array(0..<7))
for head in 0..<nh {
    row("head \(head) looks at", Array(crossWeights[0, head].argmax(axis: -1).scalars.prefix(7)))   // [T] → first 7
}
row("the letter is at", (0..<7).map { 6 - $0 })

// %% [markdown]
// ## Translating: greedy and beam search
//
// `generate(src:bos:eos:config:)` encodes each source once, then runs the decoder from
// `<bos>`, one token per step with a KV cache on its self-attention, until `<eos>`. Greedy
// takes the likeliest token each step; beam search keeps the 3 likeliest partial targets
// and picks the best finished one. The words below were never trained on. On a task this
// easy the two agree; beam search earns its cost when the likeliest first token leads to
// a poor sentence.

// %%
cell()
let shown = Array(heldOut.prefix(6))
let greedy = model.generate(src: shown.map(encode), bos: bos, eos: eos, config: .greedy(maxNewTokens: 8))
let beams = model.generate(src: shown.map(encode), bos: bos, eos: eos, config: .beamSearch(numBeams: 3, maxNewTokens: 8))
print("source    greedy    beam search (3)")
for (word, (g, bs)) in zip(shown, zip(greedy, beams)) {
    let ended = g.last == eos && bs.last == eos ? "" : "  (no <eos>)"
    print(word.padding(toLength: 10, withPad: " ", startingAt: 0) + decode(g).padding(toLength: 10, withPad: " ", startingAt: 0)
          + decode(bs) + ended)
}
let all = model.generate(src: heldOut.map(encode), bos: bos, eos: eos, config: .greedy(maxNewTokens: 8))
let right = zip(heldOut, all).filter { word, out in out == [bos] + encode(String(word.reversed())) + [eos] }.count
print("greedy, exactly right on the held-out words: \(right) of \(heldOut.count)")
print("the raw tokens of the first:", greedy[0])

// %% [markdown]
// ## What you built, and where the library does it
//
// - The padding and causal masks: `Sources/NN/Masks.swift`.
// - Cross-attention (queries from one sequence, keys and values from another, one `qkv`
//   matrix read in two products): `Sources/NN/MultiHeadAttention.swift`; the block around
//   it: `Sources/NN/DecoderBlock.swift`; the encoder's block is `Sources/NN/EncoderBlock.swift`
//   (a TransformerBlock called with a padding mask instead of a causal one).
// - The whole model (embeddings ·√C, sinusoids, the two stacks, the projection):
//   `Sources/GPT/Model/EncoderDecoder.swift`; its loss and backward:
//   `Sources/GPT/Training/EncoderDecoderBackward.swift`; greedy and beam search:
//   `Sources/GPT/Generation/EncoderDecoderGeneration.swift` (on `Generation.swift`'s loop and
//   `BeamSearch.swift`). The tests check it against
//   PyTorch's `nn.TransformerEncoderLayer` / `nn.TransformerDecoderLayer`
//   (`Tests/GPTTests/EncoderDecoderTests.swift`).
//
// ## Exercises
//
// This lesson has no exercise of its own; rebuild its two parts (`swift run exercises next`,
// see docs/Exercises.md): `17-multi-head-attention` (cross-attention is it, with the keys
// and values from the encoder) and `10-causal-mask` (the decoder's self-attention mask).
//
// ## In the walkthrough
//
// The tour has no encoder-decoder. Its chapter 4 is the decoder-only half, a GPT taken
// apart one forward pass at a time: `swift run -c release walkthrough --chapter gpt`.
