// GPTChapter.swift — the tour's GPT chapter: train a small GPT on a copying task for a few
// seconds, then follow one forward pass and a generation, printing every shape and each
// head's attention as a heatmap.
//
//   text → tokens → embeddings [1, T, C] → + positions → block: Q, K, V [1, NH, T, HS]
//   → scores [1, NH, T, T] → causal mask → softmax → heatmaps → feed-forward → logits [1, T, V]
//   → the next token's candidates → temperature, top-k, top-p → the draw → generation with the KV cache
//
// The task makes attention worth looking at: each line is six random letters,
// a bar, and the same six letters again ("cadbfe|cadbfe"). Before the bar
// nothing can be predicted; after it, every letter is the one seven places
// back, so a trained head looks there.
//
// Depends on: GPT (GPTModel, Trainer, CharTokenizer), NDArray (Heatmap), Presenter.swift.

import Foundation
import GPT
import NDArray
import NN

/// The copying task: `count` lines of six letters, a bar and the letters again, from `seed`.
func copyingText(lines count: Int, seed: UInt64) -> String {
    var rng = SeededGenerator(seed: seed)
    let letters = Array("abcdefgh")
    return (0..<count).map { _ in
        let word = String((0..<6).map { _ in letters[Int(rng.next(below: UInt64(letters.count)))] })
        return word + "|" + word + "\n"
    }.joined()
}

