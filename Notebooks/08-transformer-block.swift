// %% [markdown]
// # Lesson 8 · The transformer block and the GPT forward
//
// Lesson 7 built attention, the one place where tokens look at each other. A GPT wraps
// it in a *block*: a layer norm, attention, a residual add, another layer norm, a small
// feed-forward network and another residual add. Stack a few blocks between an embedding
// table and an output projection and you have the whole model. This lesson builds each
// piece from scratch (a Linear layer, GELU, the feed-forward network, the block) and then
// runs a small GPT's forward pass by hand, printing every shape on the way, until the
// logits agree with `GPTModel.forward`. It ends with the two numbers every model summary
// quotes: the parameter count and the loss before training.
//
// Shapes use the legend: B batch, T sequence, C channels, NH heads, HS head size (C / NH),
// V vocabulary.
//
// Run this lesson with `swift run -c release lesson 08`; its rendered copy, with every
// output, is `Notebooks/Rendered/08-transformer-block.md`.

// %%
import Foundation
import GPT
import NDArray
import NN
import Notebook

// %% [markdown]
// ## A Linear layer is x·Wᵀ + b
//
// Every product with a weight in a GPT is a `Linear` layer: each output feature is a
// weighted sum of the input features plus a bias. PyTorch, and this library, store the
// weight as [out, in], one row per output feature, so the product is with its transpose.
// Here it is first as three plain loops over the numbers, then as one `matmul`, and both
// checked against NN's `Linear`.

// %%
cell()
var rng = SeededGenerator(seed: 8)
let linear = Linear<Float>(inFeatures: 4, outFeatures: 3, using: &rng)
linear.bias = NDArray<Float>([0.5, -0.5, 1])                 // a bias that is not zero, so that it shows
let x = NDArray<Float>.normal([2, 3, 4], using: &rng)        // [B, T, C]: 2 sequences of 3 tokens, 4 wide

func linearByLoops(_ x: NDArray<Float>, weight: NDArray<Float>, bias: NDArray<Float>?) -> NDArray<Float> {
    let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
    let rows = x.count / inFeatures                         // every token of every sequence: B·T rows
    let (xs, w, b) = (x.scalars, weight.scalars, bias?.scalars)
    var y = [Float](repeating: 0, count: rows * outFeatures)
    for r in 0..<rows {
        for o in 0..<outFeatures {
            var sum = b?[o] ?? 0
            for i in 0..<inFeatures { sum += xs[r * inFeatures + i] * w[o * inFeatures + i] }
            y[r * outFeatures + o] = sum
        }
    }
    return NDArray(shape: Array(x.shape.dropLast()) + [outFeatures], scalars: y)
}

func linearByMatmul(_ x: NDArray<Float>, weight: NDArray<Float>, bias: NDArray<Float>?) -> NDArray<Float> {
    let y = matmul(x, weight.T)                             // [B, T, in]·[in, out] → [B, T, out]
    guard let bias else { return y }
    return y + bias                                         // [B, T, out] + [out]: broadcast over every token
}

let byLoops = linearByLoops(x, weight: linear.weight, bias: linear.bias)
let byMatmul = linearByMatmul(x, weight: linear.weight, bias: linear.bias)
let library = linear(x)
print("x", x.shape, "[B, T, C]   W", linear.weight.shape, "[out, in]   b", linear.bias!.shape, "[out]")
print("y", library.shape, "[B, T, out]")
print(round(library, decimals: 4))
print("loops agree with Linear within 1e-5:", abs(byLoops - library).max() < 1e-5)
print("matmul agrees with Linear within 1e-5:", abs(byMatmul - library).max() < 1e-5)

