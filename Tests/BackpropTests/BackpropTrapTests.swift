// BackpropTrapTests.swift — what a backward says when it is called wrongly.
//
// After reading this file you should know that a gradient of the wrong shape, or saved
// arrays from another call, stop the program with a message naming the backward and
// both shapes, in the words NDArray's and NN's errors use. Each case runs in a child
// process (a Swift Testing exit test).

import Backprop
import NDArray
import NN
import Testing

private func message(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

@Suite("Backwards stop with a message naming the operation and the shapes")
struct BackpropTrapTests {
    @Test func aBlocksGradientOfTheWrongShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rng = SeededGenerator(seed: 0)
            let block = TransformerBlock<Float>(hiddenDim: 8, numHeads: 2, ffnDim: 16, dropout: 0, using: &rng)
            let (_, _, saved) = block.forwardSaving(.zeros([2, 3, 8]))
            var gradients = Gradients(zerosFor: block)
            _ = block.backward(.zeros([2, 4, 8]), saved, into: &gradients)
        }
        #expect(message(result).contains(
            "TransformerBlock.backward: dOut [2, 4, 8] must have the forward output's shape [2, 3, 8]"))
    }

    @Test func attentionsGradientWithAnAxisTooFew() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let attention = ScaledDotProductAttention<Float>()
            let x = NDArray<Float>.zeros([1, 2, 3, 4])
            let (_, _, saved) = attention.forwardSaving(query: x, key: x, value: x)
            _ = attention.backward(.zeros([2, 3, 4]), saved)
        }
        #expect(message(result).contains(
            "ScaledDotProductAttention.backward: dOut [2, 3, 4] must have the forward output's shape [1, 2, 3, 4] "
            + "(3 axes, not 4)"))
    }

    @Test func aLayerNormGradientForAnotherInput() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = layerNormBackward(dOut: NDArray<Float>.zeros([2, 5]), input: .zeros([2, 4]), weight: nil,
                                  mean: .zeros([2]), rstd: .zeros([2]))
        }
        #expect(message(result).contains("layerNormBackward: dOut [2, 5], input [2, 4], mean [2] and rstd [2] "
                                         + "must be [..., C], [..., C], [...] and [...]"))
    }
}
