// %% [markdown]
// # Lesson 12 · Training: AdamW, schedules, checkpoints
//
// Lesson 11 gave every weight its gradient. Training is what you do with it, again and
// again: step each weight a little downhill (the optimizer), at a step size that
// changes over the run (the schedule), never too far at once (clipping). This lesson
// writes each of these from scratch and checks it against the library, trains a tiny
// GPT by hand until it knows one batch by heart, then hands the loop to the library's
// `Trainer`, stops it halfway, and resumes it from the checkpoint on disk.
//
// Run this lesson with `swift run -c release lesson 12`; its rendered copy, with every
// output, is `Notebooks/Rendered/12-training.md`.

// %%
import Backprop
import Foundation
import GPT
import NDArray
import NN
import Notebook

// %% [markdown]
// ## A loss to go down
//
// The optimizers work on a layer's parameters, by name. Our "model" is one small
// `Linear` layer: a weight [2, 3] and a bias [2]. Its loss is the squared distance to
// a target, L = ½ Σ (p − p*)², so the gradient is simply p − p*, and the best weights
// are known: the target itself.

// %%
cell()
let targetWeight = NDArray<Double>([[1, -2, 0.5], [0, 3, -1]])      // [out, in] = [2, 3]
let targetBias = NDArray<Double>([0.5, -0.5])                      // [2]
func freshLayer() -> Linear<Double> {
    Linear<Double>(weight: NDArray<Double>.zeros([2, 3]), bias: NDArray<Double>.zeros([2]))
}
func quadraticLoss(_ weight: NDArray<Double>, _ bias: NDArray<Double>) -> Double {
    let (dw, db) = (weight - targetWeight, bias - targetBias)
    return 0.5 * ((dw * dw).sum() + (db * db).sum())
}
func gradientsAt(_ layer: Linear<Double>) -> Gradients<Double> {
    var gradients = Gradients<Double>(zerosFor: layer)
    gradients.accumulate("weight", layer.weight - targetWeight)      // dL/dp = p − p*
    gradients.accumulate("bias", layer.bias! - targetBias)
    return gradients
}
let start = freshLayer()
print("parameters:", start.namedParameters.map { "\($0.name) \($0.value.shape)" })
print(String(format: "loss at zero: %.4f", quadraticLoss(start.weight, start.bias!)))

// %% [markdown]
// ## SGD with momentum, from scratch
//
// Plain gradient descent steps p −= lr·g. Momentum keeps a velocity, a decaying sum
// of past gradients, and steps along it instead, so steps that agree add up and steps
// that zig-zag cancel:
//
//     v = μ·v + g        (the first v is g itself, as in PyTorch)
//     p = p − lr·v
//
// Written with plain Swift arrays, then run beside the library's `SGD` for 5 steps:

// %%
cell()
func sgdStep(_ p: inout [Double], _ g: [Double], _ velocity: inout [Double]?, learningRate: Double, momentum: Double) {
    var v = g
    if let previous = velocity {
        for i in v.indices { v[i] = momentum * previous[i] + g[i] }
    }
    velocity = v
    for i in p.indices { p[i] -= learningRate * v[i] }
}

var myWeight = [Double](repeating: 0, count: 6), myBias = [Double](repeating: 0, count: 2)
var weightVelocity: [Double]? = nil, biasVelocity: [Double]? = nil
let sgdLayer = freshLayer()
var sgd = SGD<Double>(learningRate: 0.1, momentum: 0.9)
for step in 1...5 {
    let gW = zip(myWeight, targetWeight.scalars).map { $0 - $1 }
    let gB = zip(myBias, targetBias.scalars).map { $0 - $1 }
    sgdStep(&myWeight, gW, &weightVelocity, learningRate: 0.1, momentum: 0.9)
    sgdStep(&myBias, gB, &biasVelocity, learningRate: 0.1, momentum: 0.9)
    sgd.step(sgdLayer, gradientsAt(sgdLayer))                           // the library's step
    let mine = quadraticLoss(NDArray(shape: [2, 3], scalars: myWeight), NDArray(myBias))
    print(String(format: "step %d   loss by hand %.4f   by SGD %.4f", step, mine, quadraticLoss(sgdLayer.weight, sgdLayer.bias!)))
}
let sgdAgrees = zip(myWeight + myBias, sgdLayer.weight.scalars + sgdLayer.bias!.scalars).allSatisfy { abs($0 - $1) < 1e-12 }
print("the weights agree within 1e-12:", sgdAgrees)