// %% [markdown]
// A block holds four of these: `attn.qkv` [3C, C] makes a query, key and value for each
// token in one product, `attn.proj` [C, C] mixes the heads back together, and the
// feed-forward network's `up` [4C, C] and `down` [C, 4C] widen each token and narrow it
// again.
//
// ## GELU, exact and in GPT-2's tanh form
//
// Between `up` and `down` sits the activation. GPT-2 uses GELU: x times the probability
// that a standard normal variable is below x, x·Φ(x). Large positive x passes almost
// unchanged, large negative x becomes 0, and near zero it bends smoothly, dipping a little
// below zero, where ReLU has a corner. Φ needs erf; GPT-2 was trained with a cheaper
// approximation built from tanh, and a checkpoint should be run with the form it was
// trained with.

// %%
cell()
func geluExact(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }
func geluTanh(_ x: Double) -> Double {
    0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
}
print("    x   relu    exact   tanh form   the exact form, 16 characters a unit")
for step in -6...5 {
    let v = Double(step) / 2
    let y = geluExact(v)
    let below = Int((-min(y, 0) * 16).rounded()), above = Int((max(y, 0) * 16).rounded())
    print(String(format: "%5.1f  %5.2f  %7.4f  %7.4f   ", v, max(v, 0), y, geluTanh(v))
          + String(repeating: " ", count: 4 - below) + String(repeating: "░", count: below) + "|"
          + String(repeating: "█", count: above))
}

// The library's: NDArray's `gelu(_:approximate:)` and NN's `GELU` layer, on 1201 points of [-6, 6].
let grid = NDArray<Double>.linspace(-6, 6, count: 1201)
let exactByHand = grid.map(geluExact), tanhByHand = grid.map(geluTanh)
print("exact form agrees with gelu(x) within 1e-9:", abs(exactByHand - gelu(grid)).max() < 1e-9)
print("tanh form agrees with GELU(approximate: true) within 1e-9:",
      abs(tanhByHand - GELU<Double>(approximate: true)(grid)).max() < 1e-9)
let lowest = exactByHand.argmin()
print(String(format: "the lowest point on the grid: gelu(%.2f) = %.4f", grid[lowest].item(), exactByHand[lowest].item()))
print(String(format: "the two forms differ by at most %.5f", abs(exactByHand - tanhByHand).max()))

// %% [markdown]
// The bars show the dip: GELU(−0.5) is −0.15, and the lowest point, at x = −0.75, is
// −0.17. The two forms never differ by more than half a thousandth, which is why a model
// trained with one runs nearly, but not exactly, the same with the other.
//
// ## The feed-forward network: [B, T, C] → [B, T, 4C] → [B, T, C]
//
// The feed-forward network is two Linear layers with GELU between: `up` widens each
// token's vector to 4C numbers, GELU bends them, `down` narrows them back to C. It works
// on each token alone. Here it is from the two functions above, checked against NN's
// `FeedForward`.

// %%
cell()
let ffn = FeedForward<Float>(hiddenDim: 4, ffnDim: 16, dropout: 0, activation: .geluTanh, using: &rng)
func feedForwardByHand(_ x: NDArray<Float>, _ ffn: FeedForward<Float>) -> NDArray<Float> {
    let up = linearByMatmul(x, weight: ffn.up.weight, bias: ffn.up.bias)              // [B, T, C] → [B, T, 4C]
    let bent = up.map { Float(geluTanh(Double($0))) }                                 // [B, T, 4C]
    return linearByMatmul(bent, weight: ffn.down.weight, bias: ffn.down.bias)         // [B, T, 4C] → [B, T, C]
}
let ffnOut = feedForwardByHand(x, ffn)
print("x", x.shape, "[B, T, C] → up", linearByMatmul(x, weight: ffn.up.weight, bias: ffn.up.bias).shape,
      "[B, T, 4C] → down", ffnOut.shape, "[B, T, C]")
print("agrees with FeedForward within 1e-5:", abs(ffnOut - ffn(x)).max() < 1e-5)

// Change token 1 of sequence 0 and see which tokens' outputs move.
var changed = x
changed[0, 1] = NDArray<Float>([9, 9, 9, 9])
let moved = (abs(feedForwardByHand(changed, ffn) - ffnOut).max(axis: -1) .> 0)      // [B, T]
print("outputs that changed, [B, T]:", moved)

