// %% [markdown]
// # Lesson 6 · Embeddings and positions
//
// The tokenizer of lesson 5 turns text into ids. The model's first layer turns each id
// into a vector of C numbers, by reading one row of a [V, C] table: the token embedding.
// That vector says *what* the token is, but not *where* it is: attention (lesson 7)
// compares every token with every other one and, by itself, cannot tell "dog bites man"
// from "man bites dog". So the model also needs positions. This lesson builds the table
// lookup and four ways of giving positions, each from scratch and checked against the
// library: the sinusoidal table of the original Transformer, a learned table (GPT-2's),
// rotary embeddings (LLaMA's) and ALiBi's distance penalties (BLOOM's). The tables are
// drawn as heatmaps.
//
// Run this lesson with `swift run -c release lesson 06`; its rendered copy, with every
// output, is `Notebooks/Rendered/06-embeddings-and-positions.md`.

// %%
import Foundation
import NDArray
import NN
import Notebook

// %% [markdown]
// ## An embedding is a table lookup
//
// A table of V = 6 rows of C = 4 numbers (row v holds 4v … 4v + 3, so a row is easy to
// recognise), and a batch of B = 2 sequences of T = 3 ids. For each id, copy its row:
// [B, T] ids become [B, T, C] vectors.

// %%
cell()
let table = NDArray<Float>.arange(24).reshaped(6, 4)          // [V, C]
let ids: NDArray<Int> = [[2, 0, 5], [1, 1, 3]]                  // [B, T]
var looked = NDArray<Float>.zeros([2, 3, 4])                    // [B, T, C]
for b in 0..<2 {
    for t in 0..<3 {
        let id = ids[b, t].item()
        for c in 0..<4 { looked[b, t, c] = table[id, c] }
    }
}
print(looked)

// %% [markdown]
// The library's `Embedding` holds the table as its `weight` and does the same with one
// `take` (NumPy's `np.take`, a gather). Looking up a row is also the product of a one-hot
// row with the table, which is why an embedding is sometimes called a linear layer
// without the multiplications.

// %%
cell()
let embedding = Embedding<Float>(weight: table)
print("Embedding agrees:", embedding(ids) == looked, " shape", embedding(ids).shape, "[B, T, C]")
let oneHot = NDArray<Float>.oneHot(ids, depth: 6)                // [B, T, V]
print("one-hot · table agrees:", matmul(oneHot, table) == looked)
print("one-hot of id 5:", oneHot[0, 2])

// %% [markdown]
// A real model draws its table at random (GPT-2: N(0, 0.02²)) and training moves each row:
// `Embedding(numEmbeddings: V, embeddingDim: C, using: &rng)`.
//
// ## Sinusoidal positions
//
// "Attention Is All You Need" adds to each token's vector a fixed vector for its
// position. Column pair (2i, 2i + 1) is a clock turning at its own speed:
//
//     PE[pos, 2i] = sin(pos / 10000^(2i/C))      PE[pos, 2i + 1] = cos(pos / 10000^(2i/C))
//
// Column pair 0 turns once every 2π ≈ 6.3 positions; the last pair so slowly that it
// hardly moves over a few dozen. Built from the formula, in Double as the library does,
// for T = 24 positions and C = 32 channels:

// %%
cell()
func sinusoidalTable(positions: Int, channels: Int) -> NDArray<Float> {
    var table = NDArray<Float>.zeros([positions, channels])     // [T, C]
    for pos in 0..<positions {
        for i in 0..<(channels / 2) {
            let angle = Double(pos) / pow(10000, Double(2 * i) / Double(channels))
            table[pos, 2 * i] = NDArray(Float(sin(angle)))
            table[pos, 2 * i + 1] = NDArray(Float(cos(angle)))
        }
    }
    return table
}
let (positions, channels) = (24, 32)
let sinusoid = sinusoidalTable(positions: positions, channels: channels)
let pe = PositionalEncoding<Float>(maxSeqLen: positions, embeddingDim: channels)
print("PositionalEncoding agrees within 1e-6:", abs(pe(seqLen: positions) - sinusoid).max() < 1e-6)
print("position 1:", round(sinusoid[1], decimals: 3))

var map = Heatmap(title: "sinusoidal table: row = position, column = channel")
print(map.render(round(sinusoid, decimals: 4)))

// %% [markdown]
// Read the map by columns: the first columns flicker from row to row, the last ones
// change so slowly that they look constant. Each position gets its own pattern, and
// neighbours get similar ones. There is more: the dot product of two rows depends only on
// how far apart they are (each pair contributes sin a·sin b + cos a·cos b = cos(a − b)),
// so attention can read *relative* distance from these vectors.

// %%
cell()
func rowDot(_ a: Int, _ b: Int) -> Float { dot(sinusoid[a], sinusoid[b]).item() }
for (a, b) in [(0, 3), (5, 8), (17, 20), (0, 10), (11, 21)] {
    print("PE[\(a)]·PE[\(b)] =", String(format: "%.4f", rowDot(a, b)), " distance", b - a)
}

