// TrainCases.swift — one training step of a GPT: the forward, the backward
// by hand, clipping and an AdamW step, as nanoGPT's train.py does each iteration.
//
//   train_step [L, NH, C, T, B, V]   L layers, NH heads, C wide, B windows of T tokens, vocabulary V
//
// Two sizes: nanoGPT's shakespeare-char CPU run (4×4×128, context 64, batch 12)
// and GPT-2 124M's shapes at batch 4 × 64 (llm.c's and PyTorch's figures in
// docs/Performance.md). The model is built once per case, outside the timing.

import Backprop
import GPT
import NDArray
import NN

/// A training step's body: tokens drawn once, then each run is one full step.
func prepareTrainStep(dims: [Int], part: String = "step", using rng: inout SeededGenerator) -> () -> Float {
    // GPT-2 124M itself for the large case, nanoGPT's shakespeare-char shape for the small one.
    var config = dims[5] > 1000 ? GPTConfig.gpt2Small : GPTConfig.shakespeareChar
    (config.numLayers, config.numHeads, config.hiddenDim, config.vocabSize) = (dims[0], dims[1], dims[2], dims[5])
    config.maxSeqLen = max(config.maxSeqLen, dims[3])
    config.dropout = 0
    let model = GPTModel<Float>(config: config, using: &rng)
    let tokens = NDArray<Int>.randomIntegers([dims[4], dims[3] + 1], low: 0, high: dims[5], using: &rng)
    let inputs = tokens[.all, 0..<dims[3]].contiguous(), targets = tokens[.all, 1...].contiguous()
    var gradients = Gradients(zerosFor: model)
    var optimizer = Adam<Float>.adamW(learningRate: 1e-4, beta2: 0.99, weightDecay: 0.1)
    if part == "forward" { return { Float(model.computeLoss(inputIds: inputs, targets: targets)) } }
    if part == "update" {                                    // clip and AdamW, in place, as torch's step does
        _ = model.lossAndGradients(inputIds: inputs, targets: targets, into: &gradients)
        return {
            let norm = clipGradients(&gradients, maxNorm: 1)
            optimizer.step(model, gradients)
            return Float(norm)
        }
    }
    if part == "gradients" {
        return {
            gradients.zero()
            return Float(model.lossAndGradients(inputIds: inputs, targets: targets, into: &gradients))
        }
    }
    return {
        gradients.zero()
        let loss = model.lossAndGradients(inputIds: inputs, targets: targets, into: &gradients)
        clipGradients(&gradients, maxNorm: 1)
        optimizer.step(model, gradients)
        return Float(loss)
    }
}

/// Causal attention's forward (saving) and backward alone on [B, NH, T, HS]: the part of a small
/// model's step that is many small products and softmax rows rather than one large product.
func prepareAttentionStep(dims: [Int], using rng: inout SeededGenerator) -> () -> Float {
    let attention = ScaledDotProductAttention<Float>(dropout: 0, using: &rng)
    let shape = Array(dims.prefix(4))
    let q = NDArray<Float>.normal(shape, using: &rng), k = NDArray<Float>.normal(shape, using: &rng)
    let v = NDArray<Float>.normal(shape, using: &rng), dOut = NDArray<Float>.normal(shape, using: &rng)
    let mask: NDArray<Float> = createCausalMask(seqLen: dims[2])
    return {
        let (output, _, saved) = attention.forwardSaving(query: q, key: k, value: v, mask: mask)
        let (dq, _, _) = attention.backward(dOut, saved)
        return output[0, 0, 0, 0].item() + dq[0, 0, 0, 0].item()
    }
}
