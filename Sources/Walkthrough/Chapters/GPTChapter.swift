// GPTChapter.swift — the tour's GPT chapter: train a small GPT on a copying task for a few
// seconds, then follow one forward pass and a generation, printing every shape and each
// head's attention as a heatmap.
//
//   text → tokens → embeddings [1, T, C] → + positions → block: Q, K, V [1, NH, T, HS]
//   → scores [1, NH, T, T] → causal mask → softmax → heatmaps → feed-forward → logits [1, T, V]
//   → the next token's candidates → temperature, top-k, top-p → the draw → generation with the KV cache
//
// The task makes attention worth looking at: each line is six different letters
// in a random order, a bar, and the same letters again ("cadbfe|cadbfe"). Before
// the bar little can be predicted; after it, every letter is the one seven places
// back, and the one that followed the current letter's first appearance (what an
// induction head finds), so the trained heads look there.
//
// Depends on: GPT (GPTModel, Trainer, CharTokenizer), NDArray (Heatmap), Presenter.swift.

import Foundation
import GPT
import NDArray
import NN

/// The copying task: `count` lines of six different letters of a…h, a bar and the letters again, from `seed`.
func copyingText(lines count: Int, seed: UInt64) -> String {
    var rng = SeededGenerator(seed: seed)
    let letters = Array("abcdefgh")
    return (0..<count).map { _ in
        var pool = letters                                       // six different letters, in a random order
        let word = String((0..<6).map { _ in pool.remove(at: Int(rng.next(below: UInt64(pool.count)))) })
        return word + "|" + word + "\n"
    }.joined()
}

