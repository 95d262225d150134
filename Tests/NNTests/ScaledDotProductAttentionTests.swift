// ScaledDotProductAttentionTests.swift — softmax(Q·Kᵀ/√HS + mask)·V.
//
// After reading this file you should know the shapes (weights [.., Tq, Tk],
// output [.., Tq, HS]), that each row of weights sums to 1 over the keys, that a
// causal mask leaves exactly zero weight on the future, and how to work one
// example by hand.
//
// Rebuild it yourself: Exercises/Sources/15-attention (docs/Exercises.md).

import NDArray
import NN
import TestSupport
import XCTest

final class ScaledDotProductAttentionTests: XCTestCase {
    func testShapesAsInLiteTorch() {
        // LiteTorch's test_scaled_dot_product_attention_shape: (2, 10, 64) → output (2, 10, 64), weights (2, 10, 10).
        let x = randomArray([2, 10, 64], seed: 1)
        let (output, weights) = ScaledDotProductAttention<Float>()(query: x, key: x, value: x)
        XCTAssertEqual(output.shape, [2, 10, 64])
        XCTAssertEqual(weights.shape, [2, 10, 10])
        // …and the values: the formula in Double, one batch entry at a time.
        let d = x.asType(Double.self)
        for b in 0..<2 {
            let p = (matmul(d[b], d[b].T) / 8).softmax(axis: -1)                  // √64 = 8
            assertClose(weights[b].asType(Double.self), p, tolerance: 1e-6)
            assertClose(output[b].asType(Double.self), matmul(p, d[b]), tolerance: 1e-5)
        }
    }

    func testTheStepsAreTheForwards() {
        // scores = Q·Kᵀ/√HS + mask, weights = softmax(scores): the steps forward runs, public for the
        // backward, the tour and a learner. A fully masked row gets weights 0, not NaN.
        let q = randomArray([1, 2, 3, 4], seed: 6), k = randomArray([1, 2, 5, 4], seed: 7), v = randomArray([1, 2, 5, 3], seed: 8)
        var mask = NDArray<Float>.zeros([3, 5])
        mask[0] = NDArray(shape: [5], repeating: -.infinity)                  // query 0 sees nothing
        let attention = ScaledDotProductAttention<Float>()
        let scores = attention.scores(query: q, key: k, mask: mask)
        XCTAssertEqual(scores.shape, [1, 2, 3, 5])
        assertClose(scores[.ellipsis, 1..., 0...], (matmul(q, k.swappedAxes(-1, -2)) / 2)[.ellipsis, 1..., 0...],
                    tolerance: 1e-6)                                          // √4 = 2
        let weights = attention.weights(query: q, key: k, mask: mask)
        XCTAssertEqual(weights, scores.softmax(axis: -1))
        XCTAssertEqual(weights[0, 1, 0], .zeros([5]))
        let (output, forwardWeights) = attention(query: q, key: k, value: v, mask: mask)
        XCTAssertEqual(forwardWeights, weights)
        XCTAssertEqual(output, matmul(weights, v))
    }

    func testWeightsSumToOneOverTheKeys() {
        let q = randomArray([2, 3, 5, 8], seed: 2), k = randomArray([2, 3, 7, 8], seed: 3)
        let v = randomArray([2, 3, 7, 4], seed: 4)
        let (output, weights) = ScaledDotProductAttention<Float>()(query: q, key: k, value: v)
        XCTAssertEqual(output.shape, [2, 3, 5, 4])
        assertClose(weights.sum(axis: -1), .ones([2, 3, 5]), tolerance: 1e-6)
    }

    func testCausalWeightsAreExactlyZeroOnTheFuture() {
        // LiteTorch's test_causal_mask checks < 1e-6; with −∞ it is exactly 0.
        let x = randomArray([1, 4, 16], seed: 5)
        let (_, weights) = ScaledDotProductAttention<Float>()(query: x, key: x, value: x, mask: createCausalMask(seqLen: 4))
        for i in 0..<4 {
            for j in (i + 1)..<4 { XCTAssertEqual(weights[0, i, j].item(), 0) }
        }
    }

    func testOneQueryByHand() {
        // q = [1, 1], keys [2, 0] and [0, 0]: scores (2, 0)/√2; weights e^√2/(e^√2 + 1) and 1/(e^√2 + 1).
        let q: NDArray<Double> = [[1, 1]], k: NDArray<Double> = [[2, 0], [0, 0]], v: NDArray<Double> = [[10, 0], [0, 10]]
        let (output, weights) = ScaledDotProductAttention<Double>()(query: q, key: k, value: v)
        let e = Foundation.exp(2.0.squareRoot())
        assertClose(weights, [[e / (e + 1), 1 / (e + 1)]], tolerance: 1e-15)
        assertClose(output, [[10 * e / (e + 1), 10 / (e + 1)]], tolerance: 1e-14)
    }

    func testDropoutOnTheWeightsOnlyWhileTraining() {
        var rng = generator()
        let attention = ScaledDotProductAttention<Float>(dropout: 0.5, using: &rng)
        let x = randomArray([1, 6, 8], seed: 6)
        let plain = ScaledDotProductAttention<Float>()(query: x, key: x, value: x).output
        XCTAssertNotEqual(attention(query: x, key: x, value: x).output, plain)
        attention.eval()
        XCTAssertEqual(attention(query: x, key: x, value: x).output, plain)
    }
}

import Foundation