// %% [markdown]
// The model adds the table to the token embeddings; [B, T, C] + [T, C] broadcasts over
// the batch:
//
//     let x = wte(ids) + pe(seqLen: T)          // [B, T, C]
//
// ## Learned positions
//
// GPT-2 does not use a formula. It keeps a second table, `wpe`, with one row per
// position, and learns it like any weight: it starts as small random numbers, and
// training moves each row wherever the loss wants it. The library's
// `LearnedPositionalEncoding` is that table; at initialisation it is noise, N(0, 0.02²):

// %%
cell()
var rng = SeededGenerator(seed: 6)
let wpe = LearnedPositionalEncoding<Float>(maxSeqLen: positions, embeddingDim: channels, using: &rng)
print("rows 0..<3 are weight[0..<3]:", wpe(seqLen: 3) == wpe.weight[0..<3])
print("std of the table:", String(format: "%.3f", wpe.weight.std()))
map.title = "learned table at initialisation: row = position, column = channel"
print(map.render(round(wpe.weight, decimals: 4)))

// %% [markdown]
// No pattern at all: nothing yet says that position 5 is next to position 6. Training
// (lesson 12) changes that, since the gradient of the loss reaches each row that was
// used; in trained models such as GPT-2 (lesson 13 loads its table) neighbouring
// positions end up with similar rows. The price of learning it: the table has exactly
// `maxSeqLen` rows, and a longer sequence has no position to look up, where the formula
// goes on for ever.
//
// ## Rotary positions
//
// Rotary embeddings (RoPE) add nothing to the token vectors. Instead, inside attention,
// they rotate each query and key by an angle that grows with its position. The HS
// channels of a head form HS/2 pairs, channel i with channel i + HS/2 (the "rotate half"
// layout of LLaMA and GPT-NeoX), and pair i turns by pos·θ_i with θ_i = 10000^(−2i/HS):
//
//     (x1, x2) → (x1·cos(pos·θ_i) − x2·sin(pos·θ_i),  x2·cos(pos·θ_i) + x1·sin(pos·θ_i))
//
// By hand, on q [B, NH, T, HS] = [1, 2, 5, 8] drawn at random:

// %%
cell()
func rope(_ x: NDArray<Float>) -> NDArray<Float> {               // [B, NH, T, HS]
    let (heads, steps, size) = (x.shape[1], x.shape[2], x.shape[3])
    let half = size / 2
    var out = x
    for h in 0..<heads {
        for pos in 0..<steps {
            for i in 0..<half {
                let angle = Double(pos) * pow(10000, -2 * Double(i) / Double(size))
                let (c, s) = (Float(cos(angle)), Float(sin(angle)))
                let (x1, x2) = (x[0, h, pos, i].item(), x[0, h, pos, i + half].item())
                out[0, h, pos, i] = NDArray(x1 * c - x2 * s)
                out[0, h, pos, i + half] = NDArray(x2 * c + x1 * s)
            }
        }
    }
    return out
}
let q = NDArray<Float>.normal([1, 2, 5, 8], using: &rng)
let rotary = RotaryEmbedding<Float>(headDim: 8, maxSeqLen: 64)
print("RotaryEmbedding agrees within 1e-6:", abs(rotary(q) - rope(q)).max() < 1e-6)
print("position 0 is not rotated:", rotary(q)[0, 0, 0] == q[0, 0, 0])
let norms = sqrt((rotary(q) * rotary(q)).sum(axis: -1)), before = sqrt((q * q).sum(axis: -1))
print("rotating keeps every vector's length:", abs(norms - before).max() < 1e-5)

// %% [markdown]
// Why rotate? Put the same query at position m and the same key at position n. Rotating
// q by mθ and k by nθ changes their dot product to one that depends on m − n only: the
// rotations cancel except for their difference. So attention sees how far apart two
// tokens are, not where they are. Here is one query and one key placed at every position
// 0 … 15 (`forward(_:positions:)` rotates each copy by its own position), and their dot
// products:

// %%
cell()
let oneQuery = NDArray<Float>.normal([8], using: &rng), oneKey = NDArray<Float>.normal([8], using: &rng)
let span = 16
let everywhere = NDArray<Int>.arange(span)                       // positions 0 … 15
let qs = rotary(oneQuery.broadcast(to: [1, 1, span, 8]), positions: everywhere)   // [1, 1, T, HS]
let ks = rotary(oneKey.broadcast(to: [1, 1, span, 8]), positions: everywhere)
let dots = matmul(qs, ks.swappedAxes(-1, -2))[0, 0]              // [T, T]: query at m · key at n
for (m, n) in [(3, 0), (7, 4), (15, 12), (3, 3), (10, 10), (2, 9)] {
    print("q at \(m) · k at \(n) =", String(format: "%7.4f", dots[m, n].item()), "  m − n =", m - n)
}
print("the unrotated q · k =", String(format: "%7.4f", dot(oneQuery, oneKey).item()))
map.title = "rope(q, m) · rope(k, n): row = m, column = n"
print(map.render(round(dots, decimals: 4)))