// %% [markdown]
// ## AdamW, from scratch
//
// Adam keeps two running averages per weight: m of the gradient and v of its square.
// It steps by m/√v, which is about ±1 whatever the gradient's scale, so every weight
// moves about lr per step. Both averages start at 0, which biases them low for the
// first steps; dividing by 1 − βᵗ undoes it. AdamW adds *decoupled* weight decay: it
// shrinks the weight itself, p·(1 − lr·λ), instead of adding λ·p to the gradient.
//
//     p = p·(1 − lr·λ)
//     m = β₁·m + (1 − β₁)·g          v = β₂·v + (1 − β₂)·g²
//     p = p − lr·m̂ / (√v̂ + ε)        m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
//
// The library decays only matrices, not biases or norms (nor embeddings), so the
// hand-written run decays the weight and not the bias.

// %%
cell()
func adamWStep(_ p: inout [Double], _ g: [Double], _ m: inout [Double], _ v: inout [Double], t: Int,
               learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
               weightDecay: Double) {
    for i in p.indices {
        p[i] *= 1 - learningRate * weightDecay
        m[i] = beta1 * m[i] + (1 - beta1) * g[i]
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
        let mHat = m[i] / (1 - pow(beta1, Double(t)))
        let vHat = v[i] / (1 - pow(beta2, Double(t)))
        p[i] -= learningRate * mHat / (vHat.squareRoot() + eps)
    }
}

var adamWeight = [Double](repeating: 0, count: 6), adamBias = [Double](repeating: 0, count: 2)
var (mW, vW) = ([Double](repeating: 0, count: 6), [Double](repeating: 0, count: 6))
var (mB, vB) = ([Double](repeating: 0, count: 2), [Double](repeating: 0, count: 2))
let adamLayer = freshLayer()
var adamW = Adam<Double>.adamW(learningRate: 0.1, weightDecay: 0.1)
for t in 1...5 {
    let gW = zip(adamWeight, targetWeight.scalars).map { $0 - $1 }
    let gB = zip(adamBias, targetBias.scalars).map { $0 - $1 }
    adamWStep(&adamWeight, gW, &mW, &vW, t: t, learningRate: 0.1, weightDecay: 0.1)     // a matrix: decayed
    adamWStep(&adamBias, gB, &mB, &vB, t: t, learningRate: 0.1, weightDecay: 0)         // a bias: not
    adamW.step(adamLayer, gradientsAt(adamLayer))
    let mine = quadraticLoss(NDArray(shape: [2, 3], scalars: adamWeight), NDArray(adamBias))
    print(String(format: "step %d   loss by hand %.4f   by AdamW %.4f", t, mine, quadraticLoss(adamLayer.weight, adamLayer.bias!)))
}
let adamAgrees = zip(adamWeight + adamBias, adamLayer.weight.scalars + adamLayer.bias!.scalars).allSatisfy { abs($0 - $1) < 1e-12 }
print("the weights agree within 1e-12:", adamAgrees, "  AdamW's step count t:", adamW.stepCount)

// %% [markdown]
// What "about lr per step" means: one first step on three weights whose gradients
// differ a millionfold. SGD's steps are as different as the gradients; Adam's are all
// lr (at t = 1, m̂ = g and √v̂ = |g|).

