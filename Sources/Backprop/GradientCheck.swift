// GradientCheck.swift — is a hand-written backward right? Ask the definition of a derivative.
//
//   ∂L/∂x[i] ≈ (L(x + h·eᵢ) − L(x − h·eᵢ)) / 2h        central differences, in Double
//   error[i] = |analytic[i] − numeric[i]| / (1 + |numeric[i]|)
//
// Nudge one element up and down, run the whole loss twice, and divide: the
// slope of the loss along that element. The central difference's error
// shrinks like h², so in Double with h = 1e-6 a correct backward agrees to
// about 1e-9; a wrong one (a missing term, a transposed product) is off by
// order one. The error mixes absolute (small gradients) and relative (large
// ones), like `assertClose` in the tests. This costs two loss evaluations per
// element: use it on small shapes.
//
// Depends on: NDArray, NN (Layer: checkLayerGradients), Gradients.swift.
// Not here: complex-step derivatives, checking second derivatives.

import NDArray
import NN

/// How far an analytic gradient is from the numerical one, for one input.
public struct GradientCheckResult: CustomStringConvertible, Sendable {
    /// The input's name.
    public var name: String
    /// The input's shape.
    public var shape: [Int]
    /// max |analytic − numeric|.
    public var maxAbsoluteError: Double
    /// max |analytic − numeric| / (1 + |numeric|): relative for large gradients, absolute for small
    /// ones (what the tests bound).
    public var maxError: Double
    /// max |analytic − numeric| / max(|analytic|, |numeric|), over the elements where either is at
    /// least 1e-8 (below that both are rounding noise of a zero gradient).
    public var maxRelativeError: Double = 0
    /// Where the largest error is, as an index into `shape`.
    public var worstIndex: [Int]
    /// The analytic and numeric values there.
    public var analyticAtWorst: Double, numericAtWorst: Double

    /// "name [shape]: max error 3.1e-10 (abs 2.0e-10, rel 4.0e-10) at [1, 2]: analytic 0.5, numeric 0.5".
    public var description: String {
        "\(name) \(shape): max error \(maxError) (abs \(maxAbsoluteError), rel \(maxRelativeError)) at \(worstIndex): "
            + "analytic \(analyticAtWorst), numeric \(numericAtWorst)"
    }
}

/// Compares analytic gradients with central finite differences of `loss`.
///
/// ```swift
/// let results = checkGradients(["x": x, "weight": w], analytic: ["x": dX, "weight": dWeight], step: 1e-6) { v in
///     (linearForward(v["x"]!, weight: v["weight"]!, bias: nil) * r).sum()     // a scalar loss
/// }
/// for result in results { print(result) }            // max error per input, and where
/// ```
/// - Parameters:
///   - inputs: every array the loss depends on and whose gradient is checked, by name
///   - analytic: the backward's gradient for each of them (same shapes)
///   - step: h
///   - loss: the scalar loss as a function of the inputs (it is called 2 × Σ counts times)
/// - Returns: one result per input, in name order
public func checkGradients(_ inputs: [String: NDArray<Double>], analytic: [String: NDArray<Double>],
                           step h: Double = 1e-6,
                           loss: ([String: NDArray<Double>]) -> Double) -> [GradientCheckResult] {
    var results: [GradientCheckResult] = []
    for name in inputs.keys.sorted() {
        let x = inputs[name]!
        guard let gradient = analytic[name], gradient.shape == x.shape else {
            backpropFailure("checkGradients", "the analytic gradient of \(name) must have its shape \(x.shape), "
                       + "not \(analytic[name]?.shape.description ?? "nothing")")
        }
        let a = gradient.scalars
        var values = x.contiguous().scalars
        var result = GradientCheckResult(name: name, shape: x.shape, maxAbsoluteError: 0, maxError: 0,
                                         worstIndex: [], analyticAtWorst: 0, numericAtWorst: 0)
        var worst = -1
        for i in values.indices {
            let original = values[i]
            var nudged = inputs
            values[i] = original + h
            nudged[name] = NDArray(shape: x.shape, scalars: values)
            let up = loss(nudged)
            values[i] = original - h
            nudged[name] = NDArray(shape: x.shape, scalars: values)
            let down = loss(nudged)
            values[i] = original
            let numeric = (up - down) / (2 * h)
            let absolute = Swift.abs(a[i] - numeric)
            let error = absolute / (1 + Swift.abs(numeric))
            result.maxAbsoluteError = Swift.max(result.maxAbsoluteError, absolute)
            let size = Swift.max(Swift.abs(a[i]), Swift.abs(numeric))
            if absolute.isNaN {
                result.maxRelativeError = .nan                                   // never hidden as "rel 0"
            } else if size >= 1e-8, !result.maxRelativeError.isNaN {
                result.maxRelativeError = Swift.max(result.maxRelativeError, absolute / size)
            }
            if worst < 0 || error > result.maxError || error.isNaN {
                worst = i
                result.maxError = error
                result.analyticAtWorst = a[i]
                result.numericAtWorst = numeric
            }
        }
        result.worstIndex = worst < 0 ? [] : unflatten(worst, shape: x.shape)
        results.append(result)
    }
    return results
}

/// Flat row-major index → multi-index.
func unflatten(_ flat: Int, shape: [Int]) -> [Int] {
    var rest = flat
    var index = [Int](repeating: 0, count: shape.count)
    for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
        index[axis] = rest % shape[axis]
        rest /= shape[axis]
    }
    return index
}

/// Checks a layer's backward: dX and every parameter's gradient against central differences of
/// the scalar loss Σ forward(x)·r, in Double. The layer's weights are restored afterwards.
///
/// ```swift
/// let results = checkLayerGradients(layer, input: x, dOut: r, forward: { layer($0) }) { gradients in
///     let (_, saved) = layer.forwardSaving(x)
///     return layer.backward(r, saved, into: &gradients)
/// }
/// ```
/// - Parameters:
///   - input: x, e.g. [B, T, C]
///   - dOut: r, the forward's output shape: the loss's gradient with respect to the output
///   - rewind: called before every forward (a layer with dropout rewinds its stream here)
///   - backward: the layer's backward at x with dOut r, adding into the given gradients; returns dX
/// - Returns: one result for "(input)" and one per parameter, in name order
public func checkLayerGradients<L: Layer>(_ layer: L, input x: NDArray<Double>, dOut r: NDArray<Double>,
                                          rewind: () -> Void = {}, forward: (NDArray<Double>) -> NDArray<Double>,
                                          backward: (inout Gradients<Double>) -> NDArray<Double>)
    -> [GradientCheckResult] where L.Scalar == Double {
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
    return results
}
