// SoftmaxTests.swift — softmax, logSoftmax and logSumExp.
//
// After reading this file you should know why the row maximum is subtracted
// first (exp(1e4) overflows, exp(0) does not), and what a row masked entirely
// with -infinity gives: zeros from softmax, -infinity from logSoftmax and
// logSumExp — never NaN, unlike NumPy's and PyTorch's naive formulas.
//
// Rebuild it yourself: Exercises/Sources/07-softmax (docs/Exercises.md).

import NDArray
import TestSupport
import XCTest

final class SoftmaxTests: XCTestCase {
    func testSoftmaxRowsSumToOne() {
        let logits: NDArray<Float> = [[1, 2, 3], [0, 0, 0]]
        let p = logits.softmax(axis: -1)
        assertClose(p.sum(axis: -1), [1, 1], tolerance: 1e-6)
        assertClose(p[1], NDArray<Float>.full([3], 1.0 / 3), tolerance: 1e-6)
    }

    func testHugeLogitsStayFinite() {
        let logits: NDArray<Float> = [1e4, -1e4, 0, 1e4]
        XCTAssertEqual(logits.softmax(), [0.5, 0, 0, 0.5])
        XCTAssertEqual(logits.logSumExp().item(), 1e4 + Foundation.log(2), accuracy: 1e-3)
        let logProbabilities = logits.logSoftmax()
        XCTAssertTrue(isFinite(logProbabilities).all())
        let ln2 = Float(Foundation.log(2.0))
        assertClose(logProbabilities, NDArray<Float>([-ln2, -2e4 - ln2, -1e4 - ln2, -ln2]), tolerance: 1e-6)
    }

    func testARowMaskedWithMinusInfinityGivesZerosNotNaN() {
        let masked: NDArray<Float> = [[-.infinity, -.infinity], [0, -.infinity]]
        XCTAssertEqual(masked.softmax(), [[0, 0], [1, 0]])
        XCTAssertEqual(masked.logSoftmax(), [[-.infinity, -.infinity], [0, -.infinity]])
        XCTAssertEqual(masked.logSumExp(), [-.infinity, 0])
        XCTAssertFalse(isNaN(masked.softmaxReference()).any())
    }

    func testFixturesMatchAlongBothAxes() {
        let z: NDArray<Double> = Fixtures.load("sm_logits")
        for (tag, axis) in [("m1", -1), ("0", 0)] {
            assertClose(z.softmax(axis: axis), Fixtures.load("sm_softmax_\(tag)"), tolerance: 1e-14, "softmax \(tag)")
            assertClose(z.logSoftmax(axis: axis), Fixtures.load("sm_log_softmax_\(tag)"), tolerance: 1e-14, "log_softmax \(tag)")
            assertClose(z.logSumExp(axis: axis), Fixtures.load("sm_logsumexp_\(tag)"), tolerance: 1e-14, "logsumexp \(tag)")
            assertClose(z.softmaxReference(axis: axis), Fixtures.load("sm_softmax_\(tag)"), tolerance: 1e-14, "reference \(tag)")
            // x − logSumExp(x) loses digits when both are near 1e4; the row kernel subtracts the max first.
            assertClose(z.logSoftmaxReference(axis: axis), Fixtures.load("sm_log_softmax_\(tag)"), tolerance: 1e-12)
            assertClose(z.logSumExpReference(axis: axis), Fixtures.load("sm_logsumexp_\(tag)"), tolerance: 1e-14)
        }
    }

    func testKeepDimsOnLogSumExp() {
        let z = NDArray<Double>.arange(6).reshaped(2, 3)
        XCTAssertEqual(z.logSumExp(axis: 0, keepDims: true).shape, [1, 3])
        assertClose(z - z.logSumExp(axis: 1, keepDims: true), z.logSoftmax(axis: 1), tolerance: 1e-15)
    }

    func testSoftmaxIgnoresTheLayoutAndAgreesWithItsReference() {
        for layout in everyLayout([3, 4]) {
            let plain = NDArray<Double>(shape: [3, 4], scalars: layout.values)
            for axis in [0, 1, -1] {
                assertClose(layout.array.softmax(axis: axis), plain.softmaxReference(axis: axis), tolerance: 1e-15, layout.name)
                assertClose(layout.array.logSoftmax(axis: axis), plain.logSoftmaxReference(axis: axis), tolerance: 1e-14, layout.name)
                assertClose(layout.array.logSumExp(axis: axis), plain.logSumExpReference(axis: axis), tolerance: 1e-14, layout.name)
            }
        }
    }
}