// %% [markdown]
// Only the changed token's output moved: no information crosses between tokens in the
// feed-forward network. That is attention's job; this network then works on what each
// token has gathered. Most of a GPT's parameters are here: 8C² of a block's 12C².
//
// ## A pre-norm block, written out
//
// A GPT-2 block is two residual sublayers. Each reads a layer-normalised copy of the
// *residual stream* x and adds its result back to x:
//
//     x = x + attn(ln1(x))        [B, T, C]
//     x = x + ffn(ln2(x))         [B, T, C]
//
// The stream itself is never normalised inside the block (that is "pre-norm", GPT-2's
// order; the original transformer normalised after each add). So a block can only *add*
// to what came before it, and with small weights it starts close to the identity, which
// is what lets deep stacks train. Here are those two lines with a `TransformerBlock`'s own
// sublayers, checked against its forward.

// %%
cell()
let block = TransformerBlock<Float>(hiddenDim: 8, numHeads: 2, ffnDim: 32, dropout: 0, attentionBias: true,
                                    using: &rng)
block.eval()
let stream = NDArray<Float>.normal([2, 5, 8], using: &rng)               // [B, T, C]
let causal = createCausalMask(seqLen: 5)                  // [T, T]: 0 on and below the diagonal, −∞ above
let h1 = block.ln1(stream)
let afterAttention = stream + block.attn(query: h1, key: h1, value: h1, mask: causal)
let afterFFN = afterAttention + block.ffn(block.ln2(afterAttention))
print("x", stream.shape, "→ x + attn(ln1(x))", afterAttention.shape, "→ x + ffn(ln2(x))", afterFFN.shape, " [B, T, C]")
print("agrees with TransformerBlock.forward within 1e-5:", abs(afterFFN - block(stream, mask: causal)).max() < 1e-5)
print("parameters:", block.parameterCount, " 12C² + 13C =", 12 * 8 * 8 + 13 * 8)

// %% [markdown]
// ## A whole GPT forward, by hand
//
// Now the full model. A small GPT with GPT-2's choices: learned positions, two pre-norm
// blocks, a final layer norm `lnF`, and a *tied* output projection: the [V, C] token
// embedding `wte` turns ids into vectors at the bottom and, transposed, turns vectors
// back into a score per vocabulary entry at the top. We take its weights and run every
// step ourselves: the embedding lookup, the positions, and inside each block the
// attention of lesson 7 (qkv, heads, scores, mask, softmax, the weighted sum, heads
// merged, proj) and the feed-forward network above.

// %%
cell()
let config = GPTConfig(vocabSize: 64, maxSeqLen: 16, numLayers: 2, numHeads: 4, hiddenDim: 32, dropout: 0)
let model = GPTModel<Float>(config: config, using: &rng)
model.eval()
let (b, t, c, nh, hs, v) = (2, 6, config.hiddenDim, config.numHeads, config.headDim, config.vocabSize)
let ids = NDArray<Int>.randomIntegers([b, t], low: 0, high: v, using: &rng)
print(ids)

func show(_ name: String, _ shape: [Int], _ legend: String) {
    print(name.padding(toLength: 34, withPad: " ", startingAt: 0)
          + "\(shape)".padding(toLength: 16, withPad: " ", startingAt: 0) + legend)
}
show("ids", ids.shape, "[B, T]")
let tokenVectors = model.wte.weight.take(ids, axis: 0)                    // row ids[b, t] of the [V, C] table
show("wte.weight[ids]", tokenVectors.shape, "[B, T, C]")
let positionVectors = model.wpe!.weight[0..<t]                            // rows 0..<T of the [context, C] table
show("wpe.weight[0..<T]", positionVectors.shape, "[T, C]")
var residual = tokenVectors + positionVectors                             // [B, T, C] + [T, C]
show("x = tokens + positions", residual.shape, "[B, T, C]")

