// %% [markdown]
// # Lesson 11 · Backpropagation by hand
//
// Training needs to know, for every weight, how the loss would change if that weight
// moved a little: the *gradient*. PyTorch records a graph while the forward pass runs
// and walks it back (autograd). This project has no such engine, on purpose: every
// layer's backward is written out, llm.c's way. In this lesson you write each backward
// yourself, in Double, and check it twice: against the definition of a derivative
// (finite differences) and against the library's `Backprop` module.
//
// Run this lesson with `swift run -c release lesson 11`; its rendered copy, with every
// output, is `Notebooks/Rendered/11-backprop.md`.

// %%
import Backprop
import Foundation
import GPT
import NDArray
import NN
import Notebook

// %% [markdown]
// ## The chain rule, on one number
//
// A loss is a chain of small functions. Take one weight w and one bias b:
// z = w·x + b, then a = tanh(z), then L = (a − y)². The derivative of a chain is the
// product of its links: dL/dw = dL/da · da/dz · dz/dw. Backpropagation computes the
// links from the end: first dL/da, then dL/dz, then the inputs. Each link needs only
// its own local derivative and what the forward pass kept (here a).

// %%
cell()
let (x0, y0) = (1.5, 0.2)
let (w0, b0) = (0.8, -0.3)
func scalarLoss(_ w: Double, _ b: Double) -> Double {
    let a = tanh(w * x0 + b)
    return (a - y0) * (a - y0)
}
// Forward, keeping what the backward needs.
let z0 = w0 * x0 + b0
let a0 = tanh(z0)
let loss0 = (a0 - y0) * (a0 - y0)
// Backward, from the loss to the inputs.
let dA0 = 2 * (a0 - y0)            // dL/da
let dZ0 = dA0 * (1 - a0 * a0)      // tanh′(z) = 1 − tanh²(z): read from the kept a
let dW0 = dZ0 * x0                 // dz/dw = x
let dB0 = dZ0                      // dz/db = 1
print(String(format: "L = %.6f   dL/dw = %.6f   dL/db = %.6f", loss0, dW0, dB0))

// %% [markdown]
// ## Checking a gradient: central differences
//
// The definition of a derivative gives a check that needs no calculus at all: nudge w
// up and down by a small h and measure the slope, (L(w + h) − L(w − h)) / 2h. This
// *central* difference is off by about h², while the one-sided (L(w + h) − L(w)) / h is
// off by about h. Watch the errors shrink: 10× smaller h, 10× smaller one-sided error,
// 100× smaller central error.

// %%
cell()
for h in [1e-1, 1e-2, 1e-3] {
    let oneSided = (scalarLoss(w0 + h, b0) - scalarLoss(w0, b0)) / h
    let central = (scalarLoss(w0 + h, b0) - scalarLoss(w0 - h, b0)) / (2 * h)
    print(String(format: "h = %.0e   one-sided error %.1e   central error %.1e", h, abs(oneSided - dW0), abs(central - dW0)))
}

// %% [markdown]
// Here is the check for arrays, the one used for every backward below: nudge each
// element in turn, with h = 1e-6, in Double. A correct backward then agrees far below
// the bound of 1e-6 used in this lesson, and a wrong one (a missing term, a transposed
// product) misses it by orders of magnitude. The error is |analytic − numeric| /
// (1 + |numeric|): relative for large gradients, absolute for small ones.

// %%
cell()
/// ∂f/∂x for every element of x, by central differences.
func numericalGradient(_ x: NDArray<Double>, h: Double = 1e-6, _ f: (NDArray<Double>) -> Double) -> NDArray<Double> {
    var values = x.scalars
    var gradient = [Double](repeating: 0, count: values.count)
    for i in values.indices {
        let original = values[i]
        values[i] = original + h
        let up = f(NDArray(shape: x.shape, scalars: values))
        values[i] = original - h
        let down = f(NDArray(shape: x.shape, scalars: values))
        values[i] = original
        gradient[i] = (up - down) / (2 * h)
    }
    return NDArray(shape: x.shape, scalars: gradient)
}
/// max |analytic − numeric| / (1 + |numeric|).
func maxError(_ analytic: NDArray<Double>, _ numeric: NDArray<Double>) -> Double {
    (abs(analytic - numeric) / (1 + abs(numeric))).max()
}
/// max |a − b|: how far our backward is from the library's.
func maxDifference(_ a: NDArray<Double>, _ b: NDArray<Double>) -> Double { abs(a - b).max() }

