// %% [markdown]
// # Lesson 13 · GPT-2 from a Hugging Face folder
//
// Every piece of GPT-2 is in place now: the tokenizer (lesson 5), learned positions (6),
// attention (7), the pre-norm block (8), sampling (9) and the KV cache (10). This lesson
// opens a folder in Hugging Face's layout, the one people download as `gpt2`, loads its
// weights into our `GPTModel`, and checks that the model computes what PyTorch computes.
// Then it writes text with it and looks at one head's attention.
//
// Which folder: if the environment variable `GPT2_FOLDER` names a downloaded `gpt2`
// folder (`config.json`, `model.safetensors`, `vocab.json`, `merges.txt`), the lesson
// reads that: `GPT2_FOLDER=~/models/gpt2 swift run -c release lesson 13` (a variable, not
// an argument, because the `lesson` command passes no arguments on). Otherwise it
// reads the project's fixture `Tests/GPTTests/Fixtures/gpt2_tiny`: a GPT-2 with the real
// layout but random weights, 2 layers and 32 channels, made by transformers. Its folder
// also holds PyTorch's outputs for one prompt, which we compare with ours. The rendered
// copy, `Notebooks/Rendered/13-gpt2.md`, was made with the fixture.

// %%
import Foundation
import GPT
import NDArray
import NN
import Notebook

// %% [markdown]
// ## The folder
//
// The fixture is found from this file's own place in the checkout (`#filePath`), so the
// lesson runs from any directory.

// %%
cell()
let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Tests/GPTTests/Fixtures/gpt2_tiny")
let folder: URL
if let path = ProcessInfo.processInfo.environment["GPT2_FOLDER"], !path.isEmpty {
    folder = URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
    print("reading the folder GPT2_FOLDER names:", folder.lastPathComponent)
} else {
    folder = fixture
    print("reading the fixture model gpt2_tiny (Tests/GPTTests/Fixtures/gpt2_tiny)")
}
for file in ["config.json", "model.safetensors", "vocab.json", "merges.txt"] {
    let path = folder.appendingPathComponent(file).path
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    print(file.padding(toLength: 18, withPad: " ", startingAt: 0), size.map { grouped($0) + " bytes" } ?? "missing")
}

// %% [markdown]
// ## config.json: the shape, in GPT-2's words
//
// The weights file holds only arrays; the shape of the model is in `config.json`. GPT-2
// names its fields after the original code: `n_embd` is C, `n_head` NH, `n_layer` the
// number of blocks, `n_positions` the context, `n_inner` the feed-forward width (null
// means 4C). `gelu_new` is GELU in its tanh form. We read the fields we need with
// `Codable`, as the loader does.

// %%
cell()
struct GPT2Config: Decodable {
    let modelType: String
    let vocabSize, nPositions, nEmbd, nLayer, nHead: Int
    let nInner: Int?
    let activationFunction: String?
    let layerNormEpsilon: Double
    let tieWordEmbeddings: Bool?
}
let decoder = JSONDecoder()
decoder.keyDecodingStrategy = .convertFromSnakeCase        // "n_embd" → nEmbd
let configFile: GPT2Config
do {
    configFile = try decoder.decode(GPT2Config.self, from: Data(contentsOf: folder.appendingPathComponent("config.json")))
} catch {
    print("config.json cannot be read: \(error)")
    exit(1)
}
print("model_type \(configFile.modelType)   vocab_size (V) \(configFile.vocabSize)   n_positions \(configFile.nPositions)")
print("n_embd (C) \(configFile.nEmbd)   n_head (NH) \(configFile.nHead)   n_layer \(configFile.nLayer)   n_inner",
      configFile.nInner.map(String.init) ?? "null (4C = \(4 * configFile.nEmbd))")
print("activation_function \(configFile.activationFunction ?? "gelu_new")   layer_norm_epsilon",
      String(format: "%g", configFile.layerNormEpsilon),
      "  tie_word_embeddings \(configFile.tieWordEmbeddings.map(String.init) ?? "absent (true)")")

