// LayerNormTests.swift — normalising each vector over its last axis.
//
// After reading this file you should know that layer norm makes each row have
// mean 0 and variance 1 (with γ = 1, β = 0), that the variance has no Bessel
// correction (divide by C, not C − 1), and where γ and β come in.
//
// Rebuild it yourself: Exercises/Sources/08-layer-norm (docs/Exercises.md).

import NDArray
import NN
import TestSupport
import XCTest

final class LayerNormTests: XCTestCase {
    func testMatchesPyTorch() {
        let fixture = TorchFixture("layernorm")
        let norm = LayerNorm<Float>(normalizedShape: 8)
        fixture.load(into: norm)
        assertClose(norm(fixture["input"]), fixture["output"], tolerance: 2e-6)
        assertClose(norm.forwardReference(fixture["input"]), fixture["output"], tolerance: 2e-6)
    }

    func testRowsGetMeanZeroAndVarianceOne() {
        // LiteTorch's test_layer_norm_mean_variance, on shifted and scaled data.
        let x = randomArray([2, 10, 64], seed: 5) * 4 + 3
        let y = LayerNorm<Float>(normalizedShape: 64)(x)
        XCTAssertEqual(y.shape, [2, 10, 64])
        assertClose(y.mean(axis: -1), .zeros([2, 10]), tolerance: 1e-6)
        assertClose(y.var(axis: -1), .ones([2, 10]), tolerance: 1e-4)   // var(x) / (var(x) + eps)
    }

    func testHandWorkedRow() {
        // [1, 2, 3, 4]: mean 2.5, variance 1.25 (divided by 4), so y = (x − 2.5)/√1.25; then γ = 2, β = 1.
        let norm = LayerNorm<Double>(normalizedShape: 4, eps: 0)
        norm.updateParameters { name, value in value = name == "weight" ? .full([4], 2) : .ones([4]) }
        let s = 1.25.squareRoot()
        assertClose(norm(NDArray<Double>([1, 2, 3, 4])), [1 - 3 / s, 1 - 1 / s, 1 + 1 / s, 1 + 3 / s], tolerance: 1e-15)
        XCTAssertEqual(norm.gamma, .full([4], 2))
        XCTAssertEqual(norm.beta, .ones([4]))
    }

    func testParametersAndOptions() {
        XCTAssertEqual(LayerNorm<Float>(normalizedShape: 8).namedParameters.map(\.name), ["weight", "bias"])
        XCTAssertEqual(LayerNorm<Float>(normalizedShape: 8, bias: false).namedParameters.map(\.name), ["weight"])
        XCTAssertTrue(LayerNorm<Float>(normalizedShape: 8, elementwiseAffine: false).namedParameters.isEmpty)
    }
}
