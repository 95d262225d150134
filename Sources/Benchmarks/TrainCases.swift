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

/// A training step's body: tokens drawn once, then each run is one full step.
func prepareTrainStep(dims: [Int], using rng: inout SeededGenerator) -> () -> Float {
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
    return {
        gradients.zero()
        let loss = model.lossAndGradients(inputIds: inputs, targets: targets, into: &gradients)
        clipGradients(&gradients, maxNorm: 1)
        optimizer.step(model, gradients)
        return Float(loss)
    }
}
