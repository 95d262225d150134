// EncoderBlockTests.swift — the encoder layer of an encoder-decoder transformer.
//
// After reading this file you should know that an encoder block is a
// transformer block called with a padding mask: every source token sees every
// real source token, before and after it, and none sees the padding.

import NDArray
import NN
import XCTest

final class EncoderBlockTests: XCTestCase {
    func testEncoderLooksBothWaysButNotAtPadding() {
        var rng = generator(1)
        let encoder = EncoderBlock<Float>(hiddenDim: 16, numHeads: 4, ffnDim: 32, dropout: 0, attentionBias: true, using: &rng)
        var source = randomArray([1, 4, 16], seed: 2)
        let mask: NDArray<Float> = createPaddingMask(seqLengths: [3], maxLen: 4)
        let before = encoder(source, mask: mask)
        source[0, 2] = randomArray([16], seed: 3)
        let after = encoder(source, mask: mask)
        XCTAssertNotEqual(after[0, 0], before[0, 0], "token 0 sees token 2: no causal mask")
        source[0, 3] = randomArray([16], seed: 4)
        XCTAssertEqual(encoder(source, mask: mask)[0, 0..<3], after[0, 0..<3], "nobody sees the padding")
    }
}