// %% [markdown]
// ## Loading, and the import report
//
// `GPTModel.load(from:printReport: true)` reads `config.json`, builds a model of that
// shape, then fills every parameter from `model.safetensors` and prints what became of
// each tensor. Three things happen besides copying:
//
// - **Transposed.** GPT-2 was written with a layer called `Conv1D` that stores its weight
//   as [in, out]; our `Linear` stores [out, in], as PyTorch's `nn.Linear` does. So
//   `c_attn` [C, 3C] becomes `qkv` [3C, C], and the same for `c_proj` and the MLP's two.
// - **Tied.** GPT-2's output projection is the token table itself: logits = h·wteᵀ. A file
//   that stores `lm_head.weight` stores a second copy of `wte.weight`; it is not loaded.
// - **Ignored.** The original download also stores each block's causal mask (`attn.bias`,
//   `attn.masked_bias`); we build the mask ourselves. A folder saved by a recent
//   transformers (the fixture) has neither these nor `lm_head` (the report lists it in
//   brackets, to show the tie), and a `transformer.` prefix on every name; both layouts load.

// %%
cell()
let model: GPTModel<Float>
do {
    model = try GPTModel<Float>.load(from: folder, printReport: true)
} catch {
    print("the folder cannot be loaded: \(error)")
    exit(1)
}
print(model.summary().split(separator: "\n")[0])
print("parameters:", grouped(model.numParameters()))

// %% [markdown]
// The report says a transpose happened; let us see it with our own eyes. `SafeTensorsFile`
// reads the file's tensors by name, as stored. Block 0's `c_attn.weight` is [C, 3C]; its
// transpose must be exactly the model's `qkv.weight`, and its first C columns, the query
// part, exactly the first C rows.

// %%
cell()
let file: SafeTensorsFile
let stored: NDArray<Float>
do {
    file = try SafeTensorsFile(contentsOf: folder.appendingPathComponent("model.safetensors"))
    let name = file.names.first { $0.hasSuffix("h.0.attn.c_attn.weight") }!   // with or without "transformer."
    stored = try file.array(name)
    print(name, "in the file:", stored.shape, "  in the model: blocks.0.attn.qkv.weight", model.blocks[0].attn.qkv.weight.shape)
} catch {
    print("model.safetensors cannot be read: \(error)")
    exit(1)
}
let c = model.config.hiddenDim
print("file transposed == qkv.weight:", stored.T == model.blocks[0].attn.qkv.weight)
print("the query part, file[:, 0..<C] == qkv.weight[0..<C].T:",
      stored[.all, 0..<c] == model.blocks[0].attn.qkv.weight[0..<c].T)
print("an output projection of its own (lm_head):", model.lmHead != nil)

// %% [markdown]
// ## The tokenizer
//
// `BPETokenizer(directory:)` reads `vocab.json` (token → id) and `merges.txt` (the pairs to
// merge, most frequent first), GPT-2's byte-level BPE from lesson 5. A piece that starts
// with "Ġ" starts with a space.
//
// Be warned about the fixture: its vocabulary is 320 tokens, the 256 byte characters,
// `<|endoftext|>` and 63 merges learned from a few sentences, so most words come out in
// pieces. The real GPT-2 has 50,257 tokens, and each word of this sentence is one of them.

// %%
cell()
let tokenizer: BPETokenizer
do {
    tokenizer = try BPETokenizer(directory: folder)
} catch {
    print("the tokenizer files cannot be read: \(error)")
    exit(1)
}
let endOfText = tokenizer.id(for: "<|endoftext|>")!
let prompt = tokenizer.encode("The quick brown fox")
print("vocabulary:", tokenizer.vocabSize, "tokens; <|endoftext|> is", endOfText)
print("ids:   ", prompt)
print("pieces:", prompt.map { tokenizer.token(for: $0)! })
print(tokenizer.explain(" quick"))

