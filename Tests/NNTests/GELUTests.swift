// GELUTests.swift — x·Φ(x), exact and in GPT-2's tanh form.
//
// After reading this file you should know the two formulas, that they agree to
// within 5e-4 everywhere (but are not the same function), and which one a
// model needs: the one it was trained with.
//
// Rebuild it yourself: Exercises/Sources/09-gelu-tanh (docs/Exercises.md).

import NDArray
import NN
import TestSupport
import XCTest

final class GELUTests: XCTestCase {
    func testBothFormsMatchPyTorch() {
        let fixture = TorchFixture("gelu")
        let x: NDArray<Float> = fixture["input"]
        assertClose(GELU<Float>()(x), fixture["output"], tolerance: 1e-6)
        assertClose(GELU<Float>(approximate: true)(x), fixture["output_tanh"], tolerance: 1e-6)
    }

    func testTheFastKernelAgreesWithTheFormula() {
        let x = randomArray([1000], seed: 3) * 4
        for form in [false, true] {
            let layer = GELU<Float>(approximate: form)
            assertClose(layer(x), layer.forwardReference(x), tolerance: 1e-6, "\(form)")
            // Double runs Foundation's erf and exp, sharing no code with the Float kernel.
            assertClose(layer(x), GELU<Double>(approximate: form)(x.asType(Double.self)).asType(Float.self),
                        tolerance: 1e-6, "\(form) against Double")
        }
    }

    func testTheTwoFormsDifferByLessThanFiveTenThousandths() {
        let x = NDArray<Double>.linspace(-8, 8, count: 4001)
        let difference = abs(GELU<Double>()(x) - GELU<Double>(approximate: true)(x)).max()
        XCTAssertLessThan(difference, 5e-4)
        XCTAssertGreaterThan(difference, 1e-4, "…but they are different functions")
    }

    func testHandWorkedValues() {
        // Φ(1) = 0.8413447, so gelu(1) = 0.8413447 and gelu(−1) = −(1 − Φ(1)) = −0.1586553.
        assertClose(GELU<Double>()(NDArray<Double>([1, -1, 0])), [0.8413447460685429, -0.15865525393145707, 0],
                    tolerance: 1e-15)
    }
}
