// %% [markdown]
// # Lesson 4 · Softmax, log-sum-exp and layer norm
//
// Three small functions run in every layer of a GPT: softmax turns attention scores and
// logits into probabilities, its logarithm gives the loss, and layer norm keeps each
// token's vector at a steady scale. Each is one line of maths, and each one line, typed
// in as written, breaks on numbers a real model produces: logits of ±1e4, activations
// around 1e4. This lesson writes each function naively, breaks it, mends it with the
// standard trick, and checks the mended version against the library's.
//
// Shapes use the legend B (batch), T (tokens), C (channels), NH (heads), V (vocabulary).
// Run this lesson with `swift run -c release lesson 04`; its rendered copy, with every
// output, is `Notebooks/Rendered/04-softmax-and-norms.md`.

// %%
import Foundation
import NDArray
import NN
import Notebook

// %% [markdown]
// ## Softmax, as the formula says
//
// softmax(x)_j = e^(x_j) / Σ_i e^(x_i): every number made positive by the exponential, then
// divided by the total, so the row sums to 1. The largest logit gets the largest share,
// and a difference of 1 between two logits is a factor of e ≈ 2.718 between their shares.
// Along the last axis, with a keepDims sum (lesson 2) broadcast back:

// %%
cell()
func naiveSoftmax(_ x: NDArray<Float>) -> NDArray<Float> {
    let e = exp(x)
    return e / e.sum(axis: -1, keepDims: true)
}

/// One bar per entry, 40 blocks for a probability of 1.
func bars(_ p: NDArray<Float>, labels: [String]) {
    for (label, value) in zip(labels, p.scalars) {
        print(label.padding(toLength: 8, withPad: " ", startingAt: 0) + String(format: "%.4f ", value)
              + String(repeating: "█", count: Int((value * 40).rounded())))
    }
}

let logits: NDArray<Float> = [3, 2, 1, 0]
let p = naiveSoftmax(logits)
bars(p, labels: ["x = 3", "x = 2", "x = 1", "x = 0"])
print("sums to", String(format: "%.4f", p.sum()), " agrees with the library's softmax within 1e-6:",
      p.allClose(to: logits.softmax(axis: -1), relativeTolerance: 0, absoluteTolerance: 1e-6))

// %% [markdown]
// ## At ±1e4 it breaks
//
// A Float holds numbers up to about 3.4 × 10^38, and e^x passes that at x ≈ 88.7: from
// there on, `exp` gives +∞. Logits of 1e4 are far beyond it (an untrained model's logits
// are small, but a bad learning rate or a missing scale factor gets there quickly). Then
// the division is ∞ / ∞, which is NaN, "not a number". At −1e4 the opposite happens:
// e^(−1e4) is far below the smallest Float, every exponential is 0, and 0 / 0 is NaN
// again. The two rows below are the row above, shifted by ±1e4.

// %%
cell()
let high: NDArray<Float> = [1e4, 1e4 - 1, 1e4 - 2, 1e4 - 3]
let low: NDArray<Float> = [-1e4, -1e4 - 1, -1e4 - 2, -1e4 - 3]
print("exp(high)          ", exp(high))
print("naiveSoftmax(high) ", naiveSoftmax(high))
print("exp(low)           ", exp(low))
print("naiveSoftmax(low)  ", naiveSoftmax(low))

// %% [markdown]
// ## Subtract the maximum
//
// Adding the same number c to every logit multiplies every e^(x_j) by e^c, on the top and
// on the bottom alike, so the softmax does not change. Choose c = −max(x): the largest
// entry becomes e^0 = 1 and the others are smaller. Nothing overflows, and the sum is at
// least 1, so nothing divides by 0. The shifted rows are both [0, −1, −2, −3], so both give
// the probabilities of [3, 2, 1, 0] again.

// %%
cell()
func stableSoftmax(_ x: NDArray<Float>) -> NDArray<Float> {
    let shifted = x - x.max(axis: -1, keepDims: true)   // every row's largest entry is now 0
    let e = exp(shifted)
    return e / e.sum(axis: -1, keepDims: true)
}
print("stableSoftmax(high)", round(stableSoftmax(high), decimals: 4))
print("stableSoftmax(low) ", round(stableSoftmax(low), decimals: 4))