// %%
cell()
let spread = [1e-3, 1.0, 1e3]
var plainSGD = [0.0, 0.0, 0.0], adamFirst = [0.0, 0.0, 0.0]
var (m1, v1) = ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0])
var noVelocity: [Double]? = nil
sgdStep(&plainSGD, spread, &noVelocity, learningRate: 1e-3, momentum: 0)
adamWStep(&adamFirst, spread, &m1, &v1, t: 1, learningRate: 1e-3, weightDecay: 0)
for i in spread.indices {
    print(String(format: "gradient %8.3f   SGD moves the weight by %.1e   Adam by %.1e", spread[i], -plainSGD[i], -adamFirst[i]))
}

// %% [markdown]
// ## The learning rate: a warmup, then a cosine
//
// nanoGPT's schedule, which the library's `Trainer` uses: the rate climbs linearly to
// maxLR over the first `warmup` steps (step 0 already trains, at maxLR/warmup), then
// follows half a cosine down to minLR at step `decay`, and stays there. The warmup
// keeps the first steps small, while the weights are random and Adam's averages rest
// on a handful of gradients; the slow descent lets the model settle at the end.
//
//     lr(s) = maxLR·(s + 1)/warmup                                  s < warmup
//     lr(s) = minLR + ½·(1 + cos(π·r))·(maxLR − minLR)              r = (s − warmup)/(decay − warmup)
//     lr(s) = minLR                                                 s ≥ decay

// %%
cell()
func warmupCosine(_ step: Int, maxLR: Double, warmup: Int, decay: Int, minLR: Double) -> Double {
    if step < warmup { return maxLR * Double(step + 1) / Double(warmup) }
    if step >= decay { return minLR }
    let ratio = Double(step - warmup) / Double(decay - warmup)
    return minLR + 0.5 * (1 + cos(Double.pi * ratio)) * (maxLR - minLR)
}
let schedule = LearningRateSchedule.warmupCosine(maxLR: 1e-3, warmupSteps: 20, decaySteps: 100, minLR: 1e-4)
let scheduleAgrees = (0...120).allSatisfy {
    abs(warmupCosine($0, maxLR: 1e-3, warmup: 20, decay: 100, minLR: 1e-4) - schedule.learningRate(at: $0)) < 1e-15
}
print("agrees with LearningRateSchedule.warmupCosine at every step 0 … 120:", scheduleAgrees)
for step in stride(from: 0, through: 120, by: 5) {
    let lr = warmupCosine(step, maxLR: 1e-3, warmup: 20, decay: 100, minLR: 1e-4)
    let bar = String(repeating: "█", count: Int((lr / 1e-3 * 50).rounded()))
    print(String(format: "step %3d  lr %.2e  ", step, lr) + bar)
}

// %% [markdown]
// ## Clipping the gradient's global norm
//
// One unlucky batch can give a huge gradient, and one huge step can undo hours of
// training. Clipping measures the length of the whole gradient, every parameter's
// array together, ‖g‖ = √(Σ g²), and when it exceeds a limit scales every gradient by
// limit/‖g‖. The direction of the step does not change, only its length. (PyTorch's
// `clip_grad_norm_` divides by ‖g‖ + 1e-6, and so does the library.)

// %%
cell()
func clipByHand(_ arrays: [String: NDArray<Double>], maxNorm: Double) -> (clipped: [String: NDArray<Double>], norm: Double) {
    let norm = arrays.values.map { ($0 * $0).sum() }.reduce(0, +).squareRoot()
    guard norm > maxNorm else { return (arrays, norm) }
    let factor = maxNorm / (norm + 1e-6)
    return (arrays.mapValues { $0 * factor }, norm)
}
let far = Linear<Double>(weight: NDArray<Double>([[9, -9, 4], [7, 0, -5]]), bias: NDArray<Double>([3, 8]))
var farGradients = gradientsAt(far)                                      // a long way from the target
let (byHand, normByHand) = clipByHand(["weight": farGradients["weight"]!, "bias": farGradients["bias"]!], maxNorm: 1)
let normBefore = clipGradients(&farGradients, maxNorm: 1)                 // the library's, in place
print(String(format: "‖g‖ before: by hand %.4f, clipGradients %.4f", normByHand, normBefore))
print(String(format: "‖g‖ after clipping to 1: %.4f", farGradients.globalNorm))
print("the clipped gradients agree within 1e-12:",
      abs(byHand["weight"]! - farGradients["weight"]!).max() < 1e-12 && abs(byHand["bias"]! - farGradients["bias"]!).max() < 1e-12)
