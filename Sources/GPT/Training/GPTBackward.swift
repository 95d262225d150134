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
    /// What the backward reads from one forward pass (`run(…, keeping: true)`): every layer's saved arrays.
    public struct Saved {
        /// The embedding dropout's mask.
        public let embeddingDropout: Dropout<Scalar>.Saved
        /// Each block's saved arrays, block 0 first.
        public let blocks: [TransformerBlock<Scalar>.Saved]
        /// The final LayerNorm's.
        public let lnF: LayerNorm<Scalar>.Saved
        /// lnF's output [B, T, C]: the output projection's input.
        public let final: NDArray<Scalar>
    }

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
        if targets.shape != inputIds.shape {
            modelFailure("GPTModel.lossAndGradients", "targets \(targets.shape) must have inputIds' shape \(inputIds.shape)")
        }
        let t = inputIds.shape[1]
        // Forward: the model's one forward pass, keeping what each backward needs.
        let (output, kept) = run(inputIds, keeping: true)
        let saved = kept!
        let (logits, h) = (output.logits, saved.final)                            // [B, T, V], [B, T, C]
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
        dX = lnF.backward(dX, saved.lnF, prefix: "lnF.", into: &gradients)
        NumericsCheck.check(dX, "lnF backward")
        for (i, block) in blocks.enumerated().reversed() {
            dX = block.backward(dX, saved.blocks[i], prefix: "blocks.\(i).", into: &gradients)
        }
        dX = embeddingDropout.backward(dX, saved.embeddingDropout)                           // [B, T, C]
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
