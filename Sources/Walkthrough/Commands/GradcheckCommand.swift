// GradcheckCommand.swift — `walkthrough gradcheck`: every layer's backward against finite differences.
//
//   layer                     gradient of       shape         max abs     max rel    max error  ok
//   Linear                    (input)           [2, 3, 6]     3.1e-10     2.2e-09    3.1e-10    ✓
//
// Each layer is built small, in Double, with random weights; the loss is
// Σ layer(x)·r for a random r, and checkLayerGradients compares dX and each
// parameter's gradient with central differences ("max error" is
// |a − n|/(1 + |n|), what the tests hold to 1e-6).
//
// Depends on: Backprop (checkLayerGradients and the layers' backwards), NN, Commands.swift.

import Backprop
import Foundation
import NDArray
import NN

/// `gradcheck [--seed N]`: prints the table; exits 1 if any gradient is off by more than 1e-6.
func gradcheckCommand(_ arguments: [String]) {
    let (positional, options) = parseOptions("gradcheck", arguments, known: ["--seed"])
    guard positional.isEmpty else { commandUsageError("gradcheck", "unexpected argument '\(positional[0])'") }
    let seed = value("gradcheck", options, "--seed", UInt64.self, expected: "a non-negative integer") ?? 1
    let rows = layerGradientChecks(seed: seed)
    print(gradientCheckTable(rows))
    let failed = rows.filter { $0.result.maxError > 1e-6 }
    if !failed.isEmpty {
        inputError("gradcheck", "\(failed.count) gradients are off by more than 1e-6")
    }
}

/// Every layer's input and parameter gradients against central differences, built small in Double from `seed`.
func layerGradientChecks(seed: UInt64) -> [(layer: String, result: GradientCheckResult)] {
    var rng = SeededGenerator(seed: seed)
    func random(_ shape: [Int]) -> NDArray<Double> { NDArray<Double>.normal(shape, using: &rng) }
    var rows: [(layer: String, result: GradientCheckResult)] = []
    func check<L: Layer>(_ name: String, _ layer: L, _ shape: [Int], outShape: [Int]? = nil,
                         forward: @escaping (NDArray<Double>) -> NDArray<Double>,
                         backward: @escaping (NDArray<Double>, NDArray<Double>, inout Gradients<Double>) -> NDArray<Double>)
        where L.Scalar == Double {
        layer.updateParameters { _, value in value = value + NDArray<Double>.normal(value.shape, using: &rng) * 0.1 }
        let x = random(shape), r = random(outShape ?? shape)
        for result in checkLayerGradients(layer, input: x, dOut: r, forward: forward, backward: { backward(x, r, &$0) }) {
            rows.append((name, result))
        }
    }
    let linear = Linear<Double>(inFeatures: 6, outFeatures: 4, using: &rng)
    check("Linear", linear, [2, 3, 6], outShape: [2, 3, 4], forward: { linear($0) }) { x, r, g in
        linear.backward(r, linear.forwardSaving(x).saved, into: &g)
    }
    let norm = LayerNorm<Double>(normalizedShape: 6)
    check("LayerNorm", norm, [2, 3, 6], forward: { norm($0) }) { x, r, g in norm.backward(r, norm.forwardSaving(x).saved, into: &g) }
    let rms = RMSNorm<Double>(normalizedShape: 6)
    check("RMSNorm", rms, [2, 3, 6], forward: { rms($0) }) { x, r, g in rms.backward(r, rms.forwardSaving(x).saved, into: &g) }
    for (variant, activation) in [(FeedForwardVariant.standard, Activation.gelu), (.swiglu, .silu)] {
        let ffn = FeedForward<Double>(hiddenDim: 6, ffnDim: 10, dropout: 0, activation: activation, variant: variant, using: &rng)
        check("FeedForward \(variant)", ffn, [2, 3, 6], forward: { ffn($0) }) { x, r, g in
            ffn.backward(r, ffn.forwardSaving(x).saved, into: &g)
        }
    }
    let mask: NDArray<Double> = createCausalMask(seqLen: 4)
    let attn = MultiHeadAttention<Double>(hiddenDim: 8, numHeads: 2, dropout: 0, bias: true, using: &rng)
    check("MultiHeadAttention", attn, [2, 4, 8], forward: { attn.forwardSaving($0, mask: mask).output }) { x, r, g in
        attn.backward(r, attn.forwardSaving(x, mask: mask).saved, into: &g).dInput
    }
    for placement in [NormPlacement.pre, .post] {
        let block = TransformerBlock<Double>(hiddenDim: 8, numHeads: 2, ffnDim: 16, dropout: 0,
                                             normPlacement: placement, attentionBias: true, using: &rng)
        check("TransformerBlock \(placement)", block, [2, 4, 8], forward: { block($0, mask: mask) }) { x, r, g in
            block.backward(r, block.forwardSaving(x, mask: mask).saved, into: &g)
        }
    }
    return rows
}

/// The rows as an aligned table, under a line saying what the columns mean.
func gradientCheckTable(_ rows: [(layer: String, result: GradientCheckResult)]) -> String {
    var lines = ["central differences in Double, loss Σ layer(x)·r; max error = |a − n|/(1 + |n|), held to 1e-6"]
    let header = ["layer", "gradient of", "shape", "max abs", "max rel", "max error", "ok"]
    let cells = rows.map { row -> [String] in
        let r = row.result
        return [row.layer, r.name, "\(r.shape)", String(format: "%.1e", r.maxAbsoluteError),
                String(format: "%.1e", r.maxRelativeError), String(format: "%.1e", r.maxError), r.maxError <= 1e-6 ? "✓" : "✗"]
    }
    let widths = (0..<header.count).map { column in ([header] + cells).map { $0[column].count }.max()! }
    for line in [header] + cells {
        let text = zip(line, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
        lines.append(text.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
    }
    return lines.joined(separator: "\n")
}
