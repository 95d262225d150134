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
        fatalError("crossEntropyBackward: logits \(logits.shape) must be targets' shape \(targets.shape) plus V")
    }
    let v = logits.shape[logits.ndim - 1]
    var p = logits.softmax(axis: -1).contiguous().scalars                       // [N·V]
    let labels = targets.scalars
    let counted = labels.filter { $0 != ignoreIndex }.count
    let scale = counted == 0 ? 0 : dLoss / Double(counted)
    for (row, label) in labels.enumerated() {
        let start = row * v
        if label == ignoreIndex {
            for j in start..<(start + v) { p[j] = 0 }
            continue
        }
        for j in start..<(start + v) {
            let target = labelSmoothing / Double(v) + (j - start == label ? 1 - labelSmoothing : 0)
            p[j] = S((Double(p[j]) - target) * scale)                           // (p − q) / counted
        }
    }
    return NDArray(shape: logits.shape, scalars: p)
}
