// MultiHeadAttentionTests.swift — heads, masks, cross-attention and the KV cache.
//
// After reading this file you should know how the heads are cut ([B, T, C] →
// [B, NH, T, HS], a view), what each mask does to the result, that cross-
// attention has Tq ≠ Tk, and the two properties generation relies on: causal
// attention never looks ahead, and a KV cache gives the same result as running
// the whole sequence again.
//
// Rebuild it yourself: Exercises/Sources/16-heads, Exercises/Sources/17-multi-head-attention (docs/Exercises.md).

import NDArray
@testable import NN
import TestSupport
import XCTest

final class MultiHeadAttentionTests: XCTestCase {
    private func attention(from fixture: TorchFixture, rotary: RotaryEmbedding<Float>? = nil) -> MultiHeadAttention<Float> {
        var rng = generator()
        let attention = MultiHeadAttention<Float>(hiddenDim: 16, numHeads: 4, dropout: 0, bias: true, rotary: rotary, using: &rng)
        fixture.load(into: attention)
        return attention
    }

    func testMasksMatchPyTorchsScaledDotProductAttention() {
        let causal: NDArray<Float> = createCausalMask(seqLen: 5)
        let padding: NDArray<Float> = createPaddingMask(seqLengths: [5, 3], maxLen: 5)
        for (name, mask) in [("mha_causal", causal), ("mha_padding", padding), ("mha_causal_padding", causal + padding)] {
            let fixture = TorchFixture(name)
            let x: NDArray<Float> = fixture["input"]
            let (output, weights) = attention(from: fixture).forwardWithWeights(query: x, key: x, value: x, mask: mask)
            assertClose(output, fixture["output"], tolerance: 2e-6, name)
            XCTAssertEqual(weights.shape, [2, 4, 5, 5])
            assertClose(weights, fixture["weights"], tolerance: 1e-6, name)
        }
    }

    func testCrossAttentionWithDifferentLengths() {
        let fixture = TorchFixture("mha_cross")
        let query: NDArray<Float> = fixture["input"], memory: NDArray<Float> = fixture["memory"]
        XCTAssertEqual(query.shape, [2, 4, 16])
        XCTAssertEqual(memory.shape, [2, 7, 16])
        let (output, weights) = attention(from: fixture).forwardWithWeights(
            query: query, key: memory, value: memory, mask: createPaddingMask(seqLengths: [7, 5], maxLen: 7))
        XCTAssertEqual(output.shape, [2, 4, 16])
        XCTAssertEqual(weights.shape, [2, 4, 4, 7])                        // [B, NH, Tq, Tk]
        assertClose(output, fixture["output"], tolerance: 5e-6)
        assertClose(weights, fixture["weights"], tolerance: 1e-6)
    }

    func testSeparateKeyAndValueArraysUseTheSameWeights() {
        // Three different arrays take three products with slices of qkv.weight; the same array one product.
        let fixture = TorchFixture("mha_causal")
        let attention = attention(from: fixture)
        let x: NDArray<Float> = fixture["input"]
        let fused = attention(query: x, key: x, value: x)
        assertClose(attention(query: x, key: x.copy(), value: x.copy()), fused, tolerance: 1e-6)
        let copy = x.copy()
        assertClose(attention(query: x, key: copy, value: copy), fused, tolerance: 1e-6)
    }

    func testHeadsAreViewsOfTheProjection() {
        var rng = generator()
        let attention = MultiHeadAttention<Float>(hiddenDim: 8, numHeads: 2, dropout: 0, bias: true, using: &rng)
        let projected = attention.qkv(randomArray([2, 3, 8], seed: 1))     // [B, T, 3C]
        let q = attention.splitHeads(projected[.ellipsis, 0..<8])         // [B, NH, T, HS]
        XCTAssertEqual(q.shape, [2, 2, 3, 4])
        XCTAssertTrue(q.sharesStorage(with: projected), "splitting heads copies nothing")
        XCTAssertEqual(q[1, 1, 2], projected[1, 2, 4..<8])                // head 1 is channels 4..<8
    }

