// CrossEntropy.swift — how surprised the model is by the right answer, on average.
//
//   loss = mean over counted rows of  −(1 − ε)·log p[target] − ε · mean_v log p[v]
//   logits [N, V] (or [B, T, V]), targets [N] (or [B, T])  →  one number, in nats
//
// log p is log_softmax of the logits, computed without forming p. A target
// equal to `ignoreIndex` (padding, a prompt you do not train on) is skipped and
// does not count towards the mean. Label smoothing (ε) spreads ε of the target's
// probability evenly over all V classes, as PyTorch's `label_smoothing` does.
// A uniform guess over V classes scores log V: 4.17 nats for 65 characters.
//
// Depends on: NDArray, Layer.swift (`layerFailure`).
// Not here: its gradient (the Backprop module), class weights, reduction="none".

import NDArray

/// The mean cross-entropy of `targets` under `logits`. PyTorch:
/// `F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-100, label_smoothing=ε)`.
///
/// ```swift
/// let loss = crossEntropy(logits: model(x), targets: y)      // [B, T, V], [B, T] → nats
/// ```
/// - Parameters:
///   - logits: [..., V], e.g. [B, T, V]
///   - targets: [...] (the logits' shape without V), each in 0..<V or equal to `ignoreIndex`
///   - ignoreIndex: targets with this value do not count (PyTorch's default: −100)
///   - labelSmoothing: ε in [0, 1)
/// - Returns: the mean over the counted targets, computed in Double; NaN when every target is ignored
///   (as PyTorch)
@inlinable
public func crossEntropy<Scalar: NDFloatingPoint>(logits: NDArray<Scalar>, targets: NDArray<Int>,
                                                  ignoreIndex: Int = -100, labelSmoothing: Double = 0) -> Double {
    guard logits.ndim >= 1, Array(logits.shape.dropLast()) == targets.shape else {
        layerFailure("crossEntropy", "logits \(logits.shape) must be targets' shape \(targets.shape) plus V")
    }
    if !(labelSmoothing >= 0 && labelSmoothing < 1) {
        layerFailure("crossEntropy", "labelSmoothing must be in [0, 1), not \(labelSmoothing)")
    }
    let v = logits.shape[logits.ndim - 1]
    let logProbabilities = logits.logSoftmax(axis: -1).contiguous()                 // [..., V]
    let labels = targets.scalars
    var total = 0.0, counted = 0
    logProbabilities.withUnsafeBufferPointer { logp in
        for (row, label) in labels.enumerated() where label != ignoreIndex {
            if label < 0 || label >= v {
                layerFailure("crossEntropy", "target \(label) at flat index \(row) of targets \(targets.shape) "
                                + "is not in 0..<\(v) (V) nor the ignore index \(ignoreIndex)")
            }
            let start = row * v
            var loss = -(1 - labelSmoothing) * Double(logp[start + label])
            if labelSmoothing > 0 {
                var sum = 0.0
                for j in start..<(start + v) { sum += Double(logp[j]) }
                loss -= labelSmoothing * sum / Double(v)
            }
            total += loss
            counted += 1
        }
    }
    return counted == 0 ? .nan : total / Double(counted)
}
