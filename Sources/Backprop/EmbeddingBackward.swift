// EmbeddingBackward.swift — the gradient of a table lookup.
//
//   forward (Embedding.swift):   y[n, :] = W[ids[n], :]           ids [B, T], W [V, C] → y [B, T, C]
//   backward:                    dWeight[ids[n], :] += dY[n, :]    rows never looked up get 0
//
// A lookup copies a row, so the row's gradient is the output's gradient; an id
// that occurs twice was copied twice, and its row receives the sum. With tied
// weights (GPT-2's) the same table is also the output projection, and its two
// gradients add.
//
// Depends on: NDArray.

import NDArray

/// The gradient of `Embedding.forward` with respect to its table.
/// - Parameters:
///   - dOut: dY, [B, T, C] (any leading shape matching `ids`)
///   - ids: the forward's ids, [B, T]
///   - vocabSize: V
/// - Returns: dWeight [V, C]
@_specialize(where S == Float)
public func embeddingBackward<S: NDFloatingPoint>(dOut: NDArray<S>, ids: NDArray<Int>, vocabSize: Int) -> NDArray<S> {
    guard dOut.ndim == ids.ndim + 1, Array(dOut.shape.dropLast()) == ids.shape else {
        fatalError("embeddingBackward: dOut \(dOut.shape) must be ids' shape \(ids.shape) plus C")
    }
    let c = dOut.shape[dOut.ndim - 1]
    let dY = dOut.contiguous().scalars
    var dWeight = [S](repeating: 0, count: vocabSize * c)
    for (n, id) in ids.scalars.enumerated() {
        for j in 0..<c { dWeight[id * c + j] += dY[n * c + j] }               // += : repeated ids accumulate
    }
    return NDArray(shape: [vocabSize, c], scalars: dWeight)
}