    func testShapesAsInLiteTorch() {
        // test_multi_head_attention_shape and _head_dimension.
        var rng = generator()
        let attention = MultiHeadAttention<Float>(hiddenDim: 64, numHeads: 4, dropout: 0, using: &rng)
        let x = randomArray([2, 8, 64], seed: 2)
        let y = attention(query: x, key: x, value: x)
        XCTAssertEqual(y.shape, [2, 8, 64])
        assertClose(y, byHand(attention, x), tolerance: 1e-5)
        XCTAssertEqual(MultiHeadAttention<Float>(hiddenDim: 96, numHeads: 8, using: &rng).headDim, 12)
        // LiteTorch's signature builds LiteTorch's layer: W_q, W_k, W_v, W_o without biases, 4C² parameters.
        XCTAssertEqual(attention.namedParameters.map(\.name), ["qkv.weight", "proj.weight"])
        XCTAssertEqual(attention.parameterCount, 4 * 64 * 64)
        let withBiases = MultiHeadAttention<Float>(hiddenDim: 64, numHeads: 4, dropout: 0, bias: true, using: &rng)
        XCTAssertEqual(withBiases.namedParameters.map(\.name), ["qkv.weight", "qkv.bias", "proj.weight", "proj.bias"])
    }

    /// Multi-head self-attention spelled out one head at a time from the layer's weights.
    private func byHand(_ attention: MultiHeadAttention<Float>, _ x: NDArray<Float>, mask: NDArray<Float>? = nil,
                        rotary: RotaryEmbedding<Float>? = nil) -> NDArray<Float> {
        let (b, t, c, hs) = (x.shape[0], x.shape[1], attention.hiddenDim, attention.headDim)
        let w = attention.qkv.weight, bias = attention.qkv.bias ?? .zeros([3 * c])   // no bias: LiteTorch's
        var heads: [NDArray<Float>] = []
        for h in 0..<attention.numHeads {
            let rows = { (part: Int) in (part * c + h * hs)..<(part * c + (h + 1) * hs) }
            var q = matmul(x, w[rows(0)].T) + bias[rows(0)]                       // [B, T, HS]
            var k = matmul(x, w[rows(1)].T) + bias[rows(1)]
            let v = matmul(x, w[rows(2)].T) + bias[rows(2)]
            if let rotary {
                q = rotary(q.reshaped(b, 1, t, hs)).reshaped(b, t, hs)
                k = rotary(k.reshaped(b, 1, t, hs)).reshaped(b, t, hs)
            }
            var scores = matmul(q, k.swappedAxes(-1, -2)) / Float(hs).squareRoot()  // [B, T, T]
            if let mask { scores = scores + mask }
            heads.append(matmul(scores.softmax(axis: -1), v))                     // [B, T, HS]
        }
        return attention.proj(concatenate(heads, axis: -1))                       // [B, T, C]
    }

    func testRotaryPositionsRotateQueriesAndKeys() {
        var rng = generator(9)
        let rotary = RotaryEmbedding<Float>(headDim: 4, maxSeqLen: 16)
        let attention = MultiHeadAttention<Float>(hiddenDim: 16, numHeads: 4, dropout: 0, bias: true, rotary: rotary, using: &rng)
        let x = randomArray([2, 6, 16], seed: 10)
        let mask: NDArray<Float> = createCausalMask(seqLen: 6)
        let y = attention(query: x, key: x, value: x, mask: mask)
        assertClose(y, byHand(attention, x, mask: mask, rotary: rotary), tolerance: 1e-5)
        XCTAssertGreaterThan(abs(y - byHand(attention, x, mask: mask)).max(), 1e-3, "the rotation changes the result")
    }

    func testCausalAttentionNeverLooksAhead() {
        var rng = generator(4)
        let attention = MultiHeadAttention<Float>(hiddenDim: 16, numHeads: 4, dropout: 0, bias: true, using: &rng)
        var x = randomArray([2, 6, 16], seed: 3)
        let mask: NDArray<Float> = createCausalMask(seqLen: 6)
        let before = attention(query: x, key: x, value: x, mask: mask)
        x[.all, 4] = randomArray([2, 16], seed: 99)                    // change token 4
        let after = attention(query: x, key: x, value: x, mask: mask)
        XCTAssertEqual(after[.all, 0..<4], before[.all, 0..<4], "tokens 0…3 are exactly unchanged")
        XCTAssertNotEqual(after[.all, 4], before[.all, 4])
    }

