// NumericsCheckTests.swift — finding where a NaN began.
//
// After reading this file you should know that a NaN flowing into a backward
// spreads into every later gradient, that the opt-in trace names the first
// step whose result was not finite, and that without a trace nothing is checked.

import Backprop
import NDArray
import NN
import XCTest

final class NumericsCheckTests: XCTestCase {
    func testTheTraceNamesTheFirstStepThatWasNotFinite() {
        var rng = SeededGenerator(seed: 4)
        let block = TransformerBlock<Double>(hiddenDim: 8, numHeads: 2, ffnDim: 16, dropout: 0, attentionBias: true, using: &rng)
        let x = NDArray<Double>.normal([1, 3, 8], using: &rng)
        let (_, _, saved) = block.forwardSaving(x, prefix: "blocks.0.")
        var dOut = NDArray<Double>.ones([1, 3, 8])
        dOut[0, 2, 5] = NDArray(Double.nan)
        var gradients = Gradients(zerosFor: block)
        let trace = NonFiniteTrace()
        let dX = NumericsCheck.$trace.withValue(trace) {
            block.backward(dOut, saved, into: &gradients)
        }
        XCTAssertTrue(dX.scalars.contains { $0.isNaN })                             // it spread
        XCTAssertEqual(trace.firstOperation, "gradient of ffn.down.weight")        // the first backward step

        // A NaN in the input: the first forward step that reads it.
        var bad = x
        bad[0, 1, 0] = NDArray(Double.infinity)
        let forwardTrace = NonFiniteTrace()
        _ = NumericsCheck.$trace.withValue(forwardTrace) { block.forwardSaving(bad, prefix: "blocks.3.") }
        XCTAssertEqual(forwardTrace.firstOperation, "blocks.3.ln1 forward")

        XCTAssertNil(NumericsCheck.trace)                                            // off outside withValue
        XCTAssertFalse(NumericsCheck.allFinite(bad))
        XCTAssertTrue(NumericsCheck.allFinite(x))
    }
}
