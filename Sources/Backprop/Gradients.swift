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
            fatalError("Gradients.accumulate: \"\(name)\" is not a parameter (parameters: \(names.prefix(4).joined(separator: ", "))…)")
        }
        if shape != value.shape {
            fatalError("Gradients.accumulate: gradient \(value.shape) for \"\(name)\" does not match its shape \(shape)")
        }
        NumericsCheck.check(value, "gradient of \(name)")
        arrays[name]! += value                                                  // in place: the buffer is not shared
    }

    /// Marks the end of one backward pass (see `accumulatedBackwards`).
    public mutating func finishBackward() { accumulatedBackwards += 1 }

    /// Every gradient times `factor` (clipping uses this).
    public mutating func scale(by factor: Scalar) {
        for name in names { arrays[name]! *= factor }
    }

    /// Every gradient back to zero.
    public mutating func zero() {
        for name in names { arrays[name] = .zeros(arrays[name]!.shape) }
        accumulatedBackwards = 0
    }

    /// √(Σ g²) over every gradient: what clipping by global norm compares with its limit.
    public var globalNorm: Double {
        var sum = 0.0
        for name in names {
            arrays[name]!.withUnsafeBufferPointer { for g in $0 { sum += Double(g) * Double(g) } }
        }
        return sum.squareRoot()
    }
}