// %% [markdown]
// ## GPT-2's choices, one forward pass by hand
//
// GPT-2 is the GPT of lessons 6 to 8 with these choices, all `GPTConfig`'s defaults:
//
// - **Learned positions**: a second table `wpe` [context, C], one trained row per
//   position, added to the token's row of `wte`. (The original transformer used fixed
//   sinusoids; newer models rotate q and k instead.)
// - **Pre-norm**: each block normalises *before* attention and the MLP, and adds the
//   result to an untouched residual stream, x + attn(ln1(x)), then x + mlp(ln2(x)). A final
//   `ln_f` comes after the last block.
// - **Biases** on every linear layer, attention's included.
// - **GELU in its tanh form** in the MLP, which is 4C wide.
// - **The tied head**: the logits are the final hidden state times `wte`ᵀ.
//
// We run the model once asking for its hidden states (the embeddings, then each block's
// output) and attention weights, then redo the embeddings and block 0 with plain array
// operations and the loaded weights.

// %%
cell()
let ids = NDArray(shape: [1, prompt.count], scalars: prompt)                  // [B, T]
let t = prompt.count
let output = model.forward(ids, outputHiddenStates: true, outputAttentions: true)
print("logits", output.logits.shape, "[B, T, V]   hidden states:", output.hiddenStates.count,
      "of", output.hiddenStates[0].shape, "[B, T, C]   attentions:", output.attentions.count, "of",
      output.attentions[0].shape, "[B, NH, T, T]")

let wte = model.wte.weight                                                    // [V, C]
let wpe = model.wpe!.weight                                                   // [context, C]
let embedded = wte.take(ids, axis: 0) + wpe[0..<t]                            // [B, T, C] + [T, C]
print("wte[ids] + wpe[0..<T] agrees with the model's embeddings within 1e-6:",
      embedded.allClose(to: output.hiddenStates[0], absoluteTolerance: 1e-6))

// %% [markdown]
// Block 0, from scratch: layer norm, attention with biases and the causal mask, GELU in
// its tanh form, and the two residual additions.

// %%
cell()
func layerNorm(_ x: NDArray<Float>, _ norm: LayerNorm<Float>) -> NDArray<Float> {
    let mean = x.mean(axis: -1, keepDims: true)
    let variance = ((x - mean) * (x - mean)).mean(axis: -1, keepDims: true)
    return (x - mean) / sqrt(variance + norm.eps) * norm.weight! + norm.bias!
}
func linear(_ x: NDArray<Float>, _ layer: Linear<Float>) -> NDArray<Float> {
    matmul(x, layer.weight.T) + layer.bias!                                   // [B, T, in]·[in, out] + [out]
}
func geluTanh(_ x: NDArray<Float>) -> NDArray<Float> {
    0.5 * x * (1 + tanh(Float((2 / Double.pi).squareRoot()) * (x + 0.044715 * x * x * x)))
}
let block = model.blocks[0]
let (nh, hs) = (model.config.numHeads, model.config.headDim)
var causal = NDArray<Float>.zeros([t, t])
for i in 0..<t { for j in (i + 1)..<t { causal[i, j] = -.infinity } }       // no looking ahead

var x = embedded                                                              // [B, T, C]
let qkv = linear(layerNorm(x, block.ln1), block.attn.qkv)                     // [B, T, 3C]
func heads(_ part: Int) -> NDArray<Float> {                                   // [B, NH, T, HS]
    qkv[.all, .all, (part * c)..<((part + 1) * c)].reshaped(1, t, nh, hs).permuted(0, 2, 1, 3)
}
let (q, k, v) = (heads(0), heads(1), heads(2))
let weights = (matmul(q, k.swappedAxes(-1, -2)) / Float(hs).squareRoot() + causal).softmax(axis: -1)  // [B, NH, T, T]
let attended = matmul(weights, v).permuted(0, 2, 1, 3).reshaped(1, t, c)      // [B, T, C]
x = x + linear(attended, block.attn.proj)
x = x + linear(geluTanh(linear(layerNorm(x, block.ln2), block.ffn.up)), block.ffn.down)

