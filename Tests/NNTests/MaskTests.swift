// MaskTests.swift — causal and padding masks, and what −∞ guarantees.
//
// After reading this file you should know the two masks' shapes ([T, T] and
// [B, 1, 1, T]), how they combine (add them: [B, 1, T, T]), and why −∞ rather
// than LiteTorch's −1e9: a masked key gets weight exactly 0 whatever its score,
// and a query with nothing to see gets zeros, not NaN.
//
// Rebuild it yourself: Exercises/Sources/10-causal-mask (docs/Exercises.md).

import NDArray
import NN
import XCTest

final class MaskTests: XCTestCase {
    func testCausalPattern() {
        // LiteTorch's test_create_causal_mask_shape and _pattern: 0 on and below the diagonal, masked above.
        let mask: NDArray<Float> = createCausalMask(seqLen: 5)
        XCTAssertEqual(mask.shape, [5, 5])
        for i in 0..<5 {
            for j in 0..<5 { XCTAssertEqual(mask[i, j].item(), j <= i ? 0 : -.infinity, "[\(i), \(j)]") }
        }
        let cached: NDArray<Float> = createCausalMask(queryLength: 2, keyLength: 4)   // queries at positions 2 and 3
        XCTAssertEqual(cached, [[0, 0, 0, -.infinity], [0, 0, 0, 0]])
    }

    func testMasksAreFloatWhenNothingElseSays() {
        // LiteTorch's create_causal_mask(4), spelt without a type: Float, as a learner porting it expects.
        let mask = createCausalMask(seqLen: 4)
        let padding = createPaddingMask(seqLengths: [2], maxLen: 4)
        XCTAssertTrue(type(of: mask) == NDArray<Float>.self)
        XCTAssertTrue(type(of: padding) == NDArray<Float>.self)
        XCTAssertEqual(mask[1], [0, 0, -.infinity, -.infinity])
        XCTAssertEqual(padding.reshaped(4), [0, 0, -.infinity, -.infinity])
        // Where the context names another type, the generic form answers with the same values.
        let double: NDArray<Double> = createCausalMask(seqLen: 4)
        XCTAssertEqual(double.asType(Float.self), mask)
    }

    func testPaddingMaskBroadcastsOverHeadsAndQueries() {
        let mask: NDArray<Float> = createPaddingMask(seqLengths: [3, 1], maxLen: 4)
        XCTAssertEqual(mask.shape, [2, 1, 1, 4])
        XCTAssertEqual(mask.reshaped(2, 4), [[0, 0, 0, -.infinity], [0, -.infinity, -.infinity, -.infinity]])
        let scores = NDArray<Float>.zeros([2, 3, 4, 4])                    // [B, NH, Tq, Tk]
        XCTAssertEqual((scores + mask).shape, [2, 3, 4, 4])
        XCTAssertEqual(createPaddingMask(tokenIds: [[5, 6, 7, 0], [5, 0, 0, 0]], padId: 0), mask)
    }

    func testCausalPlusPadding() {
        let both: NDArray<Float> = createCausalMask(seqLen: 3) + createPaddingMask(seqLengths: [3, 2], maxLen: 3)
        XCTAssertEqual(both.shape, [2, 1, 3, 3])
        XCTAssertEqual(both[1, 0], [[0, -.infinity, -.infinity], [0, 0, -.infinity], [0, 0, -.infinity]])
    }

    func testAMaskedKeyGetsZeroWeightWhateverItsScore() {
        // Key 1 scores 4e9 — more than LiteTorch's −1e9 can take back — and is masked.
        let attention = ScaledDotProductAttention<Float>()
        let q: NDArray<Float> = [[[1, 0]]], k: NDArray<Float> = [[[1, 0], [4e9, 0]]], v: NDArray<Float> = [[[1, 2], [3, 4]]]
        let (output, weights) = attention(query: q, key: k, value: v, mask: [[0, -.infinity]])
        XCTAssertEqual(weights, [[[1, 0]]])
        XCTAssertEqual(output, [[[1, 2]]])
        let (_, leaky) = attention(query: q, key: k, value: v, mask: [[0, -1e9]])
        XCTAssertEqual(leaky, [[[0, 1]]], "a finite mask is out-scored")
    }

    func testAQueryThatMaySeeNothingGetsZerosNotNaN() {
        let attention = ScaledDotProductAttention<Float>()
        let x = randomArray([1, 2, 3, 4], seed: 1)
        let (output, weights) = attention(query: x, key: x, value: x,
                                          mask: NDArray<Float>(shape: [3, 3], repeating: -.infinity))
        XCTAssertEqual(weights, .zeros([1, 2, 3, 3]))
        XCTAssertEqual(output, .zeros([1, 2, 3, 4]))
    }
}
