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
    var dWeight = NDArray<S>.zeros([vocabSize, dOut.shape.last ?? 0])
    embeddingBackward(dOut: dOut, ids: ids, addingInto: &dWeight)
    return dWeight
}

/// `embeddingBackward`, adding each row of dY into row `id` of an existing gradient [V, C] in place
/// (a GPT-2 table is 154 MB: no second one per step).
@_specialize(where S == Float)
public func embeddingBackward<S: NDFloatingPoint>(dOut: NDArray<S>, ids: NDArray<Int>, addingInto dWeight: inout NDArray<S>) {
    guard dOut.ndim == ids.ndim + 1, Array(dOut.shape.dropLast()) == ids.shape, dWeight.ndim == 2,
          dWeight.shape[1] == dOut.shape[dOut.ndim - 1] else {
        backpropFailure("embeddingBackward", "dOut \(dOut.shape) must be ids' shape \(ids.shape) plus C, into [V, C] (got \(dWeight.shape))")
    }
    let (v, c) = (dWeight.shape[0], dWeight.shape[1])
    let labels = ids.contiguous().scalars
    if let bad = labels.first(where: { !(0..<v).contains($0) }) {
        backpropFailure("embeddingBackward", "id \(bad) is outside the table's \(v) rows")
    }
    let dY = dOut.contiguous()
    dY.withUnsafeBufferPointer { dy in
        dWeight.withUnsafeMutableBufferPointer { table in
            for (n, id) in labels.enumerated() {
                let row = table.baseAddress! + id * c, source = dy.baseAddress! + n * c
                for j in 0..<c { row[j] += source[j] }                          // += : repeated ids accumulate
            }
        }
    }
}