print("the block's activation:", block.ffn.activation, "  MLP width:", block.ffn.up.weight.shape[0], "= 4C")
print("our attention weights agree with layer 0's within 1e-5:", weights.allClose(to: output.attentions[0], absoluteTolerance: 1e-5))
print("our block 0 agrees with the model's within 1e-4:",
      x.allClose(to: output.hiddenStates[1], relativeTolerance: 1e-4, absoluteTolerance: 1e-4))

// %% [markdown]
// The last hidden state has been through `ln_f`. With the tied head, the logits are a
// product with the token table, the same table that turned ids into vectors at the start:
// the model scores each candidate token by how well the final vector points along the
// token's own embedding.

// %%
cell()
let tiedLogits = matmul(output.hiddenStates.last!, wte.T)                     // [B, T, C]·[C, V] → [B, T, V]
print("h·wteᵀ agrees with the logits within 1e-4:",
      tiedLogits.allClose(to: output.logits, relativeTolerance: 1e-4, absoluteTolerance: 1e-4))

// %% [markdown]
// ## Checked against PyTorch
//
// The fixture's folder holds, beside the model, what transformers' `GPT2LMHeadModel`
// computed for this prompt: `input_ids.npy` and `logits.npy` [B, T, V], written by
// `scripts/make_gpt_fixtures.py`. `NDArray(contentsOfNPY:)` reads NumPy's files. A
// downloaded folder has no such files, and the check says so.

// %%
cell()
let referenceURL = folder.appendingPathComponent("logits.npy")
if FileManager.default.fileExists(atPath: referenceURL.path) {
    do {
        let theirIds = try NDArray<Int>(contentsOfNPY: folder.appendingPathComponent("input_ids.npy"))
        let theirLogits = try NDArray<Float>(contentsOfNPY: referenceURL)
        print("PyTorch's ids:", theirIds.scalars, " ours the same:", theirIds.scalars == prompt)
        print("PyTorch's logits:", theirLogits.shape, "  ours:", output.logits.shape)
        let largest = abs(output.logits - theirLogits).max()
        print("largest difference below 1e-4:", largest < 1e-4)
        print("the first logits, ours:   ", round(output.logits[0, 0, 0..<6], decimals: 3))
        print("the first logits, PyTorch:", round(theirLogits[0, 0, 0..<6], decimals: 3))
    } catch {
        print("the reference files cannot be read: \(error)")
    }
} else {
    print("no logits.npy in this folder: the fixture gpt2_tiny has PyTorch's logits to compare with")
}

// %% [markdown]
// ## The next token's candidates
//
// The last row of the logits scores every token of the vocabulary as the next one; a
// softmax makes them probabilities. Here are the five most likely, with a bar each. The
// fixture's weights are random, so its guesses are close to even and mean nothing.

// %%
cell()
let lastLogits = output.logits[0, t - 1]                                      // [V]
let probabilities = lastLogits.softmax(axis: -1).scalars
let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(5)
for (rank, token) in ranked.enumerated() {
    let piece = "\"\(tokenizer.token(for: token)!)\"".padding(toLength: 10, withPad: " ", startingAt: 0)
    let bar = String(repeating: "█", count: Int((probabilities[token] / probabilities[ranked.first!] * 30).rounded()))
    print(rank + 1, piece, String(format: "logit %6.3f  p %.4f ", lastLogits[token].item(), probabilities[token]), bar)
}
print("uniform would be 1/V =", String(format: "%.4f", 1 / Double(model.config.vocabSize)))

// %% [markdown]
// The library lays out the same step, with temperature, top-k and top-p beside it
// (lesson 9): `explainNextToken`. Greedy decoding takes rank 1.

// %%
cell()
print(model.explainNextToken(prompt, config: .greedy(), candidates: 5) { tokenizer.token(for: $0) ?? "?" })

// %% [markdown]
// ## Writing, token by token
//
// `generate` feeds the prompt once, then one token per step through the KV cache (lesson
// 10). `onToken` is called as soon as each token is chosen, so the text appears as it is
// written; here each new token is printed between bars to show where the pieces join. The
// fixture's folder also holds transformers' greedy continuation, `greedy_ids.npy`: ours
// must be the same tokens, nonsense included.

