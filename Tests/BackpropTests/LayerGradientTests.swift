// LayerGradientTests.swift — each layer's backward, checked against finite differences of the layer itself.
//
// After reading this file you should know the pattern every layer follows:
// `forwardSaving` keeps what the backward needs, `backward` returns dX and adds
// each parameter's gradient into a `Gradients` under the parameter's name, and
// finite differences of the real layer (dropout included: its stream is rewound
// for every evaluation) agree to 1e-6 in Double.
//
// Rebuild it yourself: Exercises/Sources/28-layer-norm-backward (docs/Exercises.md).

import Backprop
import NDArray
import NN
import XCTest

final class LayerGradientTests: XCTestCase {
    var rng = SeededGenerator(seed: 7)

    func random(_ shape: Int...) -> NDArray<Double> { NDArray<Double>.normal(shape, using: &rng) }

    func testLinear() {
        let layer = Linear<Double>(inFeatures: 5, outFeatures: 3, using: &rng)
        layer.bias = random(3)
        let x = random(2, 4, 5), r = random(2, 4, 3)
        checkLayer(layer, input: x, dOut: r, forward: { layer($0) }) { gradients in
            let (_, saved) = layer.forwardSaving(x)
            return layer.backward(r, saved, into: &gradients)
        }
    }

    func testLayerNorm() {
        for affine in [true, false] {                                   // with γ and β, and with neither
            let layer = LayerNorm<Double>(normalizedShape: 6, elementwiseAffine: affine)
            if affine {
                layer.weight = random(6)
                layer.bias = random(6)
            }
            let x = random(3, 6), r = random(3, 6)
            checkLayer(layer, input: x, dOut: r, forward: { layer($0) }) { gradients in
                let (_, saved) = layer.forwardSaving(x)
                return layer.backward(r, saved, into: &gradients)
            }
        }
    }

    func testRMSNorm() {
        for affine in [true, false] {
            let layer = RMSNorm<Double>(normalizedShape: 6, elementwiseAffine: affine)
            if affine { layer.weight = random(6) }
            let x = random(2, 3, 6), r = random(2, 3, 6)
            checkLayer(layer, input: x, dOut: r, forward: { layer($0) }) { gradients in
                let (_, saved) = layer.forwardSaving(x)
                return layer.backward(r, saved, into: &gradients)
            }
        }
        // By hand, one row x = [3, 4] with γ = 1, eps → 0: r = 1/√12.5, n = x·r; dY = [1, 0]:
        // dX = r·(dY − n·mean(dY·n)) = r·([1, 0] − n·(n₀/2)).
        let layer = RMSNorm<Double>(normalizedShape: 2, eps: 0)
        let x = NDArray<Double>([[3, 4]])
        let (_, saved) = layer.forwardSaving(x)
        var gradients = Gradients(zerosFor: layer)
        let dX = layer.backward(NDArray<Double>([[1, 0]]), saved, into: &gradients)
        let r = 1 / 12.5.squareRoot(), n = [3 * r, 4 * r]
        XCTAssertEqual(dX[0, 0].item(), r * (1 - n[0] * n[0] / 2), accuracy: 1e-12)
        XCTAssertEqual(dX[0, 1].item(), r * (0 - n[1] * n[0] / 2), accuracy: 1e-12)
        XCTAssertEqual(gradients["weight"]!.scalars, [n[0], 0])
    }

    func testFeedForwardInEveryVariantWithDropout() {
        for variant in FeedForwardVariant.allCases {
            for activation in Activation.allCases where variant == .standard || activation == .relu {
                let layer = FeedForward<Double>(hiddenDim: 4, ffnDim: 6, dropout: 0.3, activation: activation,
                                                variant: variant, using: &rng)
                layer.updateParameters { name, value in if name.hasSuffix("bias") { value = self.random(value.shape[0]) } }
                let x = random(2, 3, 4), r = random(2, 3, 4)
                let stream = layer.dropout.generator                              // the same mask every evaluation
                checkLayer(layer, input: x, dOut: r, rewind: { layer.dropout.generator = stream },
                      forward: { layer($0) }) { gradients in
                    layer.dropout.generator = stream
                    let (_, saved) = layer.forwardSaving(x)
                    XCTAssertNotNil(saved.dropout.mask)
                    return layer.backward(r, saved, into: &gradients)
                }
            }
        }
    }

    func testDropoutPassesTheGradientThroughItsMask() {
        let dropout = Dropout<Double>(p: 0.5, using: &rng)
        let x = random(4, 8), r = random(4, 8)
        let (y, saved) = dropout.forwardSaving(x)
        let dX = dropout.backward(r, saved)
        for i in 0..<32 {
            let (kept, xi, yi) = (saved.mask!.scalars[i], x.scalars[i], y.scalars[i])
            XCTAssertTrue(kept == 0 || kept == 2)                                // 0 or 1/(1 − p)
            XCTAssertEqual(yi, xi * kept)
            XCTAssertEqual(dX.scalars[i], r.scalars[i] * kept)
        }
        dropout.eval()
        XCTAssertNil(dropout.forwardSaving(x).saved.mask)
        XCTAssertEqual(dropout.backward(r, dropout.forwardSaving(x).saved), r)
    }

    func testASecondBackwardAccumulates() {
        // Backwards add: two without a zero() in between give twice the gradient, and the count says 2.
        let layer = Linear<Double>(inFeatures: 3, outFeatures: 2, using: &rng)
        let x = random(4, 3), r = random(4, 2)
        var gradients = Gradients(zerosFor: layer)
        let saved = layer.forwardSaving(x).saved
        _ = layer.backward(r, saved, into: &gradients)
        gradients.finishBackward()
        let once = gradients["weight"]!
        _ = layer.backward(r, saved, into: &gradients)
        gradients.finishBackward()
        XCTAssertEqual(gradients["weight"]!, once * 2)
        XCTAssertEqual(gradients.accumulatedBackwards, 2)
        gradients.zero()
        XCTAssertEqual(gradients["weight"]!, .zeros([2, 3]))
        XCTAssertEqual(gradients.accumulatedBackwards, 0)
    }

    func testGlobalNormByHand() {
        let layer = Linear<Double>(inFeatures: 2, outFeatures: 1, using: &rng)     // weight [1, 2], bias [1]
        var gradients = Gradients(zerosFor: layer)
        gradients.accumulate("weight", NDArray<Double>([[3, 0]]))
        gradients.accumulate("bias", NDArray<Double>([4]))
        XCTAssertEqual(gradients.globalNorm, 5)                                    // √(9 + 16)
        XCTAssertEqual(gradients.names, ["weight", "bias"])
    }
}