// %% [markdown]
// Then the blocks, each of them the two residual lines above, here with the attention
// opened up. The query, key and value of every token come out of one [3C, C] product and
// are cut into NH heads of HS numbers; each head scores every query against every key,
// masks the future, takes the softmax and mixes the values; the heads go side by side
// again and `proj` mixes them. Block 0 prints every shape.

// %%
cell()
let mask = createCausalMask(seqLen: t)
var weightsByHand: [NDArray<Float>] = []
for (layer, blk) in model.blocks.enumerated() {
    print(layer == 0 ? "block 0:" : "block \(layer): the same steps, the same shapes")
    func step(_ name: String, _ shape: [Int], _ legend: String) { if layer == 0 { show("  " + name, shape, legend) } }
    // Attention: x + proj(merged heads of softmax(q·kᵀ/√HS + mask)·v), with q, k, v made from ln1(x).
    let h = blk.ln1(residual)
    step("h = ln1(x)", h.shape, "[B, T, C]")
    let qkv = linearByMatmul(h, weight: blk.attn.qkv.weight, bias: blk.attn.qkv.bias)
    step("qkv = h·Wᵀ + b", qkv.shape, "[B, T, 3C]")
    func split(_ part: NDArray<Float>) -> NDArray<Float> {                // [B, T, C] → [B, NH, T, HS]
        part.reshaped(b, t, nh, hs).permuted(0, 2, 1, 3)
    }
    let q = split(qkv[.ellipsis, 0..<c]), k = split(qkv[.ellipsis, c..<(2 * c)]), val = split(qkv[.ellipsis, (2 * c)...])
    step("q, k, v (split into heads)", q.shape, "[B, NH, T, HS]")
    let scores = matmul(q, k.swappedAxes(-1, -2)) / Float(hs).squareRoot() + mask
    step("scores = q·kᵀ/√HS + mask", scores.shape, "[B, NH, T, T]")
    let weights = scores.softmax(axis: -1)
    step("weights = softmax(scores)", weights.shape, "[B, NH, T, T]")
    weightsByHand.append(weights)
    let mixed = matmul(weights, val)
    step("weights·v", mixed.shape, "[B, NH, T, HS]")
    let merged = mixed.permuted(0, 2, 1, 3).reshaped(b, t, c)
    step("heads merged", merged.shape, "[B, T, C]")
    residual = residual + linearByMatmul(merged, weight: blk.attn.proj.weight, bias: blk.attn.proj.bias)
    step("x = x + proj(merged)", residual.shape, "[B, T, C]")
    // Feed-forward: x + down(gelu(up(ln2(x)))).
    let up = linearByMatmul(blk.ln2(residual), weight: blk.ffn.up.weight, bias: blk.ffn.up.bias)
    step("up(ln2(x))", up.shape, "[B, T, 4C]")
    residual = residual + linearByMatmul(up.map { Float(geluTanh(Double($0))) },
                                         weight: blk.ffn.down.weight, bias: blk.ffn.down.bias)
    step("x = x + down(gelu(up))", residual.shape, "[B, T, C]")
    if layer == 0 {
        let library = blk.attn.heads(query: h, key: h, value: h)            // the library's own step
        print("  our q, k, v agree with block.attn.heads(query: h, key: h, value: h):",
              [(q, library.query), (k, library.key), (val, library.value)].allSatisfy { abs($0 - $1).max() < 1e-6 })
    }
}
// %% [markdown]
// At the top, a final layer norm, and the tied projection: each position's vector is
// dotted with every row of the token table, one score per vocabulary entry. The whole
// forward pass, and each block's attention weights, should now match the library's.

// %%
cell()
let normed = model.lnF(residual)
show("lnF(x)", normed.shape, "[B, T, C]")
let logits = matmul(normed, model.wte.weight.T)                           // tied: the embedding table, transposed
show("logits = lnF(x)·wte.weightᵀ", logits.shape, "[B, T, V]")

