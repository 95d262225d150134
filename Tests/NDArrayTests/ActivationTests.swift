// ActivationTests.swift — tanh, erf, sigmoid, relu, silu and both GELUs.
//
// After reading this file you should know what each activation computes (the
// hand-worked values), why 1 − 2/(e^2x + 1) is not used for tanh near zero
// (it cancels: tanh(1e-4) would lose every digit but one), and that the fast
// Float kernels stay within a few units in the last place of Foundation's
// functions computed in Double, over the whole range a network produces.

import Foundation
@testable import NDArray
import TestSupport
import XCTest

final class ActivationTests: XCTestCase {
    /// Every float a network might produce: a dense grid over ±12, tiny values, the limits.
    private let inputs: [Float] = {
        var values = stride(from: -12.0, through: 12.0, by: 1.0 / 1024).map { Float($0) }
        values += [1e-4, -1e-4, 1e-20, -1e-20, 0, -0, 0.4999, 0.5, 0.5001, 0.6249, 0.625, 0.6251,
                   -30, 30, -90, 90, 1e30, -1e30, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        return values
    }()

    /// The largest relative error of `fast` against `exact` (computed in Double), where |exact| ≥ `floor`.
    private func worstError(_ fast: NDArray<Float>, _ exact: (Double) -> Double, floor: Double = 1e-30)
        -> (error: Double, at: Float) {
        var worst = (error: 0.0, at: Float(0))
        for (x, y) in zip(inputs, fast.scalars) {
            let reference = exact(Double(x))
            let error = Swift.abs(Double(y) - reference) / Swift.max(Swift.abs(reference), floor)
            if error > worst.error { worst = (error, x) }
        }
        return worst
    }

    func testHandWorkedValues() {
        let x: NDArray<Float> = [-2, 0, 1]
        assertClose(relu(x), [0, 0, 1], tolerance: 0)
        assertClose(sigmoid(x), [0.11920292, 0.5, 0.7310586], tolerance: 1e-7)
        assertClose(silu(x), [-0.23840584, 0, 0.7310586], tolerance: 1e-7)
        assertClose(erf(x), [-0.9953223, 0, 0.8427008], tolerance: 1e-7)
        assertClose(gelu(x), [-0.04550026, 0, 0.8413447], tolerance: 1e-7)         // x·Φ(x)
        assertClose(gelu(x, approximate: true), [-0.04540231, 0, 0.8411920], tolerance: 1e-7)
        assertClose(tanh(x), [-0.9640276, 0, 0.7615942], tolerance: 1e-7)
    }

    func testFloatKernelsStayWithinAFewUlpsOfFoundation() {
        let x = NDArray<Float>(inputs)
        let ulp = Double(Float.ulpOfOne)
        let tiny = Double(Float.leastNormalMagnitude)
        // (name, kernel, exact in Double, ulps allowed, below which |exact| the error is measured absolutely)
        let cases: [(String, NDArray<Float>, (Double) -> Double, Double, Double)] = [
            ("tanh", tanh(x), { Foundation.tanh($0) }, 2, tiny),
            ("erf", erf(x), { Foundation.erf($0) }, 2, tiny),
            ("sigmoid", sigmoid(x), { 1 / (1 + Foundation.exp(-$0)) }, 3, tiny),
            // x · e^x for x ≤ −88 multiplies a subnormal e^x (fewer bits) back into the normal range.
            ("silu", silu(x), { $0 / (1 + Foundation.exp(-$0)) }, 3, 1e-30),
            // gelu's far negative tail (|result| < 1) is measured against 1: x/√2 rounded to a float
            // already moves e^(−x²/2) by about x²/2 ulps there, in any Float implementation (PyTorch's too).
            ("gelu", gelu(x), { 0.5 * $0 * Foundation.erfc(-$0 / 2.0.squareRoot()) }, 3, 1),
            // x/2 · (1 + tanh u) written as x/(1 + e^−2u), so the reference does not cancel either.
            ("gelu tanh", gelu(x, approximate: true), {
                $0 / (1 + Foundation.exp(-2 * 0.7978845608028654 * ($0 + 0.044715 * $0 * $0 * $0))) }, 3, 1),
        ]
        for (name, fast, exact, ulps, floor) in cases {
            let worst = worstError(fast, exact, floor: floor)
            XCTAssertLessThanOrEqual(worst.error, ulps * ulp, "\(name): \(worst.error / ulp) ulps at x = \(worst.at)")
        }
    }

    func testDerivativeKernelsMatchTheDerivativesInDouble() {
        // Inside ±12, where a network's pre-activations live (beyond, every derivative is 0 or 1).
        let inside = inputs.filter { Swift.abs($0) <= 12 }
        let x = NDArray<Float>(shape: [inside.count], scalars: inside)
        let ones = NDArray<Float>(shape: [inside.count], repeating: 1)
        for kind in Activation.allCases {
            let fast = activationGradient(kind, dOut: ones, input: x)
            var worst = 0.0
            for (v, y) in zip(inside, fast.scalars) {
                let exact = derivativeScalar(kind, Double(v))
                worst = Swift.max(worst, Swift.abs(Double(y) - exact))
            }
            // Absolute: each derivative is at most about 1.13, and near 0 (1 − tanh², s(1 − s) in the
            // tails) Float rounding of tanh or s near 1 leaves errors of 1e-8 to 1e-6 (geluTanh multiplies
            // 1 − s by 2x(1 + 0.134x²)). A wrong formula is off by 1e-2 or more.
            XCTAssertLessThan(worst, 5e-6, "\(kind)")
        }
        // By hand at x = 1: gelu′ = Φ(1) + φ(1) = 0.8413447 + 0.2419707; tanh′ = 1 − tanh²(1).
        let one = NDArray<Float>([1]), two = NDArray<Float>([2])
        XCTAssertEqual(activationGradient(.gelu, dOut: two, input: one)[0].item(), 2 * 1.0833154, accuracy: 1e-6)
        XCTAssertEqual(activationGradient(.tanh, dOut: two, input: one)[0].item(), 2 * 0.41997434, accuracy: 1e-6)
        XCTAssertEqual(activationGradient(.relu, dOut: NDArray<Float>([2, 2, 2]), input: NDArray<Float>([-1, 0, 3])).scalars, [0, 0, 2])
    }

    func testGELUGradientFromTheOutputMatchesTheDefinition() {
        let inside = inputs.filter { Swift.abs($0) <= 12 }
        let x = NDArray<Float>(shape: [inside.count], scalars: inside)
        let ones = NDArray<Float>.ones(x.shape)
        let fromOutput = geluGradient(dOut: ones, input: x, output: gelu(x))
        for (v, y) in zip(x.scalars, fromOutput.scalars) {
            XCTAssertEqual(Double(y), derivativeScalar(.gelu, Double(v)), accuracy: 5e-6, "x = \(v)")
        }
        XCTAssertEqual(geluGradient(dOut: NDArray<Float>([3]), input: NDArray<Float>([0]), output: NDArray<Float>([0])).scalars, [1.5])
    }

    func testTanhNearZeroKeepsItsDigits() {
        // 1 − 2/(e^2x + 1) at x = 1e-4 keeps about 3 significant digits; the polynomial keeps all of them.
        let t = tanh(NDArray<Float>([1e-4, -3e-6]))
        XCTAssertEqual(t.scalars[0], Float(Foundation.tanh(1e-4)), accuracy: 1e-11)
        XCTAssertEqual(t.scalars[1], Float(Foundation.tanh(-3e-6)), accuracy: 1e-13)
    }

    func testSpecialValues() {
        let x: NDArray<Float> = [.infinity, -.infinity, .nan]
        XCTAssertEqual(tanh(x).scalars.prefix(2), [1, -1])
        XCTAssertEqual(erf(x).scalars.prefix(2), [1, -1])
        XCTAssertEqual(sigmoid(x).scalars.prefix(2), [1, 0])
        XCTAssertEqual(gelu(x).scalars.prefix(1), [.infinity])
        XCTAssertEqual(relu(x).scalars.prefix(2), [.infinity, 0])
        for f in [tanh, erf, sigmoid, silu, relu, { gelu($0) }, { gelu($0, approximate: true) }] as [(NDArray<Float>) -> NDArray<Float>] {
            XCTAssertTrue(f(x).scalars[2].isNaN, "NaN in, NaN out")
        }
        XCTAssertEqual(gelu(NDArray<Float>([-1e30])).scalars[0], 0)
    }

    func testDoubleUsesFoundationElementByElement() {
        let x = NDArray<Double>.linspace(-6, 6, count: 97)
        XCTAssertEqual(erf(x).scalars, x.scalars.map { Foundation.erf($0) })
        XCTAssertEqual(tanh(x).scalars, x.scalars.map { Foundation.tanh($0) })
        assertClose(gelu(x), x * 0.5 * (1 + erf(x / 2.0.squareRoot())), tolerance: 1e-15)
        assertClose(silu(x), x * sigmoid(x), tolerance: 1e-15)
        // Far below zero the tanh form is x·sigmoid(2u), not 0: written as x/2·(1 + tanh u) it would cancel.
        let u = 0.7978845608028654 * (-8 + 0.044715 * -512)
        XCTAssertEqual(gelu(NDArray<Double>([-8]), approximate: true).item(), -8 / (1 + Foundation.exp(-2 * u)),
                       accuracy: 1e-300)
        XCTAssertLessThan(gelu(NDArray<Double>([-8]), approximate: true).item(), 0)
    }

    func testLayoutsAndShapesAreKept() {
        let x = NDArray<Float>.linspace(-3, 3, count: 12).reshaped(3, 4)
        let transposedResult = gelu(x.T)
        XCTAssertEqual(transposedResult.shape, [4, 3])
        XCTAssertEqual(transposedResult, gelu(x).T.contiguous())
        XCTAssertEqual(silu(x[.all, .stride(by: 2)]), silu(x)[.all, .stride(by: 2)].contiguous())
    }

    func testThreadCountDoesNotChangeABit() {
        var generator = SeededGenerator(seed: 7)
        let x = NDArray<Float>.normal([3 * unaryGrain + 13], std: 3, using: &generator)
        for f in [tanh, erf, { gelu($0) }, { gelu($0, approximate: true) }] as [(NDArray<Float>) -> NDArray<Float>] {
            let one = ComputeThreads.withCount(1) { f(x) }
            let two = ComputeThreads.withCount(2) { f(x) }
            XCTAssertEqual(one, two)
        }
    }
}
