// GradientAssertions.swift — checking a layer's backward against finite differences of the layer.

import Backprop
import NDArray
import NN
import XCTest

/// Checks dX and every parameter's gradient of `layer` by central differences of Σ forward(x)·r.
func checkLayer<L: Layer>(_ layer: L, input x: NDArray<Double>, dOut r: NDArray<Double>,
                     rewind: () -> Void = {}, forward: (NDArray<Double>) -> NDArray<Double>,
                     backward: (inout Gradients<Double>) -> NDArray<Double>,
                     file: StaticString = #filePath, line: UInt = #line) where L.Scalar == Double {
    let results = checkLayerGradients(layer, input: x, dOut: r, rewind: rewind, forward: forward, backward: backward)
    // checkLayerGradients checks the input and every parameter by construction; a gradient the backward
    // forgot stays zero and fails below unless the true gradient is zero too.
    for result in results {
        XCTAssertLessThanOrEqual(result.maxError, 1e-6, "\(result)", file: file, line: line)
    }
}
