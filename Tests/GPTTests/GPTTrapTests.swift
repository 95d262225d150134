// GPTTrapTests.swift — what the model says when it is used wrongly.
//
// After reading this file you should know that a sequence longer than the
// context, a mask of the wrong shape or an impossible configuration stops the
// program with a message naming the operation and the sizes. Each case runs
// in a child process (a Swift Testing exit test).

import GPT
import NDArray
import NN
import Testing

private func message(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

private func tinyModel() -> GPTModel<Float> {
    var rng = SeededGenerator(seed: 0)
    return GPTModel<Float>(vocabSize: 10, maxSeqLen: 8, numLayers: 1, numHeads: 2, hiddenDim: 8, ffnDim: 32, using: &rng)
}

@Suite("The GPT stops with a message naming the operation and the sizes")
struct GPTTrapTests {
    @Test func aSequenceLongerThanTheContext() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = tinyModel()(NDArray<Int>.zeros([1, 9]))
        }
        #expect(message(result).contains(
            "GPTModel.forward: a sequence of 9 tokens (9 new, 0 cached) is longer than maxSeqLen 8"))
    }

    @Test func anAttentionMaskOfTheWrongShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = tinyModel().forward(NDArray<Int>.zeros([2, 3]), attentionMask: .ones([2, 4]))
        }
        #expect(message(result).contains("GPTModel.forward: attentionMask [2, 4] must be [B, past + T] = [2, 3]"))
    }

    @Test func headsThatDoNotDivideTheWidth() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rng = SeededGenerator(seed: 0)
            _ = GPTModel<Float>(vocabSize: 10, maxSeqLen: 8, numLayers: 1, numHeads: 3, hiddenDim: 8, ffnDim: 32, using: &rng)
        }
        #expect(message(result).contains("GPTModel.init: hiddenDim 8 does not divide into 3 heads"))
    }

    @Test func aPromptTokenOutsideTheVocabulary() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = tinyModel().generate(prompts: [[1, 12]], config: .greedy(maxNewTokens: 2))
        }
        #expect(message(result).contains("GPTModel.generate: prompt 0 has token 12 at 1, not in 0..<10 (V)"))
    }

    @Test func aTemperatureOfZero() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = tinyModel().generate(prompts: [[1]], config: .sampling(temperature: 0))
        }
        #expect(message(result).contains("GPTModel.generate: temperature must be positive, not 0.0"))
    }

    @Test func aTargetOutsideTheVocabulary() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(logits: NDArray<Float>.zeros([2, 3]), targets: NDArray<Int>([1, 3]))
        }
        #expect(message(result).contains(
            "crossEntropy: target 3 at flat index 1 of targets [2] is not in 0..<3 (V) nor the ignore index -100"))
    }
}
