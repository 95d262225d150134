// OptimizerTests.swift — SGD, Adam and AdamW step for step as torch.optim; schedules and clipping by hand.
//
// After reading this file you should know what each optimizer does with a
// gradient (momentum, bias-corrected moments, decoupled decay that skips
// biases, norms and embeddings), what the warmup-then-cosine schedule gives at
// each step, and that clipping rescales every gradient by one factor.
//
// Rebuild it yourself: Exercises/Sources/31-sgd-adamw, Exercises/Sources/32-warmup-cosine (docs/Exercises.md).

import Backprop
import Foundation
import NDArray
import NN
import XCTest

/// Three named parameters, as a model would hold them.
private final class ThreeParameters: Layer {
    var weight: NDArray<Double>, bias: NDArray<Double>, table: NDArray<Double>
    var isTraining = true

    init(weight: NDArray<Double>, bias: NDArray<Double>, table: NDArray<Double>) {
        (self.weight, self.bias, self.table) = (weight, bias, table)
    }

    func visitParameters(prefix: String, _ body: (String, inout NDArray<Double>) throws -> Void) rethrows {
        try body(prefix + "blocks.0.ffn.up.weight", &weight)
        try body(prefix + "blocks.0.ffn.up.bias", &bias)
        try body(prefix + "wte.weight", &table)
    }
}

private func optimFixture(_ name: String) -> NDArray<Double> {
    let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("optim/\(name).npy")
    return try! NDArray<Double>(contentsOfNPY: url)
}

final class OptimizerTests: XCTestCase {
    let names = ["blocks.0.ffn.up.weight", "blocks.0.ffn.up.bias", "wte.weight"]

    /// Runs `step` four times on PyTorch's starting values and gradients, comparing with PyTorch after each.
    private func compare(_ prefix: String, _ step: (ThreeParameters, Gradients<Double>) -> Void,
                         line: UInt = #line) {
        let layer = ThreeParameters(weight: optimFixture(names[0]), bias: optimFixture(names[1]), table: optimFixture(names[2]))
        for s in 0..<4 {
            var gradients = Gradients(zerosFor: layer)
            for name in names { gradients.accumulate(name, optimFixture("grad_\(s)_\(name)")) }
            step(layer, gradients)
            for (name, value) in layer.namedParameters {
                let expected = optimFixture("\(prefix)_\(s)_\(name)")
                for (a, b) in zip(value.scalars, expected.scalars) {
                    XCTAssertEqual(a, b, accuracy: 1e-12, "\(prefix) step \(s) \(name)", line: line)
                }
            }
        }
    }

    func testSGDWithMomentumMatchesPyTorch() {
        var sgd = SGD<Double>(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        compare("sgd") { sgd.step($0, $1) }
        XCTAssertEqual(sgd.velocities.count, 3)
    }

    func testAdamMatchesPyTorch() {
        var adam = Adam<Double>.adam(learningRate: 0.05, weightDecay: 0.01)
        compare("adam") { adam.step($0, $1) }
        XCTAssertEqual(adam.stepCount, 4)
    }

    func testAdamWDecaysOnlyTheMatricesAndMatchesPyTorch() {
        var adamW = Adam<Double>.adamW(learningRate: 0.05, beta2: 0.95, weightDecay: 0.1)
        XCTAssertTrue(adamW.decays("blocks.0.ffn.up.weight", [3, 4]))
        XCTAssertFalse(adamW.decays("blocks.0.ffn.up.bias", [4]))
        XCTAssertFalse(adamW.decays("blocks.0.ln1.weight", [4]))
        XCTAssertFalse(adamW.decays("wte.weight", [5, 3]))
        XCTAssertFalse(adamW.decays("srcEmbedding.weight", [5, 3]))
        compare("adamw") { adamW.step($0, $1) }
    }

    func testAdamsFirstStepIsTheLearningRateTimesTheSign() {
        // m̂ = g and v̂ = g² at t = 1, so the step is lr·g/(|g| + ε): lr in the gradient's direction.
        let layer = ThreeParameters(weight: .zeros([1, 2]), bias: .zeros([1]), table: .zeros([1, 1]))
        var gradients = Gradients(zerosFor: layer)
        gradients.accumulate("blocks.0.ffn.up.weight", NDArray<Double>([[3, -0.001]]))
        var adam = Adam<Double>.adam(learningRate: 0.1, eps: 0)
        adam.step(layer, gradients)
        XCTAssertEqual(layer.weight[0, 0].item(), -0.1, accuracy: 1e-15)
        XCTAssertEqual(layer.weight[0, 1].item(), 0.1, accuracy: 1e-15)
    }

    func testWarmupThenCosine() {
        // nanoGPT's shakespeare-char: 1e-3, 100 warmup steps, cosine to 1e-4 at 5000.
        let schedule = LearningRateSchedule.warmupCosine(maxLR: 1e-3, warmupSteps: 100, decaySteps: 5000, minLR: 1e-4)
        XCTAssertEqual(schedule.learningRate(at: 0), 1e-5, accuracy: 1e-18)           // step 0 already ramps
        XCTAssertEqual(schedule.learningRate(at: 99), 1e-3, accuracy: 1e-18)
        XCTAssertEqual(schedule.learningRate(at: 2550), 5.5e-4, accuracy: 1e-12)        // halfway: the mean
        XCTAssertEqual(schedule.learningRate(at: 5000), 1e-4)
        XCTAssertEqual(schedule.learningRate(at: 9999), 1e-4)
        XCTAssertEqual(LearningRateSchedule.constant(0.3).learningRate(at: 7), 0.3)
    }

    func testClippingByGlobalNorm() {
        let layer = ThreeParameters(weight: .zeros([1, 2]), bias: .zeros([1]), table: .zeros([1, 1]))
        var gradients = Gradients(zerosFor: layer)
        gradients.accumulate("blocks.0.ffn.up.weight", NDArray<Double>([[3, 0]]))
        gradients.accumulate("blocks.0.ffn.up.bias", NDArray<Double>([4]))
        XCTAssertEqual(clipGradients(&gradients, maxNorm: 10), 5)                      // under the limit: unchanged
        XCTAssertEqual(gradients["blocks.0.ffn.up.bias"]!, NDArray<Double>([4]))
        XCTAssertEqual(clipGradients(&gradients, maxNorm: 1), 5)                       // returns the norm before
        XCTAssertEqual(gradients.globalNorm, 1, accuracy: 1e-6)
        XCTAssertEqual(gradients["blocks.0.ffn.up.weight"]![0, 0].item(), 0.6, accuracy: 1e-6)   // same direction
    }
}
