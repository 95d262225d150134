// AttentionGradientTests.swift — attention and whole blocks, checked against finite differences.
//
// After reading this file you should know that the gradient of masked,
// multi-head attention (causal or padded, with rotary positions and dropout on
// the weights) and of a whole pre- or post-norm block is exactly what nudging
// each weight says it is; and that a cross-attention sends gradient to the
// encoder's memory.
//
// Rebuild it yourself: Exercises/Sources/29-attention-backward (docs/Exercises.md).

import Backprop
import NDArray
import NN
import XCTest

final class AttentionGradientTests: XCTestCase {
    var rng = SeededGenerator(seed: 11)

    func random(_ shape: Int...) -> NDArray<Double> { NDArray<Double>.normal(shape, using: &rng) }

    /// Gives every bias and norm random values, so that no gradient hides behind a zero or a one.
    func randomize<L: Layer>(_ layer: L) where L.Scalar == Double {
        layer.updateParameters { name, value in
            if name.hasSuffix("bias") || name.contains("ln") { value = NDArray<Double>.normal(value.shape, using: &self.rng) * 0.5 + (name.contains("ln") && name.hasSuffix("weight") ? 1 : 0) }
        }
    }

    /// Rewinds every dropout stream to where it was, so each evaluation draws the same masks.
    func rewinder(_ dropouts: [Dropout<Double>]) -> () -> Void {
        let streams = dropouts.map(\.generator)
        return { for (d, s) in zip(dropouts, streams) { d.generator = s } }
    }

    func testMaskedSelfAttentionWithRotaryPositionsAndDropout() {
        let rotary = RotaryEmbedding<Double>(headDim: 4, maxSeqLen: 16)
        let attn = MultiHeadAttention<Double>(hiddenDim: 8, numHeads: 2, dropout: 0.2, bias: true, rotary: rotary, using: &rng)
        randomize(attn)
        let x = random(2, 5, 8), r = random(2, 5, 8)
        let mask: NDArray<Double> = createCausalMask(seqLen: 5) + createPaddingMask(seqLengths: [5, 3], maxLen: 5)
        let positions = NDArray<Int>([[0, 1, 2, 3, 4], [3, 4, 5, 6, 7]])
        let rewind = rewinder([attn.attention.dropout, attn.residualDropout])
        checkLayer(attn, input: x, dOut: r, rewind: rewind,
                   forward: { attn.forwardSaving($0, mask: mask, positions: positions).output }) { gradients in
            rewind()
            let (_, _, saved) = attn.forwardSaving(x, mask: mask, positions: positions)
            return attn.backward(r, saved, into: &gradients).dInput
        }
    }

    func testTheTrainingForwardIsTheForward() {
        let attn = MultiHeadAttention<Double>(hiddenDim: 8, numHeads: 2, dropout: 0, bias: true, using: &rng)
        let x = random(2, 5, 8), mask: NDArray<Double> = createCausalMask(seqLen: 5)
        let (y, weights, _) = attn.forwardSaving(x, mask: mask)
        let (expected, expectedWeights) = attn.forwardWithWeights(query: x, key: x, value: x, mask: mask)
        XCTAssertEqual(y, expected)
        XCTAssertEqual(weights, expectedWeights)
    }

    func testAttentionWithoutBiasesAsLiteTorchBuildsIt() {
        // LiteTorch's signature: no qkv or proj bias. Self- and cross-attention, and a whole block, still
        // match finite differences (the backward adds no gradient for a bias that is not there).
        let attn = MultiHeadAttention<Double>(hiddenDim: 8, numHeads: 2, dropout: 0, using: &rng)
        XCTAssertNil(attn.qkv.bias)
        let x = random(2, 4, 8), memory = random(2, 5, 8), r = random(2, 4, 8)
        let mask: NDArray<Double> = createCausalMask(seqLen: 4)
        checkLayer(attn, input: x, dOut: r, forward: { attn.forwardSaving($0, mask: mask).output }) { gradients in
            attn.backward(r, attn.forwardSaving(x, mask: mask).saved, into: &gradients).dInput
        }
        checkLayer(attn, input: x, dOut: r, forward: { attn.forwardSaving($0, memory: memory).output }) { gradients in
            attn.backward(r, attn.forwardSaving(x, memory: memory).saved, into: &gradients).dInput
        }
        let block = TransformerBlock<Double>(hiddenDim: 8, numHeads: 2, ffnDim: 12, dropout: 0, using: &rng)
        randomize(block)
        checkLayer(block, input: x, dOut: r, forward: { block.forwardSaving($0, mask: mask).output }) { gradients in
            block.backward(r, block.forwardSaving(x, mask: mask).saved, into: &gradients)
        }
    }

