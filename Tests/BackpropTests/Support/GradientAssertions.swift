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
    var gradients = Gradients(zerosFor: layer)
    let dX = backward(&gradients)
    var inputs: [String: NDArray<Double>] = ["(input)": x]
    var analytic: [String: NDArray<Double>] = ["(input)": dX]
    for (name, value) in layer.namedParameters {
        inputs[name] = value
        analytic[name] = gradients[name]!
    }
    let results = checkGradients(inputs, analytic: analytic) { v in
        layer.updateParameters { name, value in value = v[name]! }
        rewind()
        return (forward(v["(input)"]!) * r).sum()
    }
    layer.updateParameters { name, value in value = inputs[name]! }           // the original weights back
    XCTAssertEqual(results.count, inputs.count, file: file, line: line)
    for result in results {
        XCTAssertLessThanOrEqual(result.maxError, 1e-6, "\(result)", file: file, line: line)
    }
}
