// OperationGradientTests.swift — every backward of an operation agrees with finite differences.
//
// After reading this file you should know how to check a gradient: make the
// operation's output a scalar with random weights R (loss = Σ f(x)·R, so that
// dY = R), run the backward with dY, and compare with central differences of
// the loss (`checkGradients`), in Double, to 1e-6.
//
// Rebuild it yourself: Exercises/Sources/25-cross-entropy-backward, Exercises/Sources/26-linear-backward, Exercises/Sources/27-softmax-backward, Exercises/Sources/30-gradient-check (docs/Exercises.md).

import Backprop
import NDArray
import NN
import TestSupport
import XCTest

/// Σ a·r, the scalar that makes r the output's gradient.
private func weighted(_ a: NDArray<Double>, _ r: NDArray<Double>) -> Double { (a * r).sum() }

private func assertGradientsMatch(_ results: [GradientCheckResult], tolerance: Double = 1e-6,
                                  file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(results.isEmpty, file: file, line: line)
    for result in results {
        XCTAssertLessThanOrEqual(result.maxError, tolerance, "\(result)", file: file, line: line)
    }
}

final class OperationGradientTests: XCTestCase {
    var rng = SeededGenerator(seed: 42)

    func random(_ shape: Int...) -> NDArray<Double> { NDArray<Double>.normal(shape, using: &rng) }

    func testTheCheckerCatchesAWrongGradient() {
        // d(Σ x²·r)/dx = 2x·r; claiming x·r must fail by order one.
        let x = random(3, 4), r = random(3, 4)
        let right = checkGradients(["x": x], analytic: ["x": 2 * x * r]) { weighted($0["x"]! * $0["x"]!, r) }
        let wrong = checkGradients(["x": x], analytic: ["x": x * r]) { weighted($0["x"]! * $0["x"]!, r) }
        XCTAssertLessThan(right[0].maxError, 1e-8)
        XCTAssertGreaterThan(wrong[0].maxError, 0.1)
        XCTAssertEqual(wrong[0].shape, [3, 4])
        XCTAssertTrue(wrong[0].description.hasPrefix("x [3, 4]: max error"), wrong[0].description)
        // Half the true gradient: every relative error is exactly ½ (up to the differences' rounding).
        XCTAssertEqual(wrong[0].maxRelativeError, 0.5, accuracy: 1e-6)
        XCTAssertLessThan(right[0].maxRelativeError, 1e-6)
        let worst = wrong[0].worstIndex
        let g = (2 * x * r)[worst[0], worst[1]].item()
        XCTAssertEqual(wrong[0].maxAbsoluteError, Swift.abs(g) / 2, accuracy: 1e-6)   // the largest |2xr| is the worst
    }

    func testLinear() {
        let x = random(2, 3, 5), w = random(4, 5), b = random(4), r = random(2, 3, 4)
        let (dX, dW, dB) = linearBackward(dOut: r, input: x, weight: w)
        assertGradientsMatch(checkGradients(["x": x, "w": w, "b": b], analytic: ["x": dX, "w": dW, "b": dB!]) { v in
            weighted(matmul(v["x"]!, v["w"]!.T) + v["b"]!, r)
        })
    }

    func testMatmulWithABroadcastBatch() {
        let a = random(2, 3, 4, 5), b = random(3, 5, 6), r = random(2, 3, 4, 6)      // [B, NH, M, K]·[NH, K, N]
        let (dA, dB) = matmulBackward(dOut: r, a, b)
        XCTAssertEqual(dB.shape, [3, 5, 6])
        assertGradientsMatch(checkGradients(["a": a, "b": b], analytic: ["a": dA, "b": dB]) { v in
            weighted(matmul(v["a"]!, v["b"]!), r)
        })
    }

    func testBroadcastingSumsOverTheStretchedAxes() {
        let x = random(2, 3, 4), b = random(3, 1), r = random(2, 3, 4)
        XCTAssertEqual(sumToShape(r, [3, 1]).shape, [3, 1])
        assertGradientsMatch(checkGradients(["b": b], analytic: ["b": sumToShape(r, [3, 1])]) { v in
            weighted(x + v["b"]!, r)
        })
        XCTAssertEqual(sumToShape(NDArray<Double>.ones([2, 3]), [3]), NDArray<Double>([2, 2, 2]))    // by hand
    }