let wb = NDArray<Double>([w0, b0])
let numericWB = numericalGradient(wb) { scalarLoss($0[0].item(), $0[1].item()) }
print("by the chain rule:        ", round(NDArray<Double>([dW0, dB0]), decimals: 6))
print("by central differences:   ", round(numericWB, decimals: 6))
print("max error below 1e-6:", maxError(NDArray([dW0, dB0]), numericWB) < 1e-6)

// %% [markdown]
// ## Cross-entropy: the probabilities minus the answer
//
// The loss of a GPT is the mean, over the N = B·T positions, of −log p(target), with
// p = softmax(logits). Its gradient with respect to the logits [B, T, V] is the
// simplest in deep learning, because the log and the softmax's exponential cancel:
//
//     dLogits = (softmax(logits) − onehot(targets)) / N
//
// Each row pushes the target's logit up (p − 1 < 0) and every other logit down, in
// proportion to how much probability it took. So each row sums to zero.

// %%
cell()
var rng = SeededGenerator(seed: 11)
let (B, T, V) = (2, 3, 5)
let logits = NDArray<Double>.normal([B, T, V], using: &rng)                             // [B, T, V]
let targets = NDArray<Int>.randomIntegers([B, T], low: 0, high: V, using: &rng)         // [B, T]
let probabilities = logits.softmax(axis: -1)
let dLogits = (probabilities - NDArray<Double>.oneHot(targets, depth: V)) / Double(B * T)
print("targets:", targets)
print("dLogits[0, 0]:", round(dLogits[0, 0], decimals: 4))
print("every row sums to 0:", abs(dLogits.sum(axis: -1)).max() < 1e-15)

// %% [markdown]
// Position [0, 0] as a picture: the bars are the probabilities, and the gradient is
// each bar minus 1 for the target, minus 0 for the others, over N = 6.

// %%
cell()
let target00 = targets[0, 0].item()
for v in 0..<V {
    let p = probabilities[0, 0, v].item()
    let bar = String(repeating: "█", count: Int((p * 50).rounded()))
    let note = v == target00 ? "   ← the target" : ""
    print("token \(v)  p \(String(format: "%.3f", p))  gradient \(String(format: "%+.4f", dLogits[0, 0, v].item()))  \(bar)\(note)")
}

// %% [markdown]
// Both checks: central differences of the library's `crossEntropy` (the forward), and
// the library's own backward, `crossEntropyBackward`.

// %%
cell()
let numericLogits = numericalGradient(logits) { crossEntropy(logits: $0, targets: targets) }
print("against central differences, max error below 1e-6:", maxError(dLogits, numericLogits) < 1e-6)
let libraryLogits = crossEntropyBackward(logits: logits, targets: targets)
print("against crossEntropyBackward, agree within 1e-12:", maxDifference(dLogits, libraryLogits) < 1e-12)

// %% [markdown]
// ## Linear: three matrix products
//
// y = x·Wᵀ + b, with x [B, T, in] and W [out, in]. To test a layer on its own, make the
// loss L = Σ y ⊙ r for a fixed random r of y's shape: then dL/dy = r exactly, so r
// stands for whatever gradient dY arrives from the layers above. The backward is
//
//     dX = dY·W      [B, T, out]·[out, in] → [B, T, in]
//     dW = dYᵀ·X     [out, N]·[N, in] → [out, in]      (N = B·T rows, flattened)
//     db = Σ dY      over B and T → [out]
//
// W and b are used by every one of the N rows, so their gradients add up over the rows.

