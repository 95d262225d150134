// SoftmaxBackward.swift — the gradient of softmax, from its output.
//
//   forward:   y = softmax(x) along an axis           y_i = e^{x_i} / Σ_j e^{x_j}
//   backward:  dX_i = y_i · (dY_i − Σ_j dY_j·y_j)
//
// Raising one x_i raises y_i and lowers every other y_j (they still sum to 1):
// ∂y_j/∂x_i = y_j(δ_ij − y_i). Contracting with dY gives the line above; it
// needs only the forward's output. A masked position (y = 0) gets dX = 0.
//
// Depends on: NDArray.

import NDArray

/// The gradient of `softmax(axis:)`.
/// - Parameters:
///   - dOut: dY, e.g. attention weights' gradient [B, NH, Tq, Tk]
///   - output: the forward's y, dY's shape
///   - axis: the softmax's axis
///   - scale: a factor for every dX (attention passes its 1/√HS here, folded into the row loop)
/// - Returns: scale · dX, dY's shape
@_specialize(where S == Float)
public func softmaxBackward<S: NDFloatingPoint>(dOut: NDArray<S>, output: NDArray<S>, axis: Int = -1,
                                               scale: S = 1) -> NDArray<S> {
    guard dOut.shape == output.shape else {
        backpropFailure("softmaxBackward", "dOut \(dOut.shape) and output \(output.shape) must have one shape")
    }
    let last = axis == -1 || axis == output.ndim - 1
    guard last, output.ndim >= 1 else {
        return output * (dOut - (dOut * output).sum(axis: axis, keepDims: true)) * scale   // dX = y·(dY − Σ dY·y)
    }
    // The same formula one row at a time: dot = Σ_j dY_j·y_j, then dX_j = y_j·(dY_j − dot).
    let n = output.shape[output.ndim - 1], rows = output.count / Swift.max(n, 1)
    let y = output.contiguous(), dY = dOut.contiguous()
    return NDArray(unsafeUninitializedShape: output.shape) { out in
        guard n > 0 else { return }
        y.withUnsafeBufferPointer { yb in
            dY.withUnsafeBufferPointer { db in
                let (yp, dp, op) = (yb.baseAddress!, db.baseAddress!, out.baseAddress!)
                ComputeThreads.forEachRange(rows, grain: Swift.max(1, 8192 / n)) { range in
                    for row in range {
                        let (yr, dr, or) = (yp + row * n, dp + row * n, op + row * n)
                        var dot: S = 0
                        for j in 0..<n { dot += dr[j] * yr[j] }
                        for j in 0..<n { or[j] = scale * yr[j] * (dr[j] - dot) }
                    }
                }
            }
        }
    }
}