let ratio = farGradients["weight"]! / gradientsAt(far)["weight"]!
print(String(format: "every entry scaled by the same factor %.5f:", ratio.max()), abs(ratio.max() - ratio.min()) < 1e-12)

// %% [markdown]
// ## A training loop by hand: learn one batch by heart
//
// Now all of it on a tiny GPT (2 layers, 2 heads, C = 32, V = 16), in Float as real
// training runs. One batch of B = 4 random sequences of T = 8 tokens, with random
// next tokens: nothing to generalise, only to memorise. If the model, its backward
// and the optimizer are right, this loss falls towards 0; if it stalls, one of them
// is broken. It is the first test to run on any new model. Each step:
//
//     zero the gradients → loss and gradients (lossAndGradients) → clip → AdamW step

// %%
cell()
var modelRng = SeededGenerator(seed: 12)
let tinyConfig = GPTConfig(vocabSize: 16, maxSeqLen: 8, numLayers: 2, numHeads: 2, hiddenDim: 32, dropout: 0)
let tiny = GPTModel<Float>(config: tinyConfig, using: &modelRng)
let batchX = NDArray<Int>.randomIntegers([4, 8], low: 0, high: 16, using: &modelRng)        // [B, T]
let batchY = NDArray<Int>.randomIntegers([4, 8], low: 0, high: 16, using: &modelRng)        // [B, T]
var tinyGradients = Gradients<Float>(zerosFor: tiny)
var optimizer = Adam<Float>.adamW(learningRate: 1e-2, beta2: 0.99, weightDecay: 0)
var overfitLosses: [(Int, Double)] = []
for step in 0..<100 {
    tinyGradients.zero()
    let loss = tiny.lossAndGradients(inputIds: batchX, targets: batchY, into: &tinyGradients)
    let norm = clipGradients(&tinyGradients, maxNorm: 1)
    optimizer.step(tiny, tinyGradients)
    overfitLosses.append((step, loss))
    if step % 10 == 0 || step == 99 {
        print(String(format: "step %2d   loss %.3f   ‖g‖ %.3f%@", step, loss, norm, norm > 1 ? "  (clipped to 1)" : ""))
    }
}

// %% [markdown]
// It starts at about ln 16 ≈ 2.77, a uniform guess over 16 tokens, and falls fast.
// `renderLossCurve` draws the losses: each column is the mean of the steps that fall
// in it.

// %%
cell()
print(renderLossCurve(train: overfitLosses, width: 50, height: 8))

// %% [markdown]
// Why does it stop at 0.044 and not at 0? Look at the first column of the batch: rows
// 0 and 1 both start with token 12, but want different next tokens. At position 0 the
// model has seen nothing but that token, so the best it can do is ½ on each, a loss of
// ln 2 at each of those 2 positions, out of the 32 in the batch.

// %%
cell()
print("first tokens:", batchX[.all, 0], "  their targets:", batchY[.all, 0])
let firstProbabilities = tiny(batchX)[0, 0].softmax(axis: -1)                 // row 0, position 0: [V]
print(String(format: "p(10) = %.2f, p(0) = %.2f at row 0, position 0", firstProbabilities[10].item(), firstProbabilities[0].item()))
print(String(format: "the floor: 2 · ln 2 / 32 = %.3f   the last loss: %.3f", 2 * log(2.0) / 32, overfitLosses.last!.1))

// %% [markdown]
// ## The library's `Trainer` on a small text
//
// Real training draws a new batch every step from a long text, so the model must learn
// the rule, not the batch. The text here is made in place: each line is six different
// letters of a … h in a random order, a bar, and the same letters again
// (`cadbfe|cadbfe`). Before the bar little can be predicted; after it, every letter is
// the one seven places back, which a GPT can only learn with attention.