// %%
cell()
let (inFeatures, outFeatures) = (4, 3)
let xLin = NDArray<Double>.normal([B, T, inFeatures], using: &rng)
let wLin = NDArray<Double>.normal([outFeatures, inFeatures], using: &rng)
let bLin = NDArray<Double>.normal([outFeatures], using: &rng)
let dYLin = NDArray<Double>.normal([B, T, outFeatures], using: &rng)       // r = dL/dy
func linearLoss(_ x: NDArray<Double>, _ w: NDArray<Double>, _ b: NDArray<Double>) -> Double {
    ((matmul(x, w.T) + b) * dYLin).sum()
}
let dXLin = matmul(dYLin, wLin)
let dWLin = matmul(dYLin.reshaped(-1, outFeatures).T, xLin.reshaped(-1, inFeatures))
let dBLin = dYLin.sum(axes: [0, 1])
print("dX", dXLin.shape, " dW", dWLin.shape, " db", dBLin.shape)
let linearErrors = [
    maxError(dXLin, numericalGradient(xLin) { linearLoss($0, wLin, bLin) }),
    maxError(dWLin, numericalGradient(wLin) { linearLoss(xLin, $0, bLin) }),
    maxError(dBLin, numericalGradient(bLin) { linearLoss(xLin, wLin, $0) }),
]
print("against central differences, all below 1e-6:", linearErrors.allSatisfy { $0 < 1e-6 })
let libraryLinear = linearBackward(dOut: dYLin, input: xLin, weight: wLin)
print("against linearBackward, agree within 1e-12:",
      max(maxDifference(dXLin, libraryLinear.dInput), maxDifference(dWLin, libraryLinear.dWeight),
          maxDifference(dBLin, libraryLinear.dBias!)) < 1e-12)

// %% [markdown]
// A layer's `backward` does the same, but *adds* each parameter's gradient into a
// `Gradients` value under the parameter's name, and returns dX for the layer below.
// The forward that keeps what the backward needs is `forwardSaving` (for Linear: x).

// %%
cell()
let linear = Linear<Double>(weight: wLin, bias: bLin)
var linearGradients = Gradients<Double>(zerosFor: linear)
let (_, linearSaved) = linear.forwardSaving(xLin)
let dXLayer = linear.backward(dYLin, linearSaved, into: &linearGradients)
print("gradients by name:", linearGradients.names)
print("Linear.backward agrees within 1e-12:",
      max(maxDifference(dXLayer, dXLin), maxDifference(linearGradients["weight"]!, dWLin),
          maxDifference(linearGradients["bias"]!, dBLin)) < 1e-12)

// %% [markdown]
// ## Softmax: every output depends on the whole row
//
// Raising one input x_i raises y_i and lowers every other y_j, since they still sum to
// 1: ∂y_j/∂x_i = y_j·(δ_ij − y_i). For one row of 4 that is a 4 × 4 matrix, the
// Jacobian diag(y) − y·yᵀ (symmetric, so which side dY multiplies does not matter).
// Multiplying dY by it gives the backward in one line that never builds the matrix
// (attention's weights have B·NH·T rows of length T, each with a T × T Jacobian):
//
//     dX = y ⊙ (dY − Σ_j y_j·dY_j)

// %%
cell()
let row = NDArray<Double>([0.5, -1.0, 2.0, 0.1])
let yRow = row.softmax(axis: -1)
let jacobian = NDArray<Double>.eye(4) * yRow.expandedDims(axis: 1) - outer(yRow, yRow)   // [4, 4]
print(round(jacobian, decimals: 4))
let dYRow = NDArray<Double>([1.0, 0.0, -2.0, 0.5])
func mySoftmaxBackward(dOut: NDArray<Double>, output y: NDArray<Double>) -> NDArray<Double> {
    y * (dOut - (dOut * y).sum(axis: -1, keepDims: true))
}
print("Jacobian·dY      ", round(matmul(jacobian, dYRow), decimals: 4))
print("y ⊙ (dY − Σ y·dY)", round(mySoftmaxBackward(dOut: dYRow, output: yRow), decimals: 4))

// %% [markdown]
// The same function works on any number of rows, such as attention's weights
// [B, NH, T, T], softmax along the last axis. Checked against central differences of
// L = Σ softmax(x) ⊙ r and against the library's `softmaxBackward`:

// %%
cell()
let scoresX = NDArray<Double>.normal([1, 2, 3, 3], using: &rng)              // [B, NH, T, T]
let dYSoft = NDArray<Double>.normal([1, 2, 3, 3], using: &rng)
let dXSoft = mySoftmaxBackward(dOut: dYSoft, output: scoresX.softmax(axis: -1))
let numericSoft = numericalGradient(scoresX) { ($0.softmax(axis: -1) * dYSoft).sum() }
print("against central differences, max error below 1e-6:", maxError(dXSoft, numericSoft) < 1e-6)
let librarySoft = softmaxBackward(dOut: dYSoft, output: scoresX.softmax(axis: -1))
print("against softmaxBackward, agree within 1e-12:", maxDifference(dXSoft, librarySoft) < 1e-12)