    func testEmbeddingAccumulatesRepeatedIds() {
        let table = random(6, 3), ids = NDArray<Int>([[1, 4, 1], [0, 1, 5]]), r = random(2, 3, 3)
        let dW = embeddingBackward(dOut: r, ids: ids, vocabSize: 6)
        assertClose(dW[1], r[0, 0] + r[0, 2] + r[1, 1], tolerance: 1e-12)                        // id 1 three times
        XCTAssertEqual(dW[2], NDArray<Double>.zeros([3]))                        // never looked up
        assertGradientsMatch(checkGradients(["w": table], analytic: ["w": dW]) { v in
            weighted(Embedding(weight: v["w"]!)(ids), r)
        })
    }

    func testLayerNorm() {
        let x = random(2, 3, 6), w = random(6), b = random(6), r = random(2, 3, 6)
        let (mean, rstd) = x.layerNormStatistics(eps: 1e-5)
        let (dX, dW, dB) = layerNormBackward(dOut: r, input: x, weight: w, mean: mean, rstd: rstd)
        assertGradientsMatch(checkGradients(["x": x, "w": w, "b": b], analytic: ["x": dX, "w": dW!, "b": dB]) { v in
            weighted(v["x"]!.layerNorm(weight: v["w"]!, bias: v["b"]!, eps: 1e-5), r)
        })
    }

    func testActivations() {
        let x = random(3, 7), r = random(3, 7)
        let forwards: [(Activation, (NDArray<Double>) -> NDArray<Double>)] = [
            (.relu, { relu($0) }), (.gelu, { gelu($0) }), (.geluTanh, { gelu($0, approximate: true) }),
            (.silu, { silu($0) }), (.sigmoid, { sigmoid($0) }), (.tanh, { tanh($0) }),
        ]
        for (kind, forward) in forwards {
            let dX = activationBackward(kind, dOut: r, input: x)
            let results = checkGradients(["x": x], analytic: ["x": dX]) { weighted(forward($0["x"]!), r) }
            XCTAssertLessThanOrEqual(results[0].maxError, 1e-6, "\(kind): \(results[0])")
        }
    }

    func testSoftmaxWithAMaskedPosition() {
        var x = random(2, 5)
        x[0, 3] = NDArray(-Double.infinity)                                     // a masked key
        let r = random(2, 5)
        let dX = softmaxBackward(dOut: r, output: x.softmax(axis: -1))
        XCTAssertEqual(dX[0, 3].item(), 0)
        var finite = x
        finite[0, 3] = NDArray(-1e300)                                          // finite differences need a number
        assertGradientsMatch(checkGradients(["x": finite], analytic: ["x": dX]) { v in
            weighted(v["x"]!.softmax(axis: -1), r)
        })
    }

    func testCrossEntropyWithIgnoreIndexAndLabelSmoothing() {
        let logits = random(2, 3, 5)
        let targets = NDArray<Int>([[1, -100, 4], [0, 2, -100]])
        for smoothing in [0.0, 0.1] {
            let dZ = crossEntropyBackward(logits: logits, targets: targets, labelSmoothing: smoothing)
            XCTAssertEqual(dZ[0, 1], NDArray<Double>.zeros([5]))                // an ignored row
            assertGradientsMatch(checkGradients(["z": logits], analytic: ["z": dZ]) { v in
                crossEntropy(logits: v["z"]!, targets: targets, labelSmoothing: smoothing)
            })
        }
        // By hand: one row, uniform logits over 4 classes, target 2: dZ = (¼ − onehot) / 1.
        let uniform = crossEntropyBackward(logits: NDArray<Double>.zeros([1, 4]), targets: NDArray<Int>([2]))
        XCTAssertEqual(uniform, NDArray<Double>([[0.25, 0.25, -0.75, 0.25]]))
    }
}
