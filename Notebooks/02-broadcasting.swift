// %% [markdown]
// # Lesson 2 · Broadcasting
//
// A GPT adds one bias of C numbers to every token of every sequence, subtracts each
// token's mean from its own C numbers, and lays one [T, T] mask over the scores of
// every head. None of that needs a loop or a copy: the arrays have different shapes,
// and *broadcasting* says how to line them up. This lesson writes NumPy's rule by hand,
// shows why stretching an array costs nothing, and uses it the three ways a GPT does.
//
// Shapes are written with the legend B (batch), T (tokens), C (channels), NH (heads).
// Run this lesson with `swift run -c release lesson 02`; its rendered copy, with every
// output, is `Notebooks/Rendered/02-broadcasting.md`.

// %%
import Foundation
import NDArray
import NN
import Notebook

// %% [markdown]
// ## Two shapes, one result
//
// A column of 3 numbers plus a row of 4 numbers gives a 3 × 4 grid: every number of the
// column meets every number of the row. Neither array was written out at the other's
// size; the addition stretched both.

// %%
cell()
let column = NDArray<Float>.arange(3).reshaped(3, 1) * 10   // [3, 1]
let row = NDArray<Float>.arange(4)                          // [4]
print(column)
print(row)
print(column + row)
print("shapes", column.shape, "and", row.shape, "→", (column + row).shape)

// %% [markdown]
// ## The rule, by hand
//
// NumPy's rule, which this library follows exactly:
//
// 1. Align the two shapes on the right.
// 2. Pad the shorter one on the left with 1s (a missing axis counts as size 1).
// 3. Walk the axes: each pair of sizes must be equal, or one of them must be 1. The
//    result takes the other size; the axis of size 1 is *stretched* to it.
//
// Here is that rule written out, printing each step, so you can watch it work on a
// bias, a mask, the column and row from above, and a pair that fails.

// %%
cell()
func broadcastShape(_ a: [Int], _ b: [Int], explain: Bool = false) -> [Int]? {
    let ndim = max(a.count, b.count)
    let paddedA = [Int](repeating: 1, count: ndim - a.count) + a
    let paddedB = [Int](repeating: 1, count: ndim - b.count) + b
    if explain { print("  padded on the left: \(paddedA) and \(paddedB)") }
    var result: [Int] = []
    for axis in 0..<ndim {
        let (x, y) = (paddedA[axis], paddedB[axis])
        let name = "axis \(axis - ndim)"        // counted from the right, as NumPy's messages do
        if x == y {
            if explain { print("  \(name): \(x) and \(y) agree") }
            result.append(x)
        } else if x == 1 || y == 1 {
            let other = x == 1 ? y : x          // not max(x, y): a 1 stretched over 0 gives 0
            if explain { print("  \(name): stretch \(x == 1 ? "the first" : "the second") from 1 to \(other)") }
            result.append(other)
        } else {
            if explain { print("  \(name): \(x) and \(y) differ and neither is 1: no broadcast") }
            return nil
        }
    }
    return result
}

for (a, b) in [([2, 3, 4], [4]), ([2, 2, 4, 4], [4, 4]), ([3, 1], [4]), ([2, 3], [4])] {
    print("\(a) with \(b):")
    let shape = broadcastShape(a, b, explain: true)
    print("  → \(shape.map { "\($0)" } ?? "no result")")
}

// %% [markdown]
// The library's `broadcastShapes(_:_:)` (NumPy's `np.broadcast_shapes`) returns the shape
// or throws. Ours returns nil instead of throwing; on every pair below the two answer
// alike. Two pairs are worth a look: `[]` is the shape of a single number (a 0-d array),
// which broadcasts with anything; and an axis of size 0 (an empty array) meets a 1 and
// stays 0. That is why the rule says "the other size" and not "the larger": a first
// attempt with `max(x, y)` gets [0, 3] with [1, 3] wrong.

// %%
cell()
let pairs: [([Int], [Int])] = [
    ([2, 3, 4], [4]), ([2, 3, 4], [3, 1]), ([2, 3, 4], [2, 1, 1]), ([2, 3, 4], []),
    ([2, 1, 4], [3, 1]), ([5, 1, 3], [1, 7, 1]), ([0, 3], [1, 3]), ([1], [0]),
    ([2, 3, 4], [3]), ([2, 3], [4]), ([2, 3, 4], [2, 3]), ([4, 4], [2, 2, 4, 3]),
]
var sameAnswers = 0
for (a, b) in pairs {
    let library = try? broadcastShapes(a, b)
    if broadcastShape(a, b) == library { sameAnswers += 1 }
}
print("our rule and broadcastShapes agree on \(sameAnswers) of \(pairs.count) pairs")