// %% [markdown]
// ## Layer norm: the row's mean and variance move too
//
// Per row of C numbers: norm = (x − mean)·rstd with rstd = 1/√(var + eps), then
// y = norm ⊙ γ + β. Moving one x moves the whole row's mean and variance, so every dX
// gathers the whole row:
//
//     dNorm = dY ⊙ γ
//     dX    = rstd · (dNorm − mean(dNorm) − norm ⊙ mean(dNorm ⊙ norm))
//     dγ    = Σ_rows dY ⊙ norm        dβ = Σ_rows dY
//
// The two means remove the part of dNorm that would only shift or scale the row, which
// the normalisation undoes anyway.

// %%
cell()
let eps = 1e-5
func myLayerNorm(_ x: NDArray<Double>, _ gamma: NDArray<Double>, _ beta: NDArray<Double>) -> NDArray<Double> {
    let centred = x - x.mean(axis: -1, keepDims: true)
    let rstd = 1 / sqrt((centred * centred).mean(axis: -1, keepDims: true) + eps)
    return centred * rstd * gamma + beta
}
func myLayerNormBackward(dOut: NDArray<Double>, input x: NDArray<Double>, gamma: NDArray<Double>)
    -> (dX: NDArray<Double>, dGamma: NDArray<Double>, dBeta: NDArray<Double>) {
    let centred = x - x.mean(axis: -1, keepDims: true)
    let rstd = 1 / sqrt((centred * centred).mean(axis: -1, keepDims: true) + eps)     // [B, T, 1]
    let norm = centred * rstd
    let dNorm = dOut * gamma
    let dX = rstd * (dNorm - dNorm.mean(axis: -1, keepDims: true)
        - norm * (dNorm * norm).mean(axis: -1, keepDims: true))
    return (dX, (dOut * norm).sum(axes: [0, 1]), dOut.sum(axes: [0, 1]))
}
let C = 6
let xLN = NDArray<Double>.normal([B, T, C], using: &rng)
let gammaLN = 1 + 0.1 * NDArray<Double>.normal([C], using: &rng)
let betaLN = 0.1 * NDArray<Double>.normal([C], using: &rng)
let dYLN = NDArray<Double>.normal([B, T, C], using: &rng)
let (dXLN, dGammaLN, dBetaLN) = myLayerNormBackward(dOut: dYLN, input: xLN, gamma: gammaLN)
print("each row of dX sums to 0 (shifting a row changes nothing):", abs(dXLN.sum(axis: -1)).max() < 1e-12)
let layerNormErrors = [
    maxError(dXLN, numericalGradient(xLN) { (myLayerNorm($0, gammaLN, betaLN) * dYLN).sum() }),
    maxError(dGammaLN, numericalGradient(gammaLN) { (myLayerNorm(xLN, $0, betaLN) * dYLN).sum() }),
    maxError(dBetaLN, numericalGradient(betaLN) { (myLayerNorm(xLN, gammaLN, $0) * dYLN).sum() }),
]
print("dX, dγ, dβ against central differences, all below 1e-6:", layerNormErrors.allSatisfy { $0 < 1e-6 })

// %% [markdown]
// The library's forward keeps each row's mean and rstd (`layerNormStatistics`), and its
// backward reads them instead of computing them again:

// %%
cell()
let (meanLN, rstdLN) = xLN.layerNormStatistics(eps: eps)                         // [B, T] each
let libraryLN = layerNormBackward(dOut: dYLN, input: xLN, weight: gammaLN, mean: meanLN, rstd: rstdLN)
print("against layerNormBackward, agree within 1e-12:",
      max(maxDifference(dXLN, libraryLN.dInput), maxDifference(dGammaLN, libraryLN.dWeight!),
          maxDifference(dBetaLN, libraryLN.dBias)) < 1e-12)