// %%
cell()
func copyingText(lines: Int, seed: UInt64) -> String {
    var rng = SeededGenerator(seed: seed)
    let letters = Array("abcdefgh")
    return (0..<lines).map { _ in
        var pool = letters                                                   // six different letters
        let word = String((0..<6).map { _ in pool.remove(at: Int(rng.next(below: UInt64(pool.count)))) })
        return word + "|" + word + "\n"
    }.joined()
}
let text = copyingText(lines: 2000, seed: 2)
let tokenizer = CharTokenizer(text: text)
print(text.prefix(42), terminator: "")
print("\(text.count) characters, a vocabulary of \(tokenizer.vocabSize):",
      tokenizer.characters.map { $0 == "\n" ? "\\n" : String($0) }.joined(separator: " "))

// %% [markdown]
// `TokenDataset` cuts the token stream into a training part (the first 90%) and a
// validation part (the rest), and draws random windows of T tokens from either.
// `TrainingConfig` holds every setting of a run; `Trainer` runs nanoGPT's loop with
// them: each step draws a batch, runs `lossAndGradients`, clips to 1, sets the
// schedule's learning rate, and steps AdamW; every `evalEvery` steps it measures the
// mean loss of a few batches of each part. Here: a GPT of 2 layers, 4 heads and C = 64,
// 400 steps of B = 16 windows of T = 16 characters.

// %%
cell()
let data: TokenDataset
do {
    data = try TokenDataset(tokens: try tokenizer.encode(text), contextLength: 16)
} catch {
    fatalError("the text cannot be cut into windows of 16 tokens: \(error)")
}
var config = GPTConfig(vocabSize: tokenizer.vocabSize, maxSeqLen: 16, numLayers: 2, numHeads: 4, hiddenDim: 64, dropout: 0)
config.bias = false
var training = TrainingConfig(steps: 400, batchSize: 16, contextLength: 16,
                              schedule: .warmupCosine(maxLR: 3e-3, warmupSteps: 50, decaySteps: 400, minLR: 3e-4))
training.evalEvery = 100                           // measure both losses every 100 steps
training.evalBatches = 4                           // on 4 batches of each part
training.seed = 7                                  // the batches' stream
print("training part \(data.train.count) tokens, validation part \(data.validation.count)")

var weightsRng = SeededGenerator(seed: 7)
let trainer = Trainer(model: GPTModel<Float>(config: config, using: &weightsRng), data: data, config: training)
do {
    try trainer.run(log: { _ in })                   // no folder: no checkpoints; the log lines are dropped
} catch {
    print("training stopped: \(error)")
}
print("step   train loss   validation loss")
for evaluation in trainer.evaluations {
    print(String(format: "%4d   %.3f        %.3f", evaluation.step, evaluation.trainLoss, evaluation.validationLoss))
}
printMeasured(String(format: "%.1f s of training, %.0f tokens/s", trainer.trainingSeconds,
                     Double(training.steps * training.batchSize * training.contextLength) / trainer.trainingSeconds))

// %% [markdown]
// `trainer.lossCurve` draws the loss of every step (the stars) and the validation
// estimates (the o's):

// %%
cell()
print(trainer.lossCurve(width: 60, height: 10))

// %% [markdown]
// The loss cannot reach 0: the six letters before each bar are random, about
// ln 20160 ≈ 9.9 nats a line of 14 characters, so even a perfect copier averages
// about 0.71 nats a character, and more in a window of 16 that starts mid-line, where
// some letters after the bar have lost their source. What the model has learned shows
// in a greedy continuation: after the bar, the same six letters again.

// %%
cell()
trainer.model.eval()
for prompt in ["\ncadbfe|", "\nhgfedc|"] {
    do {
        let ids = try tokenizer.encode(prompt)
        let result = trainer.model.generate(prompts: [ids], config: .greedy(maxNewTokens: 6))
        print(prompt.dropFirst() + "→ " + (try tokenizer.decode(result.newTokens[0])))
    } catch {
        print("cannot encode \(prompt): \(error)")
    }
}