/// Chapter: a GPT, trained and taken apart.
func gptChapter(_ p: Presenter) {
    p.chapter(4, "A GPT, one forward pass at a time")
    let seed = p.seed
    let text = copyingText(lines: 3000, seed: seed)
    let tokenizer = CharTokenizer(text: text)
    p.say("""
        The task: each line is six different letters in a random order, a bar, and the same
        letters again. Before the bar little can be predicted; after it, each letter is the one
        seven places back. A model that learns this must look back with attention, which makes
        its heatmaps worth reading. The characters are the vocabulary: \(tokenizer.vocabSize) tokens.
        """)
    p.code("copyingText(lines: 3000, seed: \(seed)).prefix(42)", String(text.prefix(42)))

    p.step("Training for a few seconds (chapter 6 shows how)")
    var config = GPTConfig(vocabSize: tokenizer.vocabSize, maxSeqLen: 32, numLayers: 2, numHeads: 4, hiddenDim: 64,
                           dropout: 0)
    config.bias = false
    var rng = SeededGenerator(seed: seed)
    let model = GPTModel<Float>(config: config, using: &rng)
    var training = TrainingConfig(steps: 1200, batchSize: 16, contextLength: 28,
                                  schedule: .warmupCosine(maxLR: 3e-3, warmupSteps: 50, decaySteps: 1200, minLR: 3e-4))
    (training.evalEvery, training.evalBatches, training.logEvery, training.seed) = (400, 4, 200, seed)
    let data = try! TokenDataset(tokens: try! tokenizer.encode(text), contextLength: training.contextLength)
    p.code("let model = GPTModel<Float>(config: config, using: &rng)", model.summary())
    let trainer = Trainer(model: model, data: data, config: training)
    try! trainer.run(log: { p.say($0) })
    p.say(trainer.lossCurve(width: 50, height: 8))
    p.say("""
        The six letters before the bar are a random draw (ln 8 + ln 7 + … + ln 3 = ln 20160 ≈ 9.9
        nats a line), so even a perfect copier averages about 9.9 / 14 ≈ 0.71 nats a character,
        and more here: a training window that starts mid-line has cut off the source of some
        letters it should copy.
        """)
    p.pause()
    model.eval()

    // One forward pass, by hand, with the model's own layers.
    let prompt = "hgfedc|hgf"
    let ids = try! tokenizer.encode(prompt)
    let labels = prompt.map { String($0) }
    p.step("Text → tokens → embeddings")
    p.code("let tokens = try tokenizer.encode(\"\(prompt)\")", ids)
    let input = NDArray(shape: [1, ids.count], scalars: ids)
    p.code("let ids = NDArray(shape: [1, tokens.count], scalars: tokens)", "shape \(input.shape)  [B, T]")
    var x = model.wte(input)
    p.code("var x = model.wte(ids)             // one row of the [V, C] table per token", "shape \(x.shape)  [B, T, C]")
    x += model.wpe!(seqLen: ids.count)
    p.code("x += model.wpe!(seqLen: \(ids.count))       // each position's learned vector", "shape \(x.shape)")
    p.pause()

    let (nh, hs, t) = (config.numHeads, config.hiddenDim / config.numHeads, ids.count)
    let mask = createCausalMask(seqLen: t)
    var byHand: [NDArray<Float>] = []
    for (layer, block) in model.blocks.enumerated() {
        let attn = block.attn
        let first = layer == 0
        p.step("Block \(layer): queries, keys and values" + (first ? "" : " (the same steps, on block \(layer - 1)'s output)"))
        p.code("let block = model.blocks[\(layer)]")
        let h = block.ln1(x)
        p.code("let h = block.ln1(x)", "shape \(h.shape)  [B, T, C]" + (first ? ": each token's vector normalised" : ""))
        p.code("block.attn.qkv(h).shape", "shape \(attn.qkv(h).shape)  [B, T, 3C]"
               + (first ? ": one product makes a query, key and value per token" : ""))
        // MultiHeadAttention's own steps, the ones its forward and the backward's saving forward call.
        let (q, k, v) = attn.heads(query: h, key: h, value: h)
        p.code("let (q, k, v) = block.attn.heads(query: h, key: h, value: h)   // that product, cut into heads",
               "shape \(q.shape)  [B, NH, T, HS]: \(nh) heads of \(hs), for each of q, k and v")
        if first {
            p.code("let mask = createCausalMask(seqLen: \(t))", "shape \(mask.shape)  [T, T]")
        }
        let scores = attn.attention.scores(query: q, key: k, mask: mask)
        p.code("let scores = block.attn.attention.scores(query: q, key: k, mask: mask)",
               "shape \(scores.shape)  [B, NH, T, T]: token i's query · token j's key, divided by √\(hs), plus the mask\n"
               + "row 3 of head 0: \(scores[0, 0, 3])   (−inf: the future)")
        let weights = scores.softmax(axis: -1)
        p.code("let weights = scores.softmax(axis: -1)", "row 3 of head 0: \(weights[0, 0, 3])   (sums to 1)")
        byHand.append(weights)
        p.pause()

        p.step("Block \(layer): what each head looks at")
        for head in 0..<nh {
            var map = Heatmap(rowLabels: labels, columnLabels: labels,
                              title: "layer \(layer), head \(head): row = the token looking, column = where it looks")
            map.width = 100
            p.say(map.render(weights[0, head]))
            p.say("")
        }
        if layer == config.numLayers - 1 {
            p.say("""
                Read the rows after the bar, where the copying happens. A row that puts its weight on
                one column reads that one token. A column that many rows fix on (a landmark such as the
                bar, or the last letter before it) can also be a sink: where a head parks its weight
                when it has nothing to fetch. What is copied can travel in two steps: a layer-0 head
                blends each letter with its neighbours, and a layer-1 head reads the blend. Another
                --seed trains another model, whose heads divide the work differently; for a saved
                model, `walkthrough attention DIR TEXT --scale log` brings out weights beside a sink.
                """)
        }
        let heads = matmul(weights, v)
        p.code("let heads = matmul(weights, v)", "shape \(heads.shape)  [B, NH, T, HS]: each head's weighted mix of values")
        x += attn.proj(attn.mergeHeads(heads))
        p.code("x += block.attn.proj(block.attn.mergeHeads(heads))",
               "shape \(x.shape)  [B, T, C]: the heads side by side, projected, added back")
        p.pause()

        p.step("Block \(layer): the feed-forward network")
        let ffn = block.ffn
        let hidden = ffn.hidden(up: ffn.up(block.ln2(x)), gate: nil)
        p.code("let hidden = block.ffn.hidden(up: block.ffn.up(block.ln2(x)), gate: nil)   // \(ffn.activation)",
               "shape \(hidden.shape)  [B, T, 4C]: each token on its own, widened")
        x += ffn.down(hidden)
        p.code("x += block.ffn.down(hidden)", "shape \(x.shape)  [B, T, C]: narrowed again and added back")
        if first {
            p.say("""
                Attention is where tokens exchange information; the feed-forward network then works on
                each token's vector alone. Both add to x rather than replace it (the residual stream),
                so every block refines what the ones before it wrote.
                """)
        }
        p.pause()
    }

    p.step("The logits")
    let logits = model.project(model.lnF(x))
    p.code("let logits = model.project(model.lnF(x))" + (model.lmHead == nil
               ? "   // tied: matmul(x, model.wte.weight.T), the embedding table reused" : "   // lmHead(x)"),
           "shape \(logits.shape)  [B, T, V]: a score for every token at every position")
    let output = model.forward(input, outputAttentions: true)
    var difference: Float = 0
    for (mine, theirs) in zip([logits] + byHand, [output.logits] + output.attentions) {
        difference = max(difference, abs(mine - theirs).max())
    }
    p.code("model.forward(ids, outputAttentions: true)          // the same pass, in one call",
           String(format: "logits and attention weights differ from ours by at most %.1e", difference))
    p.pause()

    p.step("The next token: candidates, temperature, top-k, top-p, the draw")
    let decode: (Int) -> String = { (try? tokenizer.decode([$0])).map { $0 == "\n" ? "\\n" : $0 } ?? "?" }
    let sampling = GenerationConfig.sampling(maxNewTokens: 4, temperature: 0.8, topK: 3, topP: 0.95, seed: seed)
    let sure = Sampling.softmax(logits[0, t - 1].scalars.map(Double.init))
    let best = Sampling.argmax(sure)
    let line = "hgfedc|hgfedc\nab"
    let lineIds = try! tokenizer.encode(line)
    let open = model(NDArray(shape: [1, lineIds.count], scalars: lineIds))[0, lineIds.count - 1].scalars.map(Double.init)
    p.say("""
        After "\(prompt)" the model is sure: p("\(decode(best))") = \(String(format: "%.4f", sure[best])). At the start
        of a line it can only guess: any letter not yet used in the line. Its probabilities after
        "\(line.replacingOccurrences(of: "\n", with: "\\n"))", at three temperatures (the logits divided by T before the softmax):
        """)
    let top = Array(open.indices.sorted { open[$0] > open[$1] }.prefix(7))
    p.say("  " + "T".padding(6) + top.map { "\"\(decode($0))\"".padding(9) }.joined())
    for temperature in [0.5, 1.0, 2.0] {
        let probabilities = Sampling.softmax(open.map { $0 / temperature })
        p.say("  " + "\(temperature)".padding(6) + top.map { String(format: "%.3f", probabilities[$0]).padding(9) }.joined())
    }
    p.say("""
        T < 1 sharpens the distribution towards the favourites; T > 1 flattens it, and gives even
        the used letters a chance. Top-k then keeps the k most likely tokens, top-p the fewest
        whose probabilities add up to p, and the draw picks one of the survivors. One step, laid open:
        """)
    p.say("\(model.explainNextToken(lineIds, config: sampling, candidates: 7, decode: decode))")
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