// %% [markdown]
// ## Stretching moves nothing: stride 0
//
// Lesson 1's formula reads element [i, j] at `storage[offset + i·strides[0] + j·strides[1]]`.
// Give an axis stride 0 and every step along it reads the same slot again. That is all
// `broadcast(to:)` does (NumPy's `np.broadcast_to`): it keeps the storage and writes 0
// into the strides of the stretched axes. The column keeps its 3 numbers and reads as
// 12; the row keeps its 4 and reads as 12.

// %%
cell()
let wideColumn = column.broadcast(to: [3, 4])
let tallRow = row.broadcast(to: [3, 4])
print(wideColumn)
print("column", column.shape, "strides", column.strides, "→ broadcast", wideColumn.shape, "strides", wideColumn.strides)
print("row   ", row.shape, "strides", row.strides, "   → broadcast", tallRow.shape, "strides", tallRow.strides)
print(ArrayLayout.table(["column": column.layout, "wideColumn": wideColumn.layout,
                         "row": row.layout, "tallRow": tallRow.layout]))

// %% [markdown]
// The formula, applied by hand to the broadcast view, reads the column's storage: all four
// columns of row 2 come from `storage[2]`.

// %%
cell()
let columnStorage = column.scalars
let s = wideColumn.strides
for j in 0..<4 {
    let place = wideColumn.offset + 2 * s[0] + j * s[1]
    print("wideColumn[2, \(j)] is storage[\(place)] =", columnStorage[place], " the library says", wideColumn[2, j].item())
}

// %% [markdown]
// The bigger the stretch, the bigger the saving. A bias of C = 768 numbers (GPT-2 small's
// width) broadcast over B = 8 sequences of T = 1024 tokens reads as six million numbers and
// still holds 768. The bars compare the numbers each array reads as (█) with the numbers
// it keeps in storage (▒), one block per 160 000 numbers (and at least one).

// %%
cell()
let bias768 = NDArray<Float>.zeros([768])
let stretched = bias768.broadcast(to: [8, 1024, 768])
let copied = stretched.contiguous()          // the same values, written out for real
for (name, array) in [("bias [C]", bias768), ("broadcast view", stretched), ("a real copy", copied)] {
    let reads = String(repeating: "█", count: max(1, array.count / 160_000))
    let holds = String(repeating: "▒", count: max(1, array.layout.storageCount / 160_000))
    print(name.padding(toLength: 15, withPad: " ", startingAt: 0) + String(format: "reads as %7d ", array.count) + reads)
    print(String(repeating: " ", count: 15) + String(format: "holds    %7d ", array.layout.storageCount) + holds)
}
print("the view shares the bias's storage:", stretched.sharesStorage(with: bias768), " strides", stretched.strides)

// %% [markdown]
// (Writing into a broadcast view would have to put several elements into one slot.
// Instead, as with shared storage, the write first copies the array: lesson 1's
// copy-on-write.)
//
// ## A bias for every token: [B, T, C] + [C]
//
// Every Linear layer ends with "+ b": one bias of C numbers added to each of the B·T token
// vectors. Aligned on the right, [C] meets the last axis of [B, T, C]; the two missing axes
// count as 1 and are stretched. Written with loops, this is what the one `+` does:

// %%
cell()
let x = NDArray<Float>.arange(24).reshaped(2, 3, 4)   // B = 2 sequences, T = 3 tokens, C = 4 channels
let bias = NDArray<Float>([100, 200, 300, 400])       // [C]
var byHand = NDArray<Float>.zeros([2, 3, 4])
for b in 0..<2 {
    for t in 0..<3 {
        for c in 0..<4 { byHand[b, t, c] = NDArray(x[b, t, c].item() + bias[c].item()) }
    }
}
let withBias = x + bias
print(withBias[1])
print("the loops and x + bias agree:", byHand == withBias)
print("the bias as the addition reads it: shape", bias.broadcast(to: x.shape).shape, "strides", bias.broadcast(to: x.shape).strides)

// %% [markdown]
// ## A reduction that keeps its axis, so broadcasting can undo it
//
// Layer norm's first step centres each token's vector: subtract its mean over C. The mean
// over the last axis of [B, T, C] has shape [B, T]; aligned on the right, [B, T] would meet
// C with T, which is the wrong axis, and here 4 and 3 do not even match. `keepDims: true`
// leaves the reduced axis in place with size 1: [B, T, 1] lines up with [B, T, C] and
// stretches back along C.

// %%
cell()
let meanDropped = x.mean(axis: -1)
let mean = x.mean(axis: -1, keepDims: true)
print("x.mean(axis: -1)                 shape", meanDropped.shape, " [B, T]")
print("x.mean(axis: -1, keepDims: true) shape", mean.shape, " [B, T, 1]")
print("[B, T, C] with [B, T]:   ", broadcastShape(x.shape, meanDropped.shape).map { "\($0)" } ?? "no broadcast")
print("[B, T, C] with [B, T, 1]:", broadcastShape(x.shape, mean.shape).map { "\($0)" } ?? "no broadcast")
let centred = x - mean                                 // [2, 3, 4] − [2, 3, 1]
print(centred[0])
print("each token's mean after centring, [B, T]:")
print(centred.mean(axis: -1))

