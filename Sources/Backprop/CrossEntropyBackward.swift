// CrossEntropyBackward.swift — the gradient of the mean cross-entropy with respect to the logits.
//
//   forward (CrossEntropy.swift):  L = mean over counted rows of −Σ_v q_v · log softmax(z)_v
//                                  q = (1 − ε)·onehot(target) + ε/V        (label smoothing ε)
//   backward:                      dZ = (softmax(z) − q) / counted          0 on ignored rows
//
// The softmax and the log cancel into the simplest gradient in deep learning:
// predicted probability minus target probability. Dividing by the number of
// counted rows is the mean's; a row whose target is `ignoreIndex` gets 0.
//
// Depends on: NDArray.

import NDArray

/// The gradient of `crossEntropy(logits:targets:ignoreIndex:labelSmoothing:)` (times dLoss).
/// - Parameters:
///   - logits: [..., V], e.g. [B, T, V]
///   - targets: [...], e.g. [B, T]
///   - dLoss: the gradient flowing into the loss (1 for the loss itself)
/// - Returns: dLogits, [..., V]
@_specialize(where S == Float)
public func crossEntropyBackward<S: NDFloatingPoint>(logits: NDArray<S>, targets: NDArray<Int>, ignoreIndex: Int = -100,
                                                     labelSmoothing: Double = 0, dLoss: Double = 1) -> NDArray<S> {
    guard logits.ndim >= 1, Array(logits.shape.dropLast()) == targets.shape else {
        backpropFailure("crossEntropyBackward", "logits \(logits.shape) must be targets' shape \(targets.shape) plus V")
    }
    let v = logits.shape[logits.ndim - 1], rows = targets.count
    var p = logits.softmax(axis: -1).contiguous()                              // [N, V], then dLogits in place
    let labels = targets.contiguous().scalars
    if let bad = labels.firstIndex(where: { $0 != ignoreIndex && !(0..<v).contains($0) }) {
        backpropFailure("crossEntropyBackward", "target \(labels[bad]) at position \(bad) is outside the vocabulary 0..<\(v)")
    }
    let counted = labels.filter { $0 != ignoreIndex }.count
    let scale = counted == 0 ? 0 : dLoss / Double(counted)
    // (p − q)·scale with q = ε/V everywhere plus 1 − ε at the label: one pass over each row.
    let rowScale = S(scale), smoothing = S(labelSmoothing / Double(v) * scale), hit = S((1 - labelSmoothing) * scale)
    p.withUnsafeMutableBufferPointer { buffer in
        let base = buffer.baseAddress!
        ComputeThreads.forEachRange(rows, grain: Swift.max(1, 16384 / Swift.max(v, 1))) { range in
            for row in range {
                let r = base + row * v, label = labels[row]
                if label == ignoreIndex {
                    r.update(repeating: 0, count: v)
                    continue
                }
                for j in 0..<v { r[j] = r[j] * rowScale - smoothing }
                r[label] -= hit
            }
        }
    }
    return p
}
