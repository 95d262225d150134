// LinearTests.swift — y = x·Wᵀ + b.
//
// After reading this file you should know that the weight is [out, in] (PyTorch's
// layout, so `x·Wᵀ`), that any leading axes pass through ([B, T, in] → [B, T, out]),
// and that a layer without bias has one parameter fewer.
//
// Rebuild it yourself: Exercises/Sources/11-linear (docs/Exercises.md).

import NDArray
@testable import NN
import TestSupport
import XCTest

final class LinearTests: XCTestCase {
    func testMatchesPyTorch() {
        for (name, bias) in [("linear", true), ("linear_nobias", false)] {
            let fixture = TorchFixture(name)
            var rng = generator()
            let layer = Linear<Float>(inFeatures: 6, outFeatures: 5, bias: bias, using: &rng)
            fixture.load(into: layer)
            let y = layer(fixture["input"])
            XCTAssertEqual(y.shape, [2, 3, 5])
            assertClose(y, fixture["output"], tolerance: 1e-6, name)
        }
    }

    func testHandWorkedProduct() {
        // W = [[1, 2], [3, 4], [5, 6]] ([out 3, in 2]), b = [10, 20, 30]; x = [1, -1] → [-1+10, -1+20, -1+30].
        let layer = Linear<Float>(weight: [[1, 2], [3, 4], [5, 6]], bias: [10, 20, 30])
        XCTAssertEqual(layer(NDArray<Float>([1, -1])), [9, 19, 29])
        XCTAssertEqual(layer.inFeatures, 2)
        XCTAssertEqual(layer.outFeatures, 3)
    }

    func testParametersAreNamedAsInPyTorch() {
        var rng = generator()
        let layer = Linear<Float>(inFeatures: 4, outFeatures: 3, using: &rng)
        XCTAssertEqual(layer.namedParameters.map(\.name), ["weight", "bias"])
        XCTAssertEqual(layer.namedParameters.map(\.value.shape), [[3, 4], [3]])
        XCTAssertEqual(layer.parameterCount, 3 * 4 + 3)
        let noBias = Linear<Float>(inFeatures: 4, outFeatures: 3, bias: false, using: &rng)
        XCTAssertEqual(noBias.namedParameters.map(\.name), ["weight"])
    }

    func testXavierUniformStaysInsideItsBound() {
        var rng = generator(3)
        let layer = Linear<Float>(inFeatures: 300, outFeatures: 100, using: &rng)
        let bound = Float((6.0 / 400).squareRoot())
        XCTAssertLessThanOrEqual(layer.weight.max(), bound)
        XCTAssertGreaterThanOrEqual(layer.weight.min(), -bound)
        XCTAssertGreaterThan(layer.weight.max(), 0.95 * bound, "30000 draws reach near the bound")
        // U(−a, a) has variance a²/3.
        XCTAssertEqual(Double(layer.weight.var()), Double(bound * bound) / 3, accuracy: 0.03 * Double(bound * bound) / 3)
        XCTAssertEqual(layer.bias, NDArray<Float>.zeros([100]))
    }

    func testDoubleLayersWorkTheSame() {
        let layer = Linear<Double>(weight: [[1, 2], [3, 4]], bias: nil)
        XCTAssertEqual(layer(NDArray<Double>([[1, 1]])), [[3, 7]])
    }
}