// %% [markdown]
// Every diagonal of the map is one shade: it depends on m − n alone. Distance 0 gives back
// the plain q · k (a rotation by 0). In a model, RoPE lives inside the attention:
// `MultiHeadAttention(…, rotary: RotaryEmbedding(headDim: HS, maxSeqLen: …))` rotates q
// and k after splitting the heads (lesson 7), and nothing is added to the embeddings.
//
// ## ALiBi: a penalty for distance
//
// ALiBi (attention with linear biases) has no vectors at all. It adds to each attention
// score a penalty proportional to the distance between query i and key j, with a
// different slope per head: bias[h, i, j] = −m_h · |i − j|. For NH heads (a power of two)
// the slopes are m_h = 2^(−8(h + 1)/NH): a geometric sequence from 2^(−8/NH) down to 2^−8.
// Steep heads look only at their neighbours; gentle ones look far back.

// %%
cell()
let (numHeads, length) = (4, 8)
let slopes = (0..<numHeads).map { pow(2, -8 * Double($0 + 1) / Double(numHeads)) }
var bias = NDArray<Float>.zeros([numHeads, length, length])      // [NH, T, T]
for h in 0..<numHeads {
    for i in 0..<length {
        for j in 0..<length { bias[h, i, j] = NDArray(Float(slopes[h] * Double(-abs(i - j)))) }
    }
}
let alibi = ALiBi<Float>(numHeads: numHeads)
print("slopes by hand:", slopes)
print("ALiBi's slopes:", alibi.slopes)
print("ALiBi's bias agrees:", alibi.bias(queryLength: length, keyLength: length) == bias)
print("head 0, query 3:", bias[0, 3])

// %% [markdown]
// The four heads side by side, on one scale: row i is the query, and each block of 8
// columns is one head's keys j = 0 … 7.

// %%
cell()
let sideBySide = concatenate((0..<numHeads).map { bias[$0] }, axis: 1)     // [T, NH·T]
let alibiMap = Heatmap(columnLabels: (0..<numHeads).flatMap { _ in (0..<length).map { "\($0)" } },
                       title: "ALiBi bias, heads 0 | 1 | 2 | 3: row = query, column = key")
print(alibiMap.render(sideBySide))

// %% [markdown]
// Head 0 falls off fast. Heads 2 and 3 stay in the top shade: over 8 tokens their
// penalties are at most 7 × 2^−6 ≈ 0.11 and 7 × 2^−8 ≈ 0.027.
//
// In a GPT the bias is added to the causal mask (lesson 7), so a query sees only keys
// j ≤ i and pays −m_h·(i − j). What a head does with it shows best when every score is
// the same (q·k = 0): the weights are then softmax(bias + mask). The last query
// (position 7) of each head, as bars (each █ is 0.02):

// %%
cell()
let causal = createCausalMask(seqLen: length)                    // [T, T]: 0, or −∞ above the diagonal
let weights = (bias + causal).softmax(axis: -1)                  // [NH, T, T]
for h in 0..<numHeads {
    print("head \(h), slope \(String(format: "%.4f", slopes[h])):")
    for j in 0..<length {
        let w = weights[h, length - 1, j].item()
        print("  key \(j)", String(format: "%.3f", w), String(repeating: "█", count: Int(w / 0.02)))
    }
}

// %% [markdown]
// Head 0 puts most of its weight on the last few tokens; head 3 spreads it almost evenly,
// as if there were no positions at all.
// With no table, ALiBi has no maximum length: a longer sequence only gets larger penalties.
// For NH not a power of two, the library takes the slopes of the power of two below and
// adds every other slope of the next one (Press et al.): `ALiBi(numHeads: 6).slopes`.
//
// ## What you built, and where the library does it
//
// - The lookup is `Embedding` in `Sources/NN/Embedding.swift` (a `take`).
// - The sinusoidal table is `PositionalEncoding` in `Sources/NN/PositionalEncoding.swift`; the
//   learned one `LearnedPositionalEncoding` in `Sources/NN/LearnedPositionalEncoding.swift`.
// - `rope` is `RotaryEmbedding` in `Sources/NN/RotaryEmbedding.swift` (with tables of cos and
//   sin computed once, and a whole-array rotation instead of loops); `MultiHeadAttention`
//   calls it on q and k.
// - The slopes and biases are `ALiBi` in `Sources/NN/ALiBi.swift`.
//
// ## Exercises
//
// Rebuild it yourself (`swift run exercises next`, see docs/Exercises.md):
// `12-embedding`, `13-sinusoidal-positions`, `14-rotary-positions`.
//
// ## In the walkthrough
//
// Chapter 4, "Text → tokens → embeddings", looks up a trained model's `wte` and adds its
// learned `wpe`: `swift run -c release walkthrough --chapter gpt`.
