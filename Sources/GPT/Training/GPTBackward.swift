// GPTBackward.swift — the loss of a GPT and the gradient of every parameter, by hand.
//
//   forward:   x₀ = wte[ids] + wpe[0..<T]  →  dropout  →  x_{l+1} = block_l(x_l)  →  h = lnF(x_L)
//              logits = h·wteᵀ (tied) or lmHead(h)          loss = crossEntropy(logits, targets)
//   backward:  dLogits = (softmax − target) / counted
//              dH = dLogits·wte           d wte += dLogitsᵀ·h        (the tied output projection)
//              dx_L = lnFᵀ(dH)  →  dx_l = block_lᵀ(dx_{l+1})  →  dropoutᵀ
//              d wte[ids] += dx₀           d wpe[t] += Σ_b dx₀[b, t]
//
// The same steps as llm.c's gpt2_backward, each one a layer's `backward`
// from the Backprop module, run in the reverse order of the forward. The
// tied embedding receives two contributions, one from reading tokens and one
// from writing them, and Gradients adds them.
//
// Depends on: GPTModel.swift, Backprop (every layer's backward), NN.
// Not here: optimizers and the training loop.

import Backprop
import NDArray
import NN

extension GPTModel {
    /// The mean cross-entropy of `targets` given `inputIds` (as `computeLoss(inputIds:targets:)`),
    /// with every parameter's gradient added into `gradients`. Dropout is applied when training.
    /// - Parameters:
    ///   - inputIds: [B, T]
    ///   - targets: [B, T] (the next tokens; `ignoreIndex` positions do not count)
    ///   - lossScale: the gradients are those of lossScale × loss: ½ for each of two micro-batches
    ///     accumulated into one step (gradient accumulation)
    ///   - gradients: `Gradients(zerosFor: model)`; the gradients are added (call `zero()` between steps)
    /// - Returns: the loss (unscaled)
    @_specialize(where Scalar == Float)
    public func lossAndGradients(inputIds: NDArray<Int>, targets: NDArray<Int>, ignoreIndex: Int = -100,
                                 labelSmoothing: Double = 0, lossScale: Double = 1,
                                 into gradients: inout Gradients<Scalar>) -> Double {
        checkInput(inputIds, attentionMask: nil, past: 0, cache: nil)
        if targets.shape != inputIds.shape {
            modelFailure("GPTModel.lossAndGradients", "targets \(targets.shape) must have inputIds' shape \(inputIds.shape)")
        }
        let t = inputIds.shape[1]
        // Forward, keeping what each backward needs.
        var x = wte(inputIds)                                                      // [B, T, C]
        if let wpe { x += wpe(seqLen: t) } else if let sinusoids { x += sinusoids(seqLen: t) }
        let (embedded, dropoutSaved) = embeddingDropout.forwardSaving(x)
        x = embedded
        NumericsCheck.check(x, "embedding forward")
        let mask: NDArray<Scalar> = createCausalMask(seqLen: t)
        var saved: [TransformerBlock<Scalar>.Saved] = []
        for (i, block) in blocks.enumerated() {
            let (y, _, s) = block.forwardSaving(x, mask: mask, prefix: "blocks.\(i).")
            x = y
            saved.append(s)
        }
        let (h, lnSaved) = lnF.forwardSaving(x)                                    // [B, T, C]
        NumericsCheck.check(h, "lnF forward")
        let logits = project(h)                                                    // [B, T, V]
        NumericsCheck.check(logits, "logits forward")
        let loss = crossEntropy(logits: logits, targets: targets, ignoreIndex: ignoreIndex, labelSmoothing: labelSmoothing)

        // Backward, in the reverse order.
        let dLogits = crossEntropyBackward(logits: logits, targets: targets, ignoreIndex: ignoreIndex,
                                           labelSmoothing: labelSmoothing, dLoss: lossScale)
        var dX: NDArray<Scalar>
        if let lmHead {
            dX = lmHead.backward(dLogits, Linear.Saved(input: h), prefix: "lmHead.", into: &gradients)
        } else {
            let v = config.vocabSize, c = config.hiddenDim
            dX = matmul(dLogits, wte.weight)                                       // dH = dLogits·wte: [B, T, C]
            gradients.accumulateProduct("wte.weight", dLogits.reshaped(-1, v).T, h.reshaped(-1, c))   // += [V, C]
        }
        NumericsCheck.check(dX, "logits backward")
        dX = lnF.backward(dX, lnSaved, prefix: "lnF.", into: &gradients)
        NumericsCheck.check(dX, "lnF backward")
        for (i, block) in blocks.enumerated().reversed() {
            dX = block.backward(dX, saved[i], prefix: "blocks.\(i).", into: &gradients)
        }
        dX = embeddingDropout.backward(dX, dropoutSaved)                           // [B, T, C]
        gradients.modify("wte.weight") { embeddingBackward(dOut: dX, ids: inputIds, addingInto: &$0) }   // rows of ids
        if let wpe {
            var dTable = NDArray<Scalar>.zeros(wpe.weight.shape)                   // [maxSeqLen, C]
            dTable[0..<t] = dX.sum(axis: 0)                                        // position t's row: Σ over the batch
            gradients.accumulate("wpe.weight", dTable)
        }
        gradients.finishBackward()
        return loss
    }
}