    func testPaddedPositionsChangeNothing() {
        var rng = generator(5)
        let attention = MultiHeadAttention<Float>(hiddenDim: 16, numHeads: 4, dropout: 0, bias: true, using: &rng)
        var x = randomArray([2, 5, 16], seed: 6)
        let mask: NDArray<Float> = createPaddingMask(seqLengths: [5, 3], maxLen: 5)
        let before = attention(query: x, key: x, value: x, mask: mask)
        x[1, 3..<5] = randomArray([2, 16], seed: 7) * 100                // rewrite sequence 1's padding
        let after = attention(query: x, key: x, value: x, mask: mask)
        XCTAssertEqual(after[1, 0..<3], before[1, 0..<3], "the real tokens cannot see the padding")
        XCTAssertEqual(after[0], before[0])
        // The same sequence alone, unpadded, gives the same real outputs.
        let alone = attention(query: x[1..<2, 0..<3], key: x[1..<2, 0..<3], value: x[1..<2, 0..<3])
        assertClose(alone[0], before[1, 0..<3], tolerance: 1e-6)
    }

    func testCachedDecodingMatchesTheFullSequence() {
        for rotary in [nil, RotaryEmbedding<Float>(headDim: 4, maxSeqLen: 32)] {
            var rng = generator(6)
            let attention = MultiHeadAttention<Float>(hiddenDim: 16, numHeads: 4, dropout: 0, bias: true, rotary: rotary, using: &rng)
            let x = randomArray([2, 7, 16], seed: 8)
            let full = attention(query: x, key: x, value: x, mask: createCausalMask(seqLen: 7))
            let cache = KeyValueCache<Float>()
            // A prompt of 3 tokens at once, then one token at a time.
            let prompt = x[.all, 0..<3]
            var pieces = [attention(query: prompt, key: prompt, value: prompt, mask: createCausalMask(seqLen: 3), cache: cache)]
            for t in 3..<7 {
                let token = x[.all, t..<(t + 1)]
                pieces.append(attention(query: token, key: token, value: token, cache: cache))
            }
            XCTAssertEqual(cache.count, 7)
            assertClose(concatenate(pieces, axis: 1), full, tolerance: 1e-5, rotary == nil ? "plain" : "rotary")
        }
    }

    func testHeadsAreTheProjectionsSplitIntoHeads() {
        // heads(query:key:value:) is forward's first step: q, k, v from qkv's three row blocks, [B, NH, T, HS].
        var rng = generator(9)
        let attn = MultiHeadAttention<Float>(hiddenDim: 8, numHeads: 2, dropout: 0, bias: true, using: &rng)
        let x = randomArray([2, 3, 8], seed: 10), memory = randomArray([2, 4, 8], seed: 11)
        let (q, k, v) = attn.heads(query: x, key: x, value: x)
        XCTAssertEqual([q.shape, k.shape, v.shape], [[2, 2, 3, 4], [2, 2, 3, 4], [2, 2, 3, 4]])
        let all = matmul(x, attn.qkv.weight.T) + attn.qkv.bias!                       // [B, T, 3C]
        assertClose(q, all[.ellipsis, 0..<8].reshaped(2, 3, 2, 4).permuted(0, 2, 1, 3), tolerance: 1e-6)
        assertClose(v, all[.ellipsis, 16..<24].reshaped(2, 3, 2, 4).permuted(0, 2, 1, 3), tolerance: 1e-6)
        // Cross-attention: k and v come from the memory, through rows [C, 3C).
        let (_, ck, _) = attn.heads(query: x, key: memory, value: memory)
        let kv = matmul(memory, attn.qkv.weight[8..<16].T) + attn.qkv.bias![8..<16]
        assertClose(ck, kv.reshaped(2, 4, 2, 4).permuted(0, 2, 1, 3), tolerance: 1e-6)
        // The forward is these steps, then attention, merge and proj.
        let heads = attn.attention(query: q, key: k, value: v).output
        assertClose(attn(query: x, key: x, value: x), attn.proj(attn.mergeHeads(heads)), tolerance: 1e-6)
    }
}
