// KVCacheTests.swift — the cache changes the cost of a step, never its result.
//
// After reading this file you should know why cached decoding is allowed: at
// every step, the logits from feeding one token with the cache equal the
// logits of a full forward pass over the whole sequence (to 1e-5), for learned,
// sinusoidal and rotary positions, for a left-padded batch and for beam search.

import GPT
import NDArray
import NN
import TestSupport
import XCTest

final class KVCacheTests: XCTestCase {
    let sequence = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7]

    func testEachCachedStepEqualsTheFullForward() {
        for kind in PositionEncodingKind.allCases {
            let model = smallModel(kind)
            let cache = GPTCache<Float>(numLayers: 2)
            let prompt = 5
            var logits = model.forward(NDArray(shape: [1, prompt], scalars: Array(sequence[0..<prompt])), cache: cache).logits
            for end in prompt...sequence.count {
                let full = model(NDArray(shape: [1, end], scalars: Array(sequence[0..<end])))     // [1, end, V]
                assertClose(logits[.all, (logits.shape[1] - 1)...], full[.all, (end - 1)...], tolerance: 1e-5,
                            "\(kind), \(end) tokens")
                XCTAssertEqual(cache.count, end)
                if end == sequence.count { break }
                logits = model.forward(NDArray(shape: [1, 1], scalars: [sequence[end]]), cache: cache).logits
            }
        }
    }

    func testALeftPaddedBatchMatchesEachPromptAlone() {
        // Two prompts of lengths 3 and 7: the short one is padded on the left; its logits at every
        // step must equal those of the prompt run alone, without padding or cache.
        for kind in PositionEncodingKind.allCases {
            let model = smallModel(kind)
            let prompts = [[7, 7, 2], [3, 1, 4, 1, 5, 9, 2]]
            var stepLogits: [NDArray<Float>] = []
            let result = model.generate(prompts: prompts, config: .greedy(maxNewTokens: 6), onLogits: { _, logits in
                stepLogits.append(logits)
            })
            for (row, prompt) in prompts.enumerated() {
                XCTAssertEqual(Array(result.sequences[row].prefix(prompt.count)), prompt)
                XCTAssertEqual(result.newTokens[row].count, 6)
                for (step, logits) in stepLogits.enumerated() {
                    let context = prompt + result.newTokens[row].prefix(step)
                    let full = model(NDArray(shape: [1, context.count], scalars: context))[0, context.count - 1]
                    assertClose(logits[row], full, tolerance: 1e-5, "\(kind), row \(row), step \(step)")
                }
                let alone = model.generate(prompts: [prompt], config: .greedy(maxNewTokens: 6))
                XCTAssertEqual(alone.newTokens[0], result.newTokens[row], "\(kind), row \(row)")
            }
        }
    }

    func testBeamSearchWithTheCacheEqualsItWithout() {
        for kind in PositionEncodingKind.allCases {
            let model = smallModel(kind)
            var config = GenerationConfig.beamSearch(numBeams: 3, maxNewTokens: 7)
            var cached: [NDArray<Float>] = [], uncached: [NDArray<Float>] = []
            let a = model.generate(prompts: [[3, 1, 4]], config: config, onLogits: { _, logits in cached.append(logits) })
            config.useCache = false
            let b = model.generate(prompts: [[3, 1, 4]], config: config, onLogits: { _, logits in uncached.append(logits) })
            XCTAssertEqual(a.newTokens, b.newTokens, "\(kind)")
            XCTAssertEqual(a.scores[0], b.scores[0], accuracy: 1e-5)
            XCTAssertEqual(cached.count, uncached.count)
            for (step, (x, y)) in zip(cached, uncached).enumerated() {
                assertClose(x, y, tolerance: 1e-5, "\(kind), step \(step)")     // every beam's logits, reordered alike
            }
        }
    }

    func testGeneratingPastTheContextSlidesTheWindow() {
        // maxSeqLen 8: after the context fills, every step reads the last 8 tokens, with or without the cache.
        let model = smallModel(.learned, maxSeqLen: 8)
        var config = GenerationConfig.greedy(maxNewTokens: 9)
        let cached = model.generate(prompts: [[3, 1, 4, 1, 5]], config: config)
        config.useCache = false
        let plain = model.generate(prompts: [[3, 1, 4, 1, 5]], config: config)
        XCTAssertEqual(cached.newTokens, plain.newTokens)
        // By hand: each new token is the argmax after the last 8 tokens.
        var tokens = [3, 1, 4, 1, 5]
        for _ in 0..<9 {
            let window = Array(tokens.suffix(8))
            tokens.append(model(NDArray(shape: [1, window.count], scalars: window))[0, window.count - 1].argmax())
        }
        XCTAssertEqual(cached.sequences[0], tokens)
    }

    func testAPromptLongerThanTheContextIsCropped() {
        let model = smallModel(.learned, maxSeqLen: 8)
        let long = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        let result = model.generate(prompts: [long], config: .greedy(maxNewTokens: 3))
        let cropped = model.generate(prompts: [Array(long.suffix(8))], config: .greedy(maxNewTokens: 3))
        XCTAssertEqual(result.newTokens, cropped.newTokens)
        XCTAssertEqual(Array(result.sequences[0].prefix(12)), long)             // the whole prompt is returned
    }

    func testReorderFollowsTheBeams() {
        let cache = KeyValueCache<Float>()
        let keys = NDArray<Float>.arange(0, 12).reshaped(3, 1, 2, 2)             // batch rows 0, 1, 2
        _ = cache.append(keys: keys, values: keys * 10)
        cache.reorder(rows: [2, 2, 0])
        XCTAssertEqual(cache.keys!, NDArray<Float>([8, 9, 10, 11, 8, 9, 10, 11, 0, 1, 2, 3]).reshaped(3, 1, 2, 2))
        XCTAssertEqual(cache.values!, cache.keys! * 10)
        let more = cache.append(keys: .ones([3, 1, 1, 2]), values: .ones([3, 1, 1, 2]))
        XCTAssertEqual(more.keys.shape, [3, 1, 3, 2])
        XCTAssertEqual(more.keys[0, 0, 2], NDArray<Float>([1, 1]))
    }
}