// %% [markdown]
// ## Checkpoint and resume, bit for bit
//
// A long run must survive being stopped. A checkpoint holds everything the next step
// depends on: the weights, AdamW's m, v and step count, the batch generator, every
// dropout stream, and the history. A second trainer, built the same way, stops
// halfway (as a crash would) with a checkpoint in a temporary folder:

// %%
cell()
let folder = FileManager.default.temporaryDirectory
    .appendingPathComponent("lesson12-\(ProcessInfo.processInfo.processIdentifier)")
var stoppedRng = SeededGenerator(seed: 7)
let stopped = Trainer(model: GPTModel<Float>(config: config, using: &stoppedRng), data: data, config: training)
stopped.setTotalSteps(200)                        // the schedule still runs to step 400
do {
    try stopped.run(checkpointDirectory: folder, log: { _ in })
} catch {
    print("training stopped: \(error)")
}
let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
print("stopped at step \(stopped.step); the folder holds:", files.sorted())

// %% [markdown]
// `Trainer.resume` reads `training.safetensors` back and goes on from step 200 to the
// end. Compared with the first trainer, which never stopped, every weight is the same
// bit for bit, and so is every step's loss:

// %%
cell()
let resumed: Trainer<Float>
do {
    resumed = try Trainer<Float>.resume(from: folder, data: data)
} catch {
    fatalError("cannot resume from the checkpoint: \(error)")
}
print("resumed at step \(resumed.step)")
resumed.setTotalSteps(400)
do {
    try resumed.run(checkpointDirectory: folder, log: { _ in })
} catch {
    print("training stopped: \(error)")
}
let resumedBits = resumed.model.namedParameters.map { $0.value.scalars.map(\.bitPattern) }
let straightBits = trainer.model.namedParameters.map { $0.value.scalars.map(\.bitPattern) }
print("finished at step \(resumed.step); the same weights, bit for bit:", resumedBits == straightBits)
print("the same loss at every step:", resumed.history.map(\.loss) == trainer.history.map(\.loss))
print(String(format: "last loss: %.3f resumed, %.3f straight", resumed.history.last!.loss, trainer.history.last!.loss))

// %% [markdown]
// The temporary folder goes away at the end:

// %%
cell()
do {
    try FileManager.default.removeItem(at: folder)
} catch {
    print("cannot remove the temporary folder: \(error)")
}
print("the temporary folder is gone:", !FileManager.default.fileExists(atPath: folder.path))

// %% [markdown]
// ## What you built, and where the library does it
//
// - `sgdStep` and `adamWStep` are `SGD` and `Adam.adamW` in `Sources/Backprop/Optimizers.swift`
//   (each parameter's state kept by name; AdamW's update in one threaded pass).
// - `warmupCosine` and `clipByHand` are `LearningRateSchedule` and `clipGradients` in
//   `Sources/Backprop/Schedules.swift`; the global norm is `Gradients.globalNorm` in `Gradients.swift`.
// - The loop by hand is `Trainer.takeStep` in `Sources/GPT/Training/Trainer.swift` (with gradient
//   accumulation and a NaN check); its settings are `TrainingConfig.swift`, the batches `TokenDataset.swift`,
//   the picture `LossCurve.swift`, and the checkpoint `TrainingCheckpoint.swift`. docs/GPT.md, "Training".
//
// ## Exercises
//
// Rebuild it yourself (`swift run exercises next`, see docs/Exercises.md):
// `31-sgd-adamw`, `32-warmup-cosine`, `33-overfit-one-batch`.
//
// ## In the walkthrough
//
// Chapter 6, "Training, and the loss curve": `swift run -c release walkthrough --chapter training`.
// To train on a text file of your own, with checkpoints you can resume and sample:
// `swift run -c release walkthrough train input.txt --out run` (see docs/Walkthrough.md).
