// NNTrapTests.swift — what a layer says when it is used wrongly.
//
// After reading this file you should know that a wrong shape, an id outside the
// vocabulary or an impossible configuration stops the program with a message
// naming the layer, the shapes and what was expected. Each case runs in a
// child process (a Swift Testing exit test).

import NDArray
import NN
import Testing

private func message(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

@Suite("Layers stop with a message naming the layer and the shapes")
struct NNTrapTests {
    @Test func embeddingIdOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Embedding<Float>(weight: .zeros([50, 4]))(NDArray<Int>([[1, 2], [3, 70]]))
        }
        #expect(message(result).contains(
            "Embedding: id 70 at index [1, 1] of ids of shape [2, 2] is out of range for a vocabulary of 50 (ids 0..<50)"))
    }

    @Test func linearInputOfTheWrongWidth() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Linear<Float>(weight: .zeros([3, 4]), bias: nil)(.zeros([2, 5]))
        }
        #expect(message(result).contains(
            "Linear: input of shape [2, 5] does not match weight of shape [3, 4]: 5 (axis -1) != 4 (in features)"))
    }

    @Test func headsThatDoNotDivideTheWidth() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rng = SeededGenerator(seed: 0)
            _ = MultiHeadAttention<Float>(hiddenDim: 10, numHeads: 4, using: &rng)
        }
        #expect(message(result).contains("MultiHeadAttention: hiddenDim (10) must be divisible by numHeads (4)"))
    }

    @Test func aMaskThatDoesNotBroadcast() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = NDArray<Float>.zeros([1, 2, 3, 4])
            _ = ScaledDotProductAttention<Float>()(query: x, key: x, value: x, mask: .zeros([2, 2]))
        }
        #expect(message(result).contains(
            "attention: mask of shape [2, 2] does not broadcast to scores of shape [1, 2, 3, 3] ([B, NH, Tq, Tk])"))
    }

    @Test func aPaddingMaskOnScoresWithoutHeads() async {
        // [B, 1, 1, Tk] on [B, Tq, Tk] scores would broadcast to [B, B, Tq, Tk]: mixing the batch entries.
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = NDArray<Float>.zeros([2, 3, 4])
            _ = ScaledDotProductAttention<Float>()(query: x, key: x, value: x, mask: createPaddingMask(seqLengths: [3, 2], maxLen: 3))
        }
        #expect(message(result).contains(
            "attention: mask of shape [2, 1, 1, 3] does not broadcast to scores of shape [2, 3, 3] ([B, NH, Tq, Tk])"))
    }

    @Test func positionsPastTheTable() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rng = SeededGenerator(seed: 0)
            _ = LearnedPositionalEncoding<Float>(maxSeqLen: 8, embeddingDim: 4, using: &rng)(seqLen: 10)
        }
        #expect(message(result).contains(
            "LearnedPositionalEncoding: positions 0..<10 are outside the table of 8 positions (maxSeqLen)"))
    }

    @Test func cacheOfAnotherShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let cache = KeyValueCache<Float>()
            _ = cache.append(keys: .zeros([1, 2, 1, 4]), values: .zeros([1, 2, 1, 4]))
            _ = cache.append(keys: .zeros([1, 3, 1, 4]), values: .zeros([1, 3, 1, 4]))
        }
        #expect(message(result).contains(
            "KeyValueCache.append: keys [1, 3, 1, 4] do not match the cached [B, NH, count, HS] = [1, 2, 1, 4]"))
    }
}
