// Gradients.swift — one gradient array per parameter, under the parameter's own name.
//
//   var grads = Gradients(zerosFor: model)         "blocks.0.attn.qkv.weight" → zeros [3C, C], …
//   y, saved = layer.forwardSaving(x)              the forward keeps what its backward needs
//   dX = layer.backward(dY, saved, into: &grads)   the backward ADDS (+=) each parameter's gradient
//
// Backwards accumulate, llm.c's way: a parameter used twice (a tied embedding,
// a block run over two micro-batches) simply receives both contributions. So a
// second backward without `zero()` adds to the first on purpose — gradient
// accumulation — and `Gradients` says so: `accumulatedBackwards` counts the
// backward passes since the last zero, and an optimizer can insist it is 1.
// A name that is not a parameter of the model traps: a typo never gets a
// gradient silently.
//
// Depends on: NDArray, NN (Layer: the parameter names).
// Not here: optimizers (they read these), gradient clipping's policy.

import Foundation
import NDArray
import NN

/// The gradients of a layer's parameters, by the names `Layer.visitParameters` gives.
public struct Gradients<Scalar: NDFloatingPoint> {
    /// Each parameter's gradient, the parameter's shape.
    public private(set) var arrays: [String: NDArray<Scalar>]
    /// The parameter names, in the layer's order.
    public let names: [String]
    /// Backward passes added since the last `zero()` (a full model backward calls `finishBackward()`).
    public private(set) var accumulatedBackwards = 0

    /// Zero gradients for every parameter of `layer`.
    public init<L: Layer>(zerosFor layer: L) where L.Scalar == Scalar {
        var arrays: [String: NDArray<Scalar>] = [:]
        var names: [String] = []
        for (name, value) in layer.namedParameters {
            arrays[name] = .zeros(value.shape)
            names.append(name)
        }
        self.arrays = arrays
        self.names = names
    }

    /// The gradient of parameter `name`, or nil if the layer has no such parameter.
    public subscript(name: String) -> NDArray<Scalar>? { arrays[name] }

    /// gradient[name] += value. Traps when `name` is not a parameter or the shapes differ.
    public mutating func accumulate(_ name: String, _ value: NDArray<Scalar>) {
        guard let shape = arrays[name]?.shape else {
            backpropFailure("Gradients.accumulate", "\"\(name)\" is not a parameter (parameters: \(names.prefix(4).joined(separator: ", "))…)")
        }
        if shape != value.shape {
            backpropFailure("Gradients.accumulate", "gradient \(value.shape) for \"\(name)\" does not match its shape \(shape)")
        }
        NumericsCheck.check(value, "gradient of \(name)")
        arrays[name]! += value                                                  // in place: the buffer is not shared
    }

    /// gradient[name] += a·b, written into the gradient's own memory (no [M, N] temporary): a
    /// weight's dW += dYᵀ·X. Traps when `name` is not a parameter or the shapes differ.
    /// - Parameters:
    ///   - a: [M, K], e.g. dYᵀ (a transposed view is read in place)
    ///   - b: [K, N], e.g. X
    public mutating func accumulateProduct(_ name: String, _ a: NDArray<Scalar>, _ b: NDArray<Scalar>) {
        modify(name) { matmul(a, b, addingInto: &$0) }
    }

    /// Changes gradient[name] in place with `body` (which must keep its shape and only add to it):
    /// for backwards that scatter into a large gradient, such as an embedding table's rows.
    public mutating func modify(_ name: String, _ body: (inout NDArray<Scalar>) -> Void) {
        guard var array = arrays.removeValue(forKey: name) else {
            backpropFailure("Gradients.modify", "\"\(name)\" is not a parameter (parameters: \(names.prefix(4).joined(separator: ", "))…)")
        }
        let shape = array.shape
        body(&array)                                                            // held once: written in place
        if array.shape != shape { backpropFailure("Gradients.modify", "\"\(name)\" changed shape from \(shape) to \(array.shape)") }
        NumericsCheck.check(array, "gradient of \(name)")
        arrays[name] = array
    }

    /// Marks the end of one backward pass (see `accumulatedBackwards`).
    public mutating func finishBackward() { accumulatedBackwards += 1 }

    /// Every gradient times `factor` (clipping uses this).
    public mutating func scale(by factor: Scalar) {
        for name in names { arrays[name]! *= factor }
    }

    /// Every gradient back to zero, in place (no new memory per step).
    public mutating func zero() {
        for name in names { arrays[name]!.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        accumulatedBackwards = 0
    }

    /// √(Σ g²) over every gradient: what clipping by global norm compares with its limit.
    /// Each block of 4096 elements is summed on its own (in Double), then the blocks in order, so
    /// the result is the same for any thread count.
    public var globalNorm: Double {
        var sum = 0.0
        for name in names { sum += sumOfSquares(arrays[name]!) }
        return sum.squareRoot()
    }
}

/// Σ x² of an array, in fixed blocks (see `Gradients.globalNorm`).
@_specialize(where S == Float)
func sumOfSquares<S: NDFloatingPoint>(_ array: NDArray<S>) -> Double {
    let block = 4096
    if array.count == 0 { return 0 }
    return array.withUnsafeBufferPointer { values in
        let blocks = (values.count + block - 1) / block
        var partial = [Double](repeating: 0, count: blocks)
        partial.withUnsafeMutableBufferPointer { sums in
            let (x, out) = (values.baseAddress!, sums.baseAddress!)
            ComputeThreads.forEachRange(blocks, grain: 8) { range in
                for b in range {
                    // Four running sums (independent chains, so they overlap), then added in a fixed order.
                    var lanes = (0.0, 0.0, 0.0, 0.0)
                    var i = b * block
                    let end = Swift.min(values.count, (b + 1) * block)
                    while i + 4 <= end {
                        let (x0, x1, x2, x3) = (Double(x[i]), Double(x[i + 1]), Double(x[i + 2]), Double(x[i + 3]))
                        lanes = (lanes.0 + x0 * x0, lanes.1 + x1 * x1, lanes.2 + x2 * x2, lanes.3 + x3 * x3)
                        i += 4
                    }
                    while i < end {
                        lanes.0 += Double(x[i]) * Double(x[i])
                        i += 1
                    }
                    out[b] = (lanes.0 + lanes.1) + (lanes.2 + lanes.3)
                }
            }
        }
        return partial.reduce(0, +)
    }
}

/// Stops the program with `operation: detail`: how every backward reports a programmer error
/// (a gradient of the wrong shape, saved arrays from another call), in the words of NDArray's and NN's
/// messages: the operation, the shapes, the axis.
@usableFromInline
func backpropFailure(_ operation: String, _ detail: String) -> Never {
    fatalError("\(operation): \(detail)")
}

/// Stops, naming `operation` and both shapes, unless the gradient dOut has the shape of the forward's
/// output: the check every layer's `backward` makes first.
@usableFromInline
func checkGradientShape(_ operation: String, dOut: [Int], output: [Int]) {
    if dOut != output {
        backpropFailure(operation, "dOut \(dOut) must have the forward output's shape \(output)"
                        + (dOut.count == output.count ? "" : " (\(dOut.count) axes, not \(output.count))"))
    }
}