let output = model.forward(ids, outputAttentions: true)
print("tied (no separate lmHead):", model.lmHead == nil, "  model.project(lnF(x)) is the same product:",
      abs(model.project(normed) - logits).max() < 1e-6)
print("logits agree with GPTModel.forward within 1e-4:", abs(logits - output.logits).max() < 1e-4)
print("attention weights agree in every block within 1e-5:",
      zip(weightsByHand, output.attentions).allSatisfy { abs($0 - $1).max() < 1e-5 })

// %% [markdown]
// Logit [b, t, v] scores token v as the one that follows ids[b, 0…t]. The causal mask is
// what makes that honest: position t could not see anything after it, so one forward pass
// gives T predictions at once, each from its own prefix. Here is what one head of the
// untrained block 0 does with its [T, T] weights (sequence 0): each row, a token looking,
// spreads its weight over itself and the tokens before it, and the masked future gets none.

// %%
cell()
let labels = ids[0].scalars.map { "id \($0)" }
var heatmap = Heatmap(rowLabels: labels, columnLabels: labels.map { String($0.dropFirst(3)) },
                  title: "block 0, head 0, untrained: row = the token looking, column = where it looks")
heatmap.width = 60
print(heatmap.render(weightsByHand[0][0, 0]))
print(round(weightsByHand[0][0, 0, 2], decimals: 3), " ← row 2: three tokens it may see, the rest masked")

// %% [markdown]
// ## Counting the parameters
//
// Everything the model learns is in those tables and matrices, so we can count them from
// the shapes: the token table V·C (counted once, though it is used twice), the position
// table context·C, each block's 12C² + 13C (ln1 2C, qkv 3C² + 3C, proj C² + C, ln2 2C,
// up 4C² + 4C, down 4C² + C), and lnF's 2C.

// %%
cell()
func gptParameters(vocab: Int, context: Int, layers: Int, width c: Int) -> Int {
    let perBlock = 2 * c                  // ln1: γ and β
        + (3 * c * c + 3 * c)             // attn.qkv: W [3C, C], b [3C]
        + (c * c + c)                     // attn.proj: W [C, C], b [C]
        + 2 * c                           // ln2
        + (4 * c * c + 4 * c)             // ffn.up: W [4C, C], b [4C]
        + (4 * c * c + c)                 // ffn.down: W [C, 4C], b [C]
    return vocab * c + context * c + layers * perBlock + 2 * c      // wte (tied), wpe, the blocks, lnF
}
let byFormula = gptParameters(vocab: v, context: config.maxSeqLen, layers: config.numLayers, width: c)
print("by hand:", byFormula, "  numParameters():", model.numParameters(), "  equal:", byFormula == model.numParameters())
print(model.summary())

// GPT-2 small, built without drawing weights (all zeros), just to count.
let gpt2 = GPTModel<Float>(config: .gpt2Small, initialization: .zeros, using: &rng)
let gpt2ByFormula = gptParameters(vocab: 50257, context: 1024, layers: 12, width: 768)
print("GPT-2 small by hand:", grouped(gpt2ByFormula), "  numParameters():", grouped(gpt2.numParameters()))

// %% [markdown]
// 124,439,808 is the figure Hugging Face prints for `gpt2`. Of it, the token table alone is
// 50257 × 768 = 38.6 million: tying it to the output projection saves as many again.
//
// ## The loss before training: about ln V
//
// Training will minimise the cross-entropy: at every position, minus the log of the
// probability the model gave the token that really came next. With log-sum-exp (subtract
// the row's largest logit before exponentiating, so nothing overflows):
//
//     loss = mean over positions of  log Σ_v exp(logit[v]) − logit[target]
//
// Position t of the input predicts token t + 1, so a batch of [B, T + 1] tokens gives
// inputs [B, T] and targets [B, T].