// %% [markdown]
// Every row of x is four consecutive numbers, so every centred row is the same
// [-1.5, -0.5, 0.5, 1.5], with mean 0. Lesson 4 finishes the layer norm: divide by the
// standard deviation, then scale and shift. The same trick works for any reduction: a
// `sum(axis:keepDims:)` or a `max(axis:keepDims:)` broadcasts back against the array it
// came from, which is how softmax subtracts each row's maximum.
//
// ## The causal mask: [T, T] over [B, NH, T, T]
//
// Attention scores have one [T, T] grid per sequence and per head: [B, NH, T, T]. A token
// may look at itself and the tokens before it, never after. The causal mask is one [T, T]
// grid, 0 where looking is allowed and −∞ where it is not; broadcasting lays it over all
// B·NH grids at once.

// %%
cell()
let T = 4
let mask = createCausalMask(seqLen: T)                // [T, T], NDArray<Float>
print(mask)
print("[B, NH, T, T] = [2, 3, \(T), \(T)] with [T, T] = \(mask.shape):")
print("  →", broadcastShape([2, 3, T, T], mask.shape, explain: true)!)
print("the mask as the addition reads it: strides", mask.broadcast(to: [2, 3, T, T]).strides)

// %% [markdown]
// Adding the mask leaves the allowed scores as they were and turns the future into −∞.
// After a softmax along the last axis (lesson 4), e^−∞ = 0: the future gets no weight at
// all. Here are seeded random scores for B = 2 sequences and NH = 3 heads, and one head's
// weights drawn as a heatmap; every head of every sequence has the same empty upper
// triangle.

// %%
cell()
var rng = SeededGenerator(seed: 2)
let scores = NDArray<Float>.normal([2, 3, T, T], using: &rng)   // [B, NH, T, T]
let masked = scores + mask                                       // [B, NH, T, T]
print(round(masked[1, 2], decimals: 2))
let weights = masked.softmax(axis: -1)
print(round(weights[1, 2], decimals: 3))
let tokens = ["The", "cat", "sat", "down"]
let map = Heatmap(rowLabels: tokens, columnLabels: tokens, title: "sequence 1, head 2: who looks at whom")
print(map.render(weights[1, 2]))
let future = mask .== -Float.infinity                            // [T, T] of Bool
print("every head of every sequence gives the future weight 0:",
      NDArray.where(future.broadcast(to: weights.shape), weights, 0).sum() == 0)

// %% [markdown]
// ## When shapes do not broadcast
//
// A pair of sizes that differ, neither of them 1, has no result. An operation that meets
// one stops the program, and says where: `x + NDArray<Float>.zeros([3])` on our [2, 3, 4] x
// stops with "add: shapes [2, 3, 4] and [3] cannot be broadcast together: 4 (axis -1) != 3
// (axis -1)". To ask first, without stopping, call `broadcastShapes`, which throws a
// `ShapeError` with the same words.

// %%
cell()
for (a, b) in [(x.shape, [3]), (x.shape, meanDropped.shape)] {
    do {
        let shape = try broadcastShapes(a, b, operation: "add")
        print("\(a) + \(b) → \(shape)")
    } catch {
        print(error)
    }
}

// %% [markdown]
// The second one is the keepDims mistake from above: [B, T] against [B, T, C]. The message
// names both shapes and the first axis, counted from the right, where they disagree; that
// is usually enough to see which array lost an axis.
//
// ## What you built, and where the library does it
//
// - `broadcastShape` is `broadcastShapes` in `Sources/NDArray/Core/ShapesAndStrides.swift`;
//   the stride-0 view it reads with is `broadcastStrides` in the same file, and
//   `broadcast(to:)` is in `Sources/NDArray/Views/NDArray+Views.swift`.
// - Every element-wise operation broadcasts through one engine:
//   `Sources/NDArray/Operations/NDArray+Elementwise.swift`; the keepDims reductions are in
//   `Sources/NDArray/Operations/NDArray+Reductions.swift`.
// - The causal mask is `createCausalMask` in `Sources/NN/Masks.swift`; the shape messages
//   are written in `Sources/NDArray/Core/ShapeErrors.swift`.
//
// ## Exercises
//
// Rebuild it yourself (`swift run exercises next`, see docs/Exercises.md):
// `04-broadcasting` (the rule, returning nil when there is no result) and `05-sum-axis`
// (a reduction along one axis, with and without keepDims).
//
// ## In the walkthrough
//
// Chapter 2, "Broadcasting": `swift run -c release walkthrough --chapter broadcasting`.