/// Chapter: a GPT, trained and taken apart.
func gptChapter(_ p: Presenter, seed: UInt64) {
    p.chapter(4, "A GPT, one forward pass at a time")
    let text = copyingText(lines: 3000, seed: seed)
    let tokenizer = CharTokenizer(text: text)
    p.say("""
        The task: each line is six random letters, a bar, and the same letters again. Nothing
        before the bar can be predicted; after it, each letter is the one seven places back.
        A model that learns this must look back with attention, which makes its heatmaps
        worth reading. The characters are the vocabulary: \(tokenizer.vocabSize) tokens.
        """)
    p.code("copyingText(lines: 3000, seed: \(seed)).prefix(42)", String(text.prefix(42)))

    p.step("Training for a few seconds (chapter 6 shows how)")
    var config = GPTConfig(vocabSize: tokenizer.vocabSize, maxSeqLen: 32, numLayers: 2, numHeads: 2, hiddenDim: 32,
                           dropout: 0)
    config.bias = false
    var rng = SeededGenerator(seed: seed)
    let model = GPTModel<Float>(config: config, using: &rng)
    var training = TrainingConfig(steps: 1200, batchSize: 16, contextLength: 28,
                                  schedule: .warmupCosine(maxLR: 1e-2, warmupSteps: 50, decaySteps: 1200, minLR: 1e-3))
    (training.evalEvery, training.evalBatches, training.logEvery, training.seed) = (400, 4, 200, seed)
    let data = try! TokenDataset(tokens: try! tokenizer.encode(text), contextLength: training.contextLength)
    p.code("let model = GPTModel<Float>(config: config, using: &rng)", model.summary())
    let trainer = Trainer(model: model, data: data, config: training)
    try! trainer.run(log: { p.say($0) })
    p.say(trainer.lossCurve(width: 50, height: 8))
    p.say("""
        Six of every fourteen characters are random letters (ln 8 ≈ 2.08 nats each), so even a
        perfect copier averages about 6 × 2.08 / 14 ≈ 0.89, and more here: a training window
        that starts mid-line has cut off the source of some letters it should copy.
        """)
    p.pause()
    model.eval()

    // One forward pass, by hand, with the model's own layers.
    let prompt = "hgfedc|hgf"
    let ids = try! tokenizer.encode(prompt)
    let labels = prompt.map { String($0) }
    p.step("Text → tokens → embeddings")
    p.code("tokenizer.encode(\"\(prompt)\")", ids)
    let input = NDArray(shape: [1, ids.count], scalars: ids)
    var x = model.wte(input)
    p.code("let x = model.wte(ids)        // one row of the [V, C] table per token", "shape \(x.shape)  [B, T, C]")
    x += model.wpe!(seqLen: ids.count)
    p.code("x += model.wpe(seqLen: \(ids.count))  // each position's learned vector", "shape \(x.shape)")
    p.pause()

    let block = model.blocks[0], attn = block.attn
    let (nh, hs, t) = (attn.numHeads, attn.headDim, ids.count)
    p.step("Block 0: queries, keys and values")
    let h = block.ln1(x)
    let qkv = attn.qkv(h)
    p.code("let qkv = attn.qkv(ln1(x))", "shape \(qkv.shape)  [B, T, 3C]")
    let c = config.hiddenDim
    let q = attn.splitHeads(qkv[.ellipsis, 0..<c]), k = attn.splitHeads(qkv[.ellipsis, c..<(2 * c)])
    p.code("let q = splitHeads(qkv[..., 0..<C])", "shape \(q.shape)  [B, NH, T, HS]: \(nh) heads of \(hs)")
    p.code("let k = splitHeads(qkv[..., C..<2C])", "shape \(k.shape)")
    var scores = matmul(q, k.swappedAxes(-1, -2)) * Float(1 / Double(hs).squareRoot())
    p.code("let scores = matmul(q, kᵀ) / √\(hs)", "shape \(scores.shape)  [B, NH, T, T]: token i's query · token j's key")
    let mask: NDArray<Float> = createCausalMask(seqLen: t)
    scores += mask
    p.code("scores += createCausalMask(seqLen: \(t))", "row 3 of head 0: \(scores[0, 0, 3])   (−inf: the future)")
    let weights = scores.softmax(axis: -1)
    p.code("let weights = scores.softmax(axis: -1)", "row 3 of head 0: \(weights[0, 0, 3])   (sums to 1)")
    p.pause()

    p.step("What each head looks at")
    let attentions = model.forward(input, outputAttentions: true).attentions
    for layer in 0..<config.numLayers {
        for head in 0..<nh {
            var map = Heatmap(rowLabels: labels, columnLabels: labels,
                              title: "layer \(layer), head \(head): row = the token looking, column = where it looks")
            map.width = 100
            p.say(map.render(attentions[layer][0, head]))
            p.say("")
        }
    }
    p.say("""
        Read the rows after the bar: a copying head points them back at the letters before it
        (the one to copy, or its neighbour, whose position the next layer uses); another head
        may fix on the bar itself, which marks where the copy starts. A different --seed trains
        a different model, and the heads divide the work differently.
        """)
    p.pause()

    p.step("The feed-forward network and the logits")
    p.code("block.ffn.up.weight.shape", "\(block.ffn.up.weight.shape)  [4C, C]: each token's vector widened, GELU, narrowed")
    let logits = model(input)
    p.code("let logits = model(ids)", "shape \(logits.shape)  [B, T, V]: a score for every token at every position")
    p.pause()

    p.step("The next token: candidates, temperature, top-k, top-p, the draw")
    let decode: (Int) -> String = { (try? tokenizer.decode([$0])).map { $0 == "\n" ? "\\n" : $0 } ?? "?" }
    let sampling = GenerationConfig.sampling(maxNewTokens: 4, temperature: 0.8, topK: 3, topP: 0.95, seed: seed)
    p.say("\(model.explainNextToken(ids, config: sampling, candidates: 5, decode: decode))")
    p.pause()

    p.step("Generation with the KV cache, token by token")
    var shown = prompt
    let result = model.generate(prompts: [ids], config: .greedy(maxNewTokens: 4)) { _, token in
        shown += decode(token)
        p.say("  \(shown)")
    }
    p.say("""
        Each step fed one token and read the cached keys and values of the others (\(result.newTokens[0].count) steps).
        The prompt's letters were copied: \(prompt) → \(shown).
        """)
    p.pause()
}
