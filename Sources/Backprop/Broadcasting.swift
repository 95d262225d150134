// Broadcasting.swift — the backward of broadcasting: sum over the axes that were stretched.
//
//   forward:  y = x + b          x [B, T, C], b [C]   (b is reused at every (b, t))
//   backward: dB = Σ_{b,t} dY    sumToShape(dY, [C])
//
// A value used many times receives the sum of the gradients of all its uses.
// Broadcasting uses b once per position along every axis it was stretched over
// (new leading axes, and axes of size 1), so its gradient sums dY over them.
//
// Depends on: NDArray.

import NDArray

/// `gradient` summed down to `shape`, the shape of an operand that was broadcast to the gradient's.
/// - Parameters:
///   - gradient: dY, e.g. [B, T, C]
///   - shape: the operand's shape before broadcasting, e.g. [C] or [1, T, 1]
/// - Returns: [shape]
@_specialize(where S == Float)
public func sumToShape<S: NDFloatingPoint>(_ gradient: NDArray<S>, _ shape: [Int]) -> NDArray<S> {
    if gradient.shape == shape { return gradient }
    let lead = gradient.ndim - shape.count
    guard lead >= 0, zip(shape, gradient.shape.dropFirst(lead)).allSatisfy({ $0 == $1 || $0 == 1 }) else {
        backpropFailure("sumToShape", "shape \(shape) does not broadcast to the gradient's \(gradient.shape)")
    }
    var axes = Array(0..<lead)                                          // new leading axes
    for (i, size) in shape.enumerated() where size == 1 && gradient.shape[lead + i] != 1 { axes.append(lead + i) }
    return gradient.sum(axes: axes, keepDims: true).reshaped(shape)
}
