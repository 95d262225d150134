// Summary.swift — a model's parameter table and what it costs in memory.
//
//   name                          shape          count
//   wte.weight                    [V, C]         V·C
//   …
//   total, weights in bytes, activations per token, KV cache per token
//
// The memory figures are estimates a learner can check by hand: weights are
// count × element size; a forward pass keeps about L·(10C + 2F) + 2C + V
// numbers per token (what backpropagation would keep), plus NH·T attention
// weights per layer at context T; the KV cache keeps 2·L·C numbers per token.
//
// Depends on: GPTModel.swift.

import Foundation
import NDArray

extension GPTModel {
    /// A printable table of every parameter (name, shape, count) and the memory estimates.
    public func summary() -> String {
        let c = config.hiddenDim, l = config.numLayers, f = config.ffnDim, v = config.vocabSize
        let size = MemoryLayout<Scalar>.size
        var lines = ["GPT: \(l) layers, \(config.numHeads) heads, \(c) wide (head size \(config.headDim)), "
                     + "FFN \(f) (\(config.ffnVariant.rawValue), \(config.activation.rawValue)), context "
                     + "\(config.maxSeqLen), vocabulary \(v), \(config.positionEncoding.rawValue) positions, "
                     + "\(config.normPlacement.rawValue)-norm"]
        // Columns as wide as their longest entry, so that no name or shape pushes the next column out.
        let rows = namedParameters.map { name, value in
            (name == "wte.weight" && lmHead == nil ? name + " (tied: also the output projection)" : name,
             "\(value.shape)", grouped(value.count))
        }
        let width = max(30, (rows.map { $0.0.count }.max() ?? 0) + 2)
        let shapeWidth = max(16, (rows.map { $0.1.count }.max() ?? 0) + 2)
        lines.append(padded("name", width) + padded("shape", shapeWidth) + "count")
        for (label, shape, count) in rows {
            lines.append(padded(label, width) + padded(shape, shapeWidth) + count)
        }
        let total = numParameters()
        let perTokenActivations = l * (10 * c + 2 * f) + 2 * c + v
        let attentionPerToken = l * config.numHeads * config.maxSeqLen
        lines.append("total parameters: \(grouped(total))"
                     + (wpe == nil ? "" : " (\(grouped(numParameters(excludingPositions: true))) without wpe)"))
        lines.append("weights: \(bytes(total * size)) (\(Scalar.self))")
        lines.append("activations per token: \(bytes(perTokenActivations * size)), plus "
                     + "\(bytes(attentionPerToken * size)) of attention weights at context \(config.maxSeqLen)")
        lines.append("KV cache per token: \(bytes(2 * l * c * size)) (\(bytes(2 * l * c * size * config.maxSeqLen)) "
                     + "for a full context)")
        return lines.joined(separator: "\n")
    }
}

private func padded(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
}

/// 1234567 → "1,234,567": how the summaries, the training log and the walkthrough print counts
/// (the same in every locale).
public func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return (n < 0 ? "-" : "") + out
}

/// 512 → "512 B", 73728 → "72.0 KB", 497759232 → "474.7 MB".
func bytes(_ n: Int) -> String {
    let units = ["B", "KB", "MB", "GB"]
    var value = Double(n), unit = 0
    while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(n) B" : String(format: "%.1f", value) + " " + units[unit]
}