var rng = SeededGenerator(seed: 4)
let scores = NDArray<Float>.normal([2, 3, 5, 5], std: 30, using: &rng)    // [B, NH, T, T], some large
for (name, x) in [("high", high), ("low", low), ("scores [B, NH, T, T]", scores)] {
    print("agrees with softmax(axis: -1) within 1e-6 on \(name):",
          stableSoftmax(x).allClose(to: x.softmax(axis: -1), relativeTolerance: 0, absoluteTolerance: 1e-6))
}

// %% [markdown]
// One row still trips it: a row that is −∞ everywhere. That is a query the causal mask
// (lesson 2) allows to see nothing, which happens with padding or a cache that starts
// empty. Its maximum is −∞, and −∞ − (−∞) is NaN. The library's softmax gives such a row
// zeros instead (docs/NDArray.md lists it among the differences from the naive formulas).

// %%
cell()
let masked: NDArray<Float> = [[1, 2, -.infinity], [-.infinity, -.infinity, -.infinity]]
print("stableSoftmax:", round(stableSoftmax(masked), decimals: 4))
print("the library:  ", round(masked.softmax(axis: -1), decimals: 4))

// %% [markdown]
// ## log-softmax, through log-sum-exp
//
// The loss wants log p, not p: cross-entropy is −log p(the right token). Taking the log of
// a softmax throws away what the softmax rounded off: a probability below about 1e-45 is
// 0 in Float, and log 0 = −∞, so a confident model that is wrong about one token gets an
// infinite loss and NaN gradients. Instead, take the log of the formula itself:
//
// log softmax(x)_j = x_j − log Σ_i e^(x_i)   and   log Σ_i e^(x_i) = m + log Σ_i e^(x_i − m),  m = max(x)
//
// The second expression is *log-sum-exp*, shifted by the maximum just like the softmax.
// Nothing in it is ever exponentiated above 0 or logged at 0.

// %%
cell()
func logSumExpRows(_ x: NDArray<Float>) -> NDArray<Float> {           // [..., N] → [..., 1]
    let m = x.max(axis: -1, keepDims: true)
    return m + log(exp(x - m).sum(axis: -1, keepDims: true))
}
func logSoftmaxRows(_ x: NDArray<Float>) -> NDArray<Float> {
    x - logSumExpRows(x)
}

let spread: NDArray<Float> = [1e4, 0, -1e4]
print("log(stableSoftmax(x))", log(stableSoftmax(spread)))
print("logSoftmaxRows(x)    ", logSoftmaxRows(spread))
print("the library's logSoftmax(axis: -1):", logSoftmaxRows(spread) == spread.logSoftmax(axis: -1))
print("log-sum-exp:", logSumExpRows(spread), " the library's logSumExp(axis: -1):", spread.logSumExp(axis: -1))

let batchLogits = NDArray<Float>.normal([2, 5, 11], std: 50, using: &rng)   // [B, T, V]
print("on logits [B, T, V] within 1e-4: logSoftmax", logSoftmaxRows(batchLogits).allClose(
          to: batchLogits.logSoftmax(axis: -1), relativeTolerance: 0, absoluteTolerance: 1e-4),
      " logSumExp", logSumExpRows(batchLogits).squeezed(axis: -1).allClose(
          to: batchLogits.logSumExp(axis: -1), relativeTolerance: 1e-6, absoluteTolerance: 1e-4))

// %% [markdown]
// The middle token's probability is e^(−1e4): not 0, just far too small for a Float. As a
// log it is an ordinary number, −1e4 (the loss if that were the right token: large, but
// finite, with a gradient that points the right way). The naive route gave −∞ for it.
//
// ## Layer norm, from scratch
//
// Layer norm works on each token's vector of C numbers on its own: subtract their mean
// (lesson 2's keepDims centring), divide by their standard deviation, then scale by γ and
// shift by β, two learned vectors of C numbers each:
//
// y = (x − mean) / √(var + eps) · γ + β,    var = mean((x − mean)²)
//
// The variance divides by C, not C − 1 (PyTorch's LayerNorm does the same), and eps = 1e-5
// keeps a constant vector (variance 0) from dividing by zero.