// %% [markdown]
// ## Attention: back through the softmax of the scores
//
// The forward, for q, k, v [B, NH, T, HS]: scores S = q·kᵀ/√HS + mask, weights
// W = softmax(S), output O = W·v. The backward runs it in reverse, with the pieces you
// already have: two matrix products (as Linear's), then the softmax's backward.
//
//     dW = dO·vᵀ            dv = Wᵀ·dO
//     dS = W ⊙ (dW − Σ W ⊙ dW)                    (softmax's backward, row by row)
//     dq = dS·k / √HS       dk = dSᵀ·q / √HS
//
// A masked score got weight 0, so it gets no gradient: the −∞ needs no special case.

// %%
cell()
let (NH, HS, TA) = (2, 3, 4)
let q = NDArray<Double>.normal([1, NH, TA, HS], using: &rng)                 // [B, NH, T, HS], B = 1
let k = NDArray<Double>.normal([1, NH, TA, HS], using: &rng)
let v = NDArray<Double>.normal([1, NH, TA, HS], using: &rng)
let dO = NDArray<Double>.normal([1, NH, TA, HS], using: &rng)
let mask: NDArray<Double> = createCausalMask(seqLen: TA)                    // [T, T]: 0 or −∞
let scale = 1 / Double(HS).squareRoot()
func attention(_ q: NDArray<Double>, _ k: NDArray<Double>, _ v: NDArray<Double>) -> NDArray<Double> {
    let scores = matmul(q, k.swappedAxes(-1, -2)) * scale + mask          // [B, NH, T, T]
    return matmul(scores.softmax(axis: -1), v)                             // [B, NH, T, HS]
}
let weightsA = (matmul(q, k.swappedAxes(-1, -2)) * scale + mask).softmax(axis: -1)   // kept by the forward
let dWeightsA = matmul(dO, v.swappedAxes(-1, -2))                          // [B, NH, T, T]
let dV = matmul(weightsA.swappedAxes(-1, -2), dO)                          // [B, NH, T, HS]
let dScores = mySoftmaxBackward(dOut: dWeightsA, output: weightsA)         // [B, NH, T, T]
let dQ = matmul(dScores, k) * scale
let dK = matmul(dScores.swappedAxes(-1, -2), q) * scale
var map = Heatmap(rowLabels: (0..<TA).map { "query \($0)" }, columnLabels: (0..<TA).map { "k\($0)" },
                  title: "|dS|, head 0: where the loss wants the scores to move")
print(map.render(abs(dScores[0, 0])))
print("no gradient reaches a masked score:", (0..<TA).allSatisfy { i in (i + 1..<TA).allSatisfy { j in
    dScores[0, .all, i, j].scalars.allSatisfy { $0 == 0 } } })

// %% [markdown]
// Query 0's row is blank: it may only look at key 0, so its weight is 1 whatever its
// score, and no change to that score can change the loss. Checked against central
// differences of L = Σ attention(q, k, v) ⊙ dO, and against the
// library's `ScaledDotProductAttention`, whose `forwardSaving` keeps q, k, v and the
// weights for its `backward`:

// %%
cell()
let attentionErrors = [
    maxError(dQ, numericalGradient(q) { (attention($0, k, v) * dO).sum() }),
    maxError(dK, numericalGradient(k) { (attention(q, $0, v) * dO).sum() }),
    maxError(dV, numericalGradient(v) { (attention(q, k, $0) * dO).sum() }),
]
print("dq, dk, dv against central differences, all below 1e-6:", attentionErrors.allSatisfy { $0 < 1e-6 })
let sdpa = ScaledDotProductAttention<Double>()                               // no dropout
let (_, _, attentionSaved) = sdpa.forwardSaving(query: q, key: k, value: v, mask: mask)
let libraryAttention = sdpa.backward(dO, attentionSaved)
print("against ScaledDotProductAttention.backward, agree within 1e-12:",
      max(maxDifference(dQ, libraryAttention.dQuery), maxDifference(dK, libraryAttention.dKey),
          maxDifference(dV, libraryAttention.dValue)) < 1e-12)

// %% [markdown]
// ## A whole GPT: `lossAndGradients`
//
// A GPT's backward is these pieces in reverse order: cross-entropy, the output
// projection, the final layer norm, then each block from the last to the first (its
// feed-forward, then its attention with the heads split and merged), and the
// embeddings. `lossAndGradients` runs the forward keeping what each layer's backward
// needs, then walks back and adds every parameter's gradient into a `Gradients`. A
// small GPT in Double: 1 layer, 2 heads, C = 8, V = 8.