// %%
cell()
var generation = GenerationConfig.greedy(maxNewTokens: 12)
generation.stopTokens = [endOfText]
print(try tokenizer.decode(prompt), terminator: "")
let written = model.generate(prompts: [prompt], config: generation) { _, token in
    print("|" + ((try? tokenizer.decode([token])) ?? "?"), terminator: "")
}
print("|")
print(written.newTokens[0].count, "new tokens, stopped by", written.stopReasons[0])
let greedyURL = folder.appendingPathComponent("greedy_ids.npy")
if let theirs = try? NDArray<Int>(contentsOfNPY: greedyURL) {
    print("the same tokens as transformers' greedy search:", theirs.scalars == written.sequences[0])
}
let seconds = secondsPerRun(runs: 3) { _ = model.generate(prompts: [prompt], config: generation) }
printMeasured(String(format: "%.0f tokens/s", Double(written.newTokens[0].count) / seconds))

// %% [markdown]
// ## One head's attention
//
// Row i is token i looking back; column j is how much of token j it takes. The causal
// mask leaves everything above the diagonal blank, and each row sums to 1. With the
// fixture's random weights the scores are nearly equal, so each row spreads evenly over
// what it may see: the first row puts everything on the first token, the fifth about a
// fifth on each. A trained GPT-2 shows sharper patterns: heads that look at the previous
// token, at the first token (an "attention sink"), or at an earlier copy of the current
// word. Try `walkthrough attention` on a downloaded folder to see them.

// %%
cell()
let (layer, head) = (model.config.numLayers - 1, 0)
let labels = prompt.map { ((try? tokenizer.decode([$0])) ?? "?").replacingOccurrences(of: " ", with: "␣") }
var map = Heatmap(rowLabels: labels, columnLabels: labels, title: "layer \(layer), head \(head), [T, T]:")
print(map.render(output.attentions[layer][0, head]))                          // [B, NH, T, T] → [T, T]
print("row sums:", round(output.attentions[layer][0, head].sum(axis: -1), decimals: 4))

// %% [markdown]
// ## What you built, and where the library does it
//
// - Reading `config.json` and the tensor table (renames, Conv1D transposes, the tie, the
//   ignored mask buffers): `Sources/GPT/Checkpoints/GPT2Checkpoint.swift`; the report and
//   our own layout: `Checkpoint.swift`; the file format: `SafeTensors.swift`.
// - The forward you redid (learned positions, pre-norm blocks, biases, GELU tanh, the tied
//   head): `Sources/GPT/Model/GPTModel.swift`, `Sources/NN/TransformerBlock.swift`,
//   `Sources/NN/MultiHeadAttention.swift`, `Sources/NN/FeedForward.swift`.
// - The tokenizer's files: `Sources/GPT/Tokenizers/BPETokenizer+Files.swift`; generation:
//   `Sources/GPT/Generation/Generation.swift`; .npy files: `Sources/NDArray/Files/NPY.swift`.
// - The PyTorch references: `scripts/make_gpt_fixtures.py`, checked in
//   `Tests/GPTTests/CheckpointTests.swift`.
//
// ## Exercises
//
// This lesson has no exercise of its own; the two it rests on rebuild what GPT-2 runs
// (`swift run exercises next`, see docs/Exercises.md): `20-gpt-forward` (the forward pass)
// and `24-bpe` (its tokenizer).
//
// ## In the walkthrough
//
// The walkthrough's commands take any checkpoint folder, the fixture or a download:
// `swift run -c release walkthrough inspect Tests/GPTTests/Fixtures/gpt2_tiny` (the
// parameter table and the import report), `walkthrough generate DIR --prompt "…"` (with
// `--explain` for the candidates at each step) and `walkthrough attention DIR "TEXT"`
// (every head's heatmap). See docs/Walkthrough.md.