// %%
cell()
func layerNormRows(_ x: NDArray<Float>, gamma: NDArray<Float>, beta: NDArray<Float>, eps: Float = 1e-5) -> NDArray<Float> {
    let mean = x.mean(axis: -1, keepDims: true)                     // [B, T, 1]
    let centred = x - mean                                          // [B, T, C]
    let variance = (centred * centred).mean(axis: -1, keepDims: true)   // [B, T, 1]
    return centred / sqrt(variance + eps) * gamma + beta            // γ, β: [C]
}

let (B, T, C) = (2, 4, 16)
let x = NDArray<Float>.normal([B, T, C], mean: 3, std: 5, using: &rng)
let normalised = layerNormRows(x, gamma: .ones([C]), beta: .zeros([C]))
print("before: token 0's mean", String(format: "%.4f", x[0, 0].mean()), " std", String(format: "%.4f", x[0, 0].std()))
print("after:  token 0's |mean|", String(format: "%.4f", abs(normalised[0, 0].mean())), " std", String(format: "%.4f", normalised[0, 0].std()))

let layer = LayerNorm<Float>(normalizedShape: C)                    // NN's layer: γ = 1, β = 0, eps = 1e-5
layer.weight = NDArray<Float>.normal([C], mean: 1, std: 0.1, using: &rng)
layer.bias = NDArray<Float>.normal([C], std: 0.1, using: &rng)
let ours = layerNormRows(x, gamma: layer.weight!, beta: layer.bias!)
print("agrees with NN's LayerNorm within 1e-5:", ours.allClose(to: layer(x), relativeTolerance: 0, absoluteTolerance: 1e-5))

// %% [markdown]
// (The mean after is 0 up to rounding, which can leave it a hair below 0, so the lesson
// prints its size, |mean|.) RMSNorm, which LLaMA uses instead, skips the centring and β: it
// divides by the root mean square √(mean(x²) + eps) and scales by γ. Its eps defaults to
// 1e-6.

// %%
cell()
func rmsNormRows(_ x: NDArray<Float>, gamma: NDArray<Float>, eps: Float = 1e-6) -> NDArray<Float> {
    x / sqrt((x * x).mean(axis: -1, keepDims: true) + eps) * gamma
}
let rms = RMSNorm<Float>(normalizedShape: C)
rms.weight = layer.weight
print("agrees with NN's RMSNorm within 1e-5:",
      rmsNormRows(x, gamma: layer.weight!).allClose(to: rms(x), relativeTolerance: 0, absoluteTolerance: 1e-5))

// %% [markdown]
// ## Why subtract the mean first: the variance at 1e4
//
// There is a shortcut for the variance in one pass over the data: var = E[x²] − E[x]²,
// the mean of the squares minus the square of the mean. It is exact in real numbers and
// useless in Float when the numbers sit far from zero. Take a vector around 1e4 that
// varies by about 1: E[x²] ≈ 1e8, and a Float near 1e8 can only be a multiple of 8 (it
// keeps 24 bits). Two numbers near 1e8, each rounded to a multiple of 8, are subtracted to
// find a difference of about 1: what is left is mostly rounding. This is *catastrophic
// cancellation*.

// %%
cell()
let far = NDArray<Float>.normal([C], mean: 1e4, std: 1, using: &rng)   // one token's vector, around 1e4
let values = far.scalars
let count = Float(values.count)

var sum: Float = 0, sumOfSquares: Float = 0
for v in values { sum += v; sumOfSquares += v * v }                  // one pass
let onePass = sumOfSquares / count - (sum / count) * (sum / count)

let meanFirst = values.reduce(0, +) / count                           // two passes: mean, then deviations
let twoPass = values.map { ($0 - meanFirst) * ($0 - meanFirst) }.reduce(0, +) / count

let exact = { () -> Double in                                         // the same Floats, summed in Double
    let d = values.map(Double.init), m = d.reduce(0, +) / Double(d.count)
    return d.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(d.count)
}()
print("E[x²]               ", String(format: "%.1f", sumOfSquares / count), "  (a Float near 1e8 is a multiple of \(Float(1e8).ulp))")
print("one pass, E[x²]−E[x]²", String(format: "%.4f", onePass))
print("two passes           ", String(format: "%.4f", twoPass))
print("in Double            ", String(format: "%.4f", exact))