    func testCrossAttentionSendsGradientToTheMemory() {
        let attn = MultiHeadAttention<Double>(hiddenDim: 8, numHeads: 2, dropout: 0, bias: true, using: &rng)
        randomize(attn)
        let x = random(2, 3, 8), memory = random(2, 6, 8), r = random(2, 3, 8)
        let padding: NDArray<Double> = createPaddingMask(seqLengths: [6, 4], maxLen: 6)
        // The query's input and every weight…
        checkLayer(attn, input: x, dOut: r, forward: { attn.forwardSaving($0, memory: memory, mask: padding).output }) { gradients in
            attn.backward(r, attn.forwardSaving(x, memory: memory, mask: padding).saved, into: &gradients).dInput
        }
        // …and the memory.
        var gradients = Gradients(zerosFor: attn)
        let dMemory = attn.backward(r, attn.forwardSaving(x, memory: memory, mask: padding).saved, into: &gradients).dMemory!
        let results = checkGradients(["memory": memory], analytic: ["memory": dMemory]) { v in
            (attn.forwardSaving(x, memory: v["memory"]!, mask: padding).output * r).sum()
        }
        XCTAssertLessThanOrEqual(results[0].maxError, 1e-6, "\(results[0])")
        XCTAssertEqual(dMemory[1, 5], .zeros([8]))                                 // a padded key gets nothing
    }

    func testTransformerBlocksPreAndPostNorm() {
        for placement in NormPlacement.allCases {
            let block = TransformerBlock<Double>(hiddenDim: 8, numHeads: 2, ffnDim: 12, dropout: 0.2,
                                                 normPlacement: placement, attentionBias: true, using: &rng)
            randomize(block)
            let x = random(2, 4, 8), r = random(2, 4, 8)
            let mask: NDArray<Double> = createCausalMask(seqLen: 4)
            let rewind = rewinder([block.attn.attention.dropout, block.attn.residualDropout, block.ffn.dropout])
            checkLayer(block, input: x, dOut: r, rewind: rewind,
                       forward: { block.forwardSaving($0, mask: mask).output }) { gradients in
                rewind()
                return block.backward(r, block.forwardSaving(x, mask: mask).saved, into: &gradients)
            }
        }
    }

    func testDecoderBlocksPreAndPostNorm() {
        for placement in NormPlacement.allCases {
            let block = DecoderBlock<Double>(hiddenDim: 8, numHeads: 2, ffnDim: 12, dropout: 0, normPlacement: placement,
                                             attentionBias: true, using: &rng)
            randomize(block)
            let x = random(2, 3, 8), memory = random(2, 5, 8), r = random(2, 3, 8)
            let mask: NDArray<Double> = createCausalMask(seqLen: 3)
            let memoryMask: NDArray<Double> = createPaddingMask(seqLengths: [5, 2], maxLen: 5)
            checkLayer(block, input: x, dOut: r,
                       forward: { block.forwardSaving($0, memory: memory, mask: mask, memoryMask: memoryMask).output }) { gradients in
                block.backward(r, block.forwardSaving(x, memory: memory, mask: mask, memoryMask: memoryMask).saved,
                               into: &gradients).dInput
            }
            var gradients = Gradients(zerosFor: block)
            let dMemory = block.backward(r, block.forwardSaving(x, memory: memory, mask: mask, memoryMask: memoryMask).saved,
                                         into: &gradients).dMemory
            let results = checkGradients(["memory": memory], analytic: ["memory": dMemory]) { v in
                (block.forwardSaving(x, memory: v["memory"]!, mask: mask, memoryMask: memoryMask).output * r).sum()
            }
            XCTAssertLessThanOrEqual(results[0].maxError, 1e-6, "\(placement): \(results[0])")
        }
    }

    func testTheSavingForwardsAreTheForwards() {
        // Backprop's saving forwards run NN's own steps and wiring: the same bits as the forward, for
        // either norm placement, with dropout drawing the same masks from the same streams.
        for placement in NormPlacement.allCases {
            let block = TransformerBlock<Double>(hiddenDim: 8, numHeads: 2, ffnDim: 16, dropout: 0.3,
                                                 normPlacement: placement, attentionBias: true, using: &rng)
            randomize(block)
            let x = random(2, 5, 8), mask: NDArray<Double> = createCausalMask(seqLen: 5)
            let rewind = rewinder([block.attn.attention.dropout, block.attn.residualDropout, block.ffn.dropout])
            let (plain, plainWeights) = block.forwardWithWeights(x, mask: mask)
            rewind()
            let (saving, savingWeights, _) = block.forwardSaving(x, mask: mask)
            XCTAssertEqual(saving, plain, "\(placement)")
            XCTAssertEqual(savingWeights, plainWeights, "\(placement)")
        }
    }
}