// %%
cell()
let tokens = NDArray<Int>.randomIntegers([4, 17], low: 0, high: v, using: &rng)        // [B, T + 1]: 4 × 16 predictions
let inputs = tokens[.all, 0..<16].contiguous(), targets = tokens[.all, 1...].contiguous()  // [B, T] each
let predicted = model(inputs)                                                           // [B, T, V]
let rows = predicted.reshaped(-1, v).scalars, wanted = targets.scalars                  // B·T rows of V logits
var total = 0.0, totalOverEveryTarget = 0.0
for row in 0..<wanted.count {
    let values = rows[(row * v)..<((row + 1) * v)].map(Double.init)
    let largest = values.max()!
    let logSumExp = largest + log(values.reduce(0) { $0 + exp($1 - largest) })
    total += logSumExp - values[wanted[row]]
    totalOverEveryTarget += logSumExp - values.reduce(0, +) / Double(v)                 // the mean over all V targets
}
let lossByHand = total / Double(wanted.count)
let lossLibrary = model.computeLoss(tokens)
print(String(format: "cross-entropy by hand: %.3f   computeLoss: %.3f   ln V = ln %d: %.3f",
             lossByHand, lossLibrary, v, log(Double(v))))
print("by hand agrees with computeLoss within 1e-5:", abs(lossByHand - lossLibrary) < 1e-5)
print("and with crossEntropy(logits:targets:):", abs(lossByHand - crossEntropy(logits: predicted, targets: targets)) < 1e-5)
print(String(format: "the logits' standard deviation: %.2f", predicted.std()))
print(String(format: "the loss averaged over every possible target, not the true one: %.3f",
             totalOverEveryTarget / Double(wanted.count)))

// %% [markdown]
// Why ln V? GPT-2's initialisation draws the weights from N(0, 0.02²), so the logits
// start tiny (a standard deviation around a tenth here) and the softmax is close to
// uniform: every token gets about 1/V, and −log(1/V) = ln V, whatever the target. A model
// that knows nothing should say exactly that. It sits a little above ln V because the
// logits are not all equal: log Σ exp of unequal numbers is more than ln V plus their mean,
// by about half their variance (0.12² / 2 ≈ 0.007, so 4.159 becomes 4.166 averaged over
// every target), and the true targets add a little luck of the draw. A first loss far above
// ln V means an initialisation that is confidently wrong: check it when a run starts.
//
// ## What you built, and where the library does it
//
// - `linearByLoops` and `linearByMatmul` are `Linear.forward` in `Sources/NN/Linear.swift`.
// - `geluExact` and `geluTanh` are NDArray's `gelu(_:approximate:)`
//   (`Sources/NDArray/Operations/NDArray+Activations.swift`, vectorised in
//   `Sources/NDArray/Kernels/Activations.swift`) and the `GELU` layer in `Sources/NN/GELU.swift`.
// - `feedForwardByHand` is `FeedForward` (`Sources/NN/FeedForward.swift`, `hidden(up:gate:)`).
// - The two residual lines are `TransformerBlock.forwardWithWeights` and
//   `NormPlacement.residual` in `Sources/NN/TransformerBlock.swift`; the attention inside is
//   `Sources/NN/MultiHeadAttention.swift` (`heads`, `mergeHeads`) and
//   `Sources/NN/ScaledDotProductAttention.swift`.
// - The forward by hand is `GPTModel.run` and `project` in `Sources/GPT/Model/GPTModel.swift`;
//   the parameter table is `summary()` in `Sources/GPT/Model/Summary.swift`.
// - The loss is `crossEntropy` in `Sources/NN/CrossEntropy.swift`, which `computeLoss` calls.
//
// ## Exercises
//
// Rebuild it yourself (`swift run exercises next`, see docs/Exercises.md):
// `09-gelu-tanh`, `11-linear`, `18-feed-forward`, `19-transformer-block`, `20-gpt-forward`,
// `21-cross-entropy`.
//
// ## In the walkthrough
//
// Chapter 4, "A GPT, one forward pass at a time", runs the same forward through a trained
// model, with every head's heatmap: `swift run -c release walkthrough --chapter gpt`.
