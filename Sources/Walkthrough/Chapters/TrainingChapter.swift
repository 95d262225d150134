// TrainingChapter.swift — chapter 6 of the tour: the training loop, by hand and then with the Trainer.
//
//   one step: a batch of windows → lossAndGradients → clip the global norm → AdamW
//   the schedule: a linear warmup, then a cosine down to a tenth
//   the Trainer: the same step, plus evaluation, checkpoints and a resume that continues bit for bit
//
// It trains a fresh small model on chapter 4's copying task (a few seconds),
// with its checkpoint in a temporary folder that is removed at the end.
//
// Depends on: GPT (Trainer, TokenDataset, TrainingConfig), Backprop (Adam, clipGradients), GPTChapter.swift (copyingText).

import Backprop
import Foundation
import GPT
import NDArray

/// Chapter 6: training, from one hand-written step to a checkpointed run.
func trainingChapter(_ p: Presenter) {
    p.chapter(6, "Training, and the loss curve")
    let seed = p.seed
    let text = copyingText(lines: 2000, seed: seed &+ 1)
    let tokenizer = CharTokenizer(text: text)
    let data = try! TokenDataset(tokens: try! tokenizer.encode(text), contextLength: 28)
    var config = GPTConfig(vocabSize: tokenizer.vocabSize, maxSeqLen: 32, numLayers: 2, numHeads: 2, hiddenDim: 32,
                           dropout: 0)
    config.bias = false

    p.step("One training step, by hand")
    var rng = SeededGenerator(seed: seed)
    let model = GPTModel<Float>(config: config, using: &rng)
    var gradients = Gradients<Float>(zerosFor: model)
    var optimizer = Adam<Float>.adamW(learningRate: 1e-2, beta2: 0.99, weightDecay: 0.1)
    var batches = SeededGenerator(seed: seed)
    p.say("""
          let (x, y) = data.batch(.train, batchSize: 16, contextLength: 28, using: &batches)   // [16, 28] each
          gradients.zero()
          let loss = model.lossAndGradients(inputIds: x, targets: y, into: &gradients)
          let norm = clipGradients(&gradients, maxNorm: 1)     // scale all down if ‖g‖ > 1
          optimizer.step(model, gradients)                      // AdamW: w −= lr·(m̂/(√v̂ + ε) + λ·w)
        """)
    for step in 0..<8 {
        let (x, y) = data.batch(.train, batchSize: 16, contextLength: 28, using: &batches)
        gradients.zero()
        let loss = model.lossAndGradients(inputIds: x, targets: y, into: &gradients)
        let norm = clipGradients(&gradients, maxNorm: 1)
        optimizer.step(model, gradients)
        p.say(String(format: "  step %d: loss %.4f, ‖g‖ %.3f%@", step, loss, norm, norm > 1 ? " (clipped to 1)" : ""))
    }
    p.say("""
        Each step sees 16 new windows, so the loss is noisy; it falls because every step moves
        all the weights a little downhill. Adam keeps two running averages per weight (m of the
        gradient, v of its square) and steps by m/√v: about lr per weight, whatever the
        gradient's scale. The W of AdamW is the weight decay λ, applied to the weights directly
        rather than through the gradient.
        """)
    p.pause()

    p.step("The learning-rate schedule")
    let schedule = LearningRateSchedule.warmupCosine(maxLR: 1e-2, warmupSteps: 50, decaySteps: 600, minLR: 1e-3)
    p.code("LearningRateSchedule.warmupCosine(maxLR: 1e-2, warmupSteps: 50, decaySteps: 600, minLR: 1e-3)")
    for step in [0, 25, 50, 200, 400, 600] {
        p.say(String(format: "  step %3d: lr %.2e", step, schedule.learningRate(at: step)))
    }
    p.say("""
        A linear warmup first: on random weights the gradients are large and Adam's running
        averages rest on a handful of steps, so full-size steps would throw the model far. Then
        a half cosine down to minLR: big steps while the loss is far from its floor, small ones
        to settle.
        """)
    p.pause()

    p.step("The Trainer: evaluation, checkpoints, and a resume that continues exactly")
    var training = TrainingConfig(steps: 600, batchSize: 16, contextLength: 28, schedule: schedule)
    (training.evalEvery, training.evalBatches, training.logEvery, training.checkpointEvery) = (200, 4, 100, 300)
    training.seed = seed
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("walkthrough-\(getpid())")
    defer { try? FileManager.default.removeItem(at: folder) }
    var modelRng = SeededGenerator(seed: seed)
    let trainer = Trainer(model: GPTModel<Float>(config: config, using: &modelRng), data: data, config: training)
    p.code("let trainer = Trainer(model: model, data: data, config: training)   // 600 steps, checkpoint every 300")
    p.code("trainer.setTotalSteps(300)                                          // stop halfway, as a crash would")
    p.code("try trainer.run(checkpointDirectory: folder)")
    trainer.setTotalSteps(300)
    try! trainer.run(checkpointDirectory: folder, log: { p.say("  " + $0) })
    p.say("  … stopped at step 300. Resuming from the checkpoint:")
    let resumed = try! Trainer<Float>.resume(from: folder, data: data)
    resumed.setTotalSteps(600)
    p.code("let resumed = try Trainer<Float>.resume(from: folder, data: data)", "at step \(resumed.step)")
    p.code("resumed.setTotalSteps(600)                                          // the whole run's length")
    p.code("try resumed.run(checkpointDirectory: folder)")
    try! resumed.run(checkpointDirectory: folder, log: { p.say("  " + $0) })
    var straightRng = SeededGenerator(seed: seed)
    let straight = Trainer(model: GPTModel<Float>(config: config, using: &straightRng), data: data, config: training)
    try! straight.run(log: { _ in })
    let same = resumed.model.namedParameters.map(\.value) == straight.model.namedParameters.map(\.value)
    p.say("  A second Trainer, built the same way, runs its 600 steps without stopping (`straight`):")
    p.code("resumed.model.namedParameters.map(\\.value) == straight.model.namedParameters.map(\\.value)", same)
    p.say("""
        The checkpoint holds the weights, Adam's m and v and its step count, the batch generator
        and every dropout stream (evaluation draws from streams of its own), so the resumed run
        draws the same batches and takes the same steps as one that never stopped, bit for bit.
        """)
    p.say(resumed.lossCurve(width: 60, height: 10))
    p.say("""
        The same loop, for a text file of your own, with checkpoints you can resume and sample:

          swift run -c release walkthrough train input.txt --out run
          swift run -c release walkthrough generate run --prompt "ROMEO:" --temperature 0.8
          swift run -c release walkthrough attention run "ROMEO: What say you?"

        To start from trained weights instead (a Hugging Face GPT-2 folder, or a run of your
        own), and to carry a model on in PyTorch when it outgrows one CPU (docs/Handoff.md):

          swift run -c release walkthrough train input.txt --out ft --init-from gpt2 --preset finetune --context 256
          swift run -c release walkthrough export ft --to ft-hf
        """)
    p.pause()
}