// %% [markdown]
// The two-pass variance, computed in Float on the centred values, matches the one computed
// in Double to four decimals. The one-pass variance came out as −24: three multiples of 8
// below zero, for a true value under 2. A layer norm built on it takes √(var + eps) of a
// negative number, which is NaN. On other vectors the shortcut lands on 0 (then it divides
// by √eps ≈ 0.003 and blows the token up a few hundred times) or on 8 or 16 (and shrinks
// it). Here is that layer norm, beside ours and the library's, on six tokens around 1e4:
// every token should come out with standard deviation 1.

// %%
cell()
func layerNormOnePass(_ x: NDArray<Float>, eps: Float = 1e-5) -> NDArray<Float> {
    let mean = x.mean(axis: -1, keepDims: true)
    let variance = (x * x).mean(axis: -1, keepDims: true) - mean * mean   // E[x²] − E[x]²
    return (x - mean) / sqrt(variance + eps)
}
let farTokens = NDArray<Float>.normal([1, 6, C], mean: 1e4, std: 1, using: &rng)   // [B, T, C] around 1e4
let farMean = farTokens.mean(axis: -1)
print("each token's variance, one pass:  ", (farTokens * farTokens).mean(axis: -1) - farMean * farMean)
print("each token's variance, two passes:", round(farTokens.var(axis: -1), decimals: 2))
let shortcut = layerNormOnePass(farTokens)
let careful = layerNormRows(farTokens, gamma: .ones([C]), beta: .zeros([C]))
print("each token's std after normalising (it should be 1):")
for (name, y) in [("one pass  ", shortcut), ("two passes", careful), ("library   ", farTokens.layerNorm())] {
    print("  " + name, y.std(axis: -1).scalars.map { $0.isNaN ? "    nan" : String(format: "%7.2f", $0) }.joined())
}
print("the two-pass layer norm agrees with the library's within 1e-2:",
      careful.allClose(to: farTokens.layerNorm(), relativeTolerance: 0, absoluteTolerance: 1e-2))

// %% [markdown]
// The two-pass version and the library's agree within 1e-2, not 1e-5: a Float near 1e4 is
// a multiple of about 0.001, so the inputs themselves are only that precise, and the two
// add up each row's mean in a different order.
//
// The library computes the mean first and the variance from the centred values, in two
// passes over each row (`layerNormStatisticsRow` in `Kernels/RowKernels.swift`). Centred
// values near 1 square to numbers near 1, and nothing cancels. The trouble does not wait
// for 1e4: the shortcut's error grows with the square of mean / spread, so a vector whose
// mean is 100 times its spread already loses about 4 of a Float's 7 digits. Activations that
// large are not rare: the residual stream grows from layer to layer, and a few channels of
// large trained transformers carry values far above the rest.
//
// ## What you built, and where the library does it
//
// - `stableSoftmax`, `logSumExpRows` and `logSoftmaxRows` are `softmax(axis:)`,
//   `logSumExp(axis:keepDims:)` and `logSoftmax(axis:)` in
//   `Sources/NDArray/Operations/NDArray+Softmax.swift`, each beside a `…Reference` twin built
//   from whole-array operations, as ours are.
// - `layerNormRows` is `layerNorm(weight:bias:eps:)` in
//   `Sources/NDArray/Operations/NDArray+LayerNorm.swift`, which the layers
//   `Sources/NN/LayerNorm.swift` and `Sources/NN/RMSNorm.swift` call or mirror.
// - The fast paths, a SIMD vector at a time with rows spread over threads, are
//   `Sources/NDArray/Kernels/RowKernels.swift`; the vectorised exp they call is
//   `Sources/NDArray/Kernels/VectorMath.swift`.
//
// ## Exercises
//
// Rebuild it yourself (`swift run exercises next`, see docs/Exercises.md): `07-softmax`
// (softmax and log-sum-exp that never overflow, and a row of −∞ that gives zeros, not
// NaN) and `08-layer-norm` (layer norm and RMSNorm).
//
// ## In the walkthrough
//
// Chapter 2 centres each token as layer norm's first step
// (`swift run -c release walkthrough --chapter broadcasting`), and chapter 4 normalises
// real activations and takes the softmax of the attention scores
// (`swift run -c release walkthrough --chapter gpt`, the step "Block 0: queries, keys
// and values").
