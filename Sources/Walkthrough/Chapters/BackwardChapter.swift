// BackwardChapter.swift — chapter 5 of the tour: one backward pass through a GPT, and how we
// know its gradients are right.
//
//   tokens → forward (saving what each backward needs) → loss
//   dLoss/dlogits → lmHead → lnF → blocks, last to first → embeddings     every parameter's gradient
//   check: nudge a weight by ±h, rerun the forward; (L(w+h) − L(w−h)) / 2h ≈ the gradient
//
// The model here is built in Double, so the finite differences are exact to
// about 1e-9 and any real mistake in a backward stands out.
//
// Depends on: GPT (lossAndGradients, computeLoss), Backprop (Gradients), GradcheckCommand.swift (the table).

import Backprop
import Foundation
import GPT
import NDArray
import NN

/// Chapter 5: gradients by the chain rule, checked by finite differences.
func backwardChapter(_ p: Presenter) {
    p.chapter(5, "One backward pass, and the gradient check")
    let seed = p.seed
    var config = GPTConfig(vocabSize: 8, maxSeqLen: 6, numLayers: 1, numHeads: 2, hiddenDim: 8, dropout: 0)
    config.ffnDim = 16
    var rng = SeededGenerator(seed: seed)
    let model = GPTModel<Double>(config: config, using: &rng)
    model.eval()
    let inputs = NDArray(shape: [2, 6], scalars: (0..<12).map { _ in Int(rng.next(below: 8)) })
    let targets = NDArray(shape: [2, 6], scalars: (0..<12).map { _ in Int(rng.next(below: 8)) })

    p.step("A loss to differentiate")
    p.code("let model = GPTModel<Double>(config: config, using: &rng)   // 1 layer, 2 heads, C = 8, V = 8",
           "\(model.numParameters()) parameters")
    p.code("inputs", inputs)
    p.code("targets", targets)
    var gradients = Gradients<Double>(zerosFor: model)
    p.code("var gradients = Gradients<Double>(zerosFor: model)          // one zero array per parameter")
    let loss = model.lossAndGradients(inputIds: inputs, targets: targets, into: &gradients)
    p.code("let loss = model.lossAndGradients(inputIds: inputs, targets: targets, into: &gradients)",
           String(format: "%.6f   (an untrained model guesses evenly: ln 8 = %.6f)", loss, log(8.0)))
    p.say("""
        lossAndGradients runs the forward pass keeping what each layer's backward needs (the
        inputs of every Linear, each LayerNorm's mean and 1/σ, the attention weights), then
        walks back through the layers in reverse. The first gradient is the simplest:
        dLoss/dlogits = (softmax(logits) − onehot(target)) / (B·T), shape [B, T, V]. Each layer
        then turns the gradient of its output into the gradients of its weights and its input.
        """)
    p.pause()

    p.step("Every parameter has a gradient of its own shape")
    for name in gradients.names {
        let g = gradients[name]!
        p.say("  " + name.padding(26) + "\(g.shape)".padding(12) + String(format: "‖g‖ = %.4f", (g * g).sum().squareRoot()))
    }
    p.say(String(format: "The global norm, which clipping compares with 1.0: %.4f.", gradients.globalNorm))
    p.pause()

    p.step("Checking a few entries by finite differences")
    p.say("""
        Nudge one weight up and down by h = 1e-6, run the forward pass again, and the slope of
        the loss is (L(w + h) − L(w − h)) / 2h. It should equal the backward pass's number.
        """)
    p.say("  " + "parameter".padding(26) + "index".padding(9) + "backward".padding(16) + "finite difference".padding(20) + "|a − n|")
    for name in ["wte.weight", "blocks.0.attn.qkv.weight", "blocks.0.ffn.down.weight", "lnF.weight"] {
        let count = model.parameter(named: name)!.count
        for index in [0, count / 2, count - 1] {
            let analytic = gradients[name]!.contiguous().scalars[index]
            let numeric = (lossAfterNudging(model, name, index, by: 1e-6, inputs, targets)
                - lossAfterNudging(model, name, index, by: -1e-6, inputs, targets)) / 2e-6
            p.say("  " + name.padding(26) + "\(index)".padding(9) + String(format: "%+.9f", analytic).padding(16)
                  + String(format: "%+.9f", numeric).padding(20) + String(format: "%.1e", abs(analytic - numeric)))
        }
    }
    p.pause()

    p.step("Layer by layer: the gradient check table")
    p.say("""
        The same check, for every entry of every layer's input and parameter gradients, each
        layer built small on its own (`walkthrough gradcheck` prints this table, and the test
        suite holds every row to 1e-6):
        """)
    p.say(gradientCheckTable(layerGradientChecks(seed: seed)))
    p.pause()
}

/// The model's loss with parameter `name`'s entry `index` moved by `h` (the parameter is put back after).
func lossAfterNudging(_ model: GPTModel<Double>, _ name: String, _ index: Int, by h: Double,
                      _ inputs: NDArray<Int>, _ targets: NDArray<Int>) -> Double {
    let original = model.parameter(named: name)!
    var scalars = original.contiguous().scalars
    scalars[index] += h
    model.updateParameters { parameter, value in
        if parameter == name { value = NDArray(shape: value.shape, scalars: scalars) }
    }
    defer { model.updateParameters { parameter, value in if parameter == name { value = original } } }
    return model.computeLoss(inputIds: inputs, targets: targets)
}