// %%
cell()
var gptConfig = GPTConfig(vocabSize: 8, maxSeqLen: 6, numLayers: 1, numHeads: 2, hiddenDim: 8, dropout: 0)
gptConfig.ffnDim = 16
var modelRng = SeededGenerator(seed: 5)
let model = GPTModel<Double>(config: gptConfig, using: &modelRng)
model.eval()
let inputIds = NDArray<Int>.randomIntegers([2, 6], low: 0, high: 8, using: &modelRng)     // [B, T]
let nextIds = NDArray<Int>.randomIntegers([2, 6], low: 0, high: 8, using: &modelRng)      // [B, T]
var gradients = Gradients<Double>(zerosFor: model)
let gptLoss = model.lossAndGradients(inputIds: inputIds, targets: nextIds, into: &gradients)
print(String(format: "loss %.4f   (a new model guesses about evenly: ln 8 = %.4f)", gptLoss, log(8.0)))
print("\(model.numParameters()) parameters, \(gradients.names.count) gradient arrays; each gradient's norm:")
let norms = gradients.names.map { name in (name, sqrt((gradients[name]! * gradients[name]!).sum())) }
let largest = norms.map(\.1).max()!
for (name, norm) in norms {
    let bar = String(repeating: "█", count: max(1, Int((norm / largest * 30).rounded())))
    print(name.padding(toLength: 26, withPad: " ", startingAt: 0)
          + "\(gradients[name]!.shape)".padding(toLength: 9, withPad: " ", startingAt: 0)
          + String(format: "%.4f ", norm) + bar)
}

// %% [markdown]
// The largest norms belong to the embeddings (wte is tied: it is also the output
// projection, so it receives two contributions, which `Gradients` adds) and to the two
// biases added straight into the residual stream, `attn.proj.bias` and `ffn.down.bias`:
// their gradient is the stream's own, summed over every position.
//
// A few entries, checked by nudging the weight itself and running the whole forward
// pass again: the first, middle and last entry of four parameters.

// %%
cell()
func lossWith(_ model: GPTModel<Double>, _ name: String, _ index: Int, movedBy h: Double) -> Double {
    let original = model.parameter(named: name)!
    var values = original.scalars
    values[index] += h
    model.updateParameters { parameter, value in if parameter == name { value = NDArray(shape: value.shape, scalars: values) } }
    defer { model.updateParameters { parameter, value in if parameter == name { value = original } } }
    return model.computeLoss(inputIds: inputIds, targets: nextIds)
}
var gptErrors: [Double] = []
print("parameter                 index  backward    finite difference")
for name in ["wte.weight", "blocks.0.attn.qkv.weight", "blocks.0.ffn.down.weight", "lnF.weight"] {
    let count = model.parameter(named: name)!.count
    for index in [0, count / 2, count - 1] {
        let analytic = gradients[name]!.scalars[index]
        let numeric = (lossWith(model, name, index, movedBy: 1e-6) - lossWith(model, name, index, movedBy: -1e-6)) / 2e-6
        gptErrors.append(abs(analytic - numeric) / (1 + abs(numeric)))
        print(name.padding(toLength: 26, withPad: " ", startingAt: 0) + "\(index)".padding(toLength: 7, withPad: " ", startingAt: 0)
              + String(format: "%+.6f   %+.6f", analytic, numeric))
    }
}
print("all \(gptErrors.count) below 1e-6:", gptErrors.allSatisfy { $0 < 1e-6 })

// %% [markdown]
// Entries 0 and 96 of qkv are in its query and key rows (rows 0 … 15 of 24); their
// gradients are tiny. In a new model every score is near 0, so each query spreads its
// weight almost evenly, and moving a query or a key barely changes that. Entry 191 is
// in the value rows, which decide what gets averaged, and its gradient is far larger.

// %% [markdown]
// ## The library's gradient check
//
// Your `numericalGradient` is `checkGradients` in the library: it takes the inputs by
// name, their analytic gradients, and the loss as a function of all of them, and
// reports the worst error of each input and where it is. Here it checks your attention
// backward:

// %%
cell()
let attentionResults = checkGradients(["q": q, "k": k, "v": v], analytic: ["q": dQ, "k": dK, "v": dV]) { inputs in
    (attention(inputs["q"]!, inputs["k"]!, inputs["v"]!) * dO).sum()
}
for result in attentionResults {
    print("\(result.name) \(result.shape): max error below 1e-6:", result.maxError < 1e-6)
}

// %% [markdown]
// A check is only worth having if it catches mistakes. Drop the Σ term from softmax's
// backward (a tempting shortcut: dX = y ⊙ dY) and run the same check on the scores:

// %%
cell()
let wrongScores = weightsA * dWeightsA                                       // y ⊙ dY: the Σ term is missing
let caught = checkGradients(["q": q], analytic: ["q": matmul(wrongScores, k) * scale]) { inputs in
    (attention(inputs["q"]!, k, v) * dO).sum()
}[0]
print("max error above 1e-2, the mistake is caught:", caught.maxError > 1e-2)
print("worst at \(caught.worstIndex):", String(format: "analytic %+.4f, numeric %+.4f", caught.analyticAtWorst, caught.numericAtWorst))

// %% [markdown]
// For a whole layer, `checkLayerGradients` checks dX and every parameter's gradient
// against central differences of Σ layer(x) ⊙ r: here a pre-norm transformer block
// (layer norms, multi-head attention with a causal mask, the feed-forward network and
// the residual sums). `walkthrough gradcheck` prints this table for every layer kind.

// %%
cell()
var blockRng = SeededGenerator(seed: 3)
let block = TransformerBlock<Double>(hiddenDim: 8, numHeads: 2, ffnDim: 16, dropout: 0, normPlacement: .pre,
                                     attentionBias: true, using: &blockRng)
block.updateParameters { _, value in value = value + 0.1 * NDArray<Double>.normal(value.shape, using: &blockRng) }
let blockMask: NDArray<Double> = createCausalMask(seqLen: 4)
let xBlock = NDArray<Double>.normal([2, 4, 8], using: &blockRng)                  // [B, T, C]
let rBlock = NDArray<Double>.normal([2, 4, 8], using: &blockRng)
let blockResults = checkLayerGradients(block, input: xBlock, dOut: rBlock, forward: { block($0, mask: blockMask) }) { g in
    block.backward(rBlock, block.forwardSaving(xBlock, mask: blockMask).saved, into: &g)
}
for result in blockResults {
    print(result.name.padding(toLength: 24, withPad: " ", startingAt: 0)
          + "\(result.shape)".padding(toLength: 11, withPad: " ", startingAt: 0)
          + "max error below 1e-6: \(result.maxError < 1e-6)")
}

// %% [markdown]
// ## What you built, and where the library does it
//
// - `numericalGradient` and `maxError` are `checkGradients` and `checkLayerGradients` in
//   `Sources/Backprop/GradientCheck.swift`.
// - The cross-entropy backward is `crossEntropyBackward` in `Sources/Backprop/CrossEntropyBackward.swift`
//   (with label smoothing and ignored targets).
// - Linear's three products are `linearBackward` and `Linear.backward` in `Sources/Backprop/LinearBackward.swift`.
// - `mySoftmaxBackward` is `softmaxBackward` in `Sources/Backprop/SoftmaxBackward.swift`.
// - The layer norm backward is `layerNormBackward` in `Sources/Backprop/LayerNormBackward.swift`.
// - The attention backward is `ScaledDotProductAttention.backward` in `Sources/Backprop/AttentionBackward.swift`,
//   beside the heads, rotary positions and `MultiHeadAttention`; blocks are in `BlockBackward.swift`.
// - `Gradients` (one array per parameter name, added to, never overwritten) is `Sources/Backprop/Gradients.swift`;
//   the whole GPT's `lossAndGradients` is `Sources/GPT/Training/GPTBackward.swift`. docs/Backprop.md tells the story.
//
// ## Exercises
//
// Rebuild it yourself (`swift run exercises next`, see docs/Exercises.md):
// `25-cross-entropy-backward`, `26-linear-backward`, `27-softmax-backward`,
// `28-layer-norm-backward`, `29-attention-backward`, `30-gradient-check`.
//
// ## In the walkthrough
//
// Chapter 5, "One backward pass, and the gradient check":
// `swift run -c release walkthrough --chapter backward`. The gradient check of every
// layer kind: `swift run -c release walkthrough gradcheck`.
