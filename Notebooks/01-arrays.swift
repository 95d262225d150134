// %% [markdown]
// # Lesson 1 · Arrays, strides and views
//
// Everything in a GPT is an array of numbers: the tokens, the weights, the attention
// scores. This lesson opens one up. An `NDArray` is a flat row of numbers in memory
// (its *storage*) and three small lists that say how to read it as a grid: the
// *shape*, the *strides* and the *offset*. Once you can read those three lists, a
// transpose, a slice and a reshape stop being mysterious: most of them move no
// numbers at all.
//
// Run this lesson with `swift run -c release lesson 01`; its rendered copy, with every
// output, is `Notebooks/Rendered/01-arrays.md`.

// %%
import NDArray
import Notebook

// %% [markdown]
// ## An array is storage plus a shape
//
// `arange(12)` makes the numbers 0 … 11; `reshaped(3, 4)` reads them as 3 rows of 4.

// %%
cell()
let x = NDArray<Float>.arange(12).reshaped(3, 4)
print(x)
print("shape", x.shape, "strides", x.strides, "offset", x.offset)

// %% [markdown]
// ## Strides, by hand
//
// The strides say how many places in storage one step along each axis moves. In a new
// array the last axis moves 1 place, and each earlier axis moves over everything after
// it: for shape [3, 4], one row down skips 4 numbers. That order is called row-major,
// or "C order". Let us compute strides for any shape, from the right.

// %%
cell()
func rowMajorStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var step = 1
    for axis in shape.indices.reversed() {
        strides[axis] = step
        step *= shape[axis]
    }
    return strides
}
print(rowMajorStrides([3, 4]))
print(rowMajorStrides([2, 3, 4]), " ← a [B, T, C] batch: one step in B skips a whole T × C sheet")
print(rowMajorStrides([2, 3, 4]) == NDArray<Float>.zeros([2, 3, 4]).strides)

// %% [markdown]
// The element at [i, j] lives at `storage[offset + i·strides[0] + j·strides[1]]`. Here is
// that formula, checked for every element of x against the library's own subscript.

// %%
cell()
let storage = x.scalars          // x is new, so its scalars are its storage in order
func element(_ i: Int, _ j: Int) -> Float {
    storage[x.offset + i * x.strides[0] + j * x.strides[1]]
}
print("x[2, 1] lives at storage[\(x.offset + 2 * x.strides[0] + 1 * x.strides[1])] =", element(2, 1))
var allAgree = true
for i in 0..<3 {
    for j in 0..<4 where element(i, j) != x[i, j].item() { allAgree = false }
}
print("the formula agrees with x[i, j] everywhere:", allAgree)

// %% [markdown]
// ## Views: new strides, same storage
//
// A transpose does not move a single number. It swaps the strides, so "one step along
// the rows" now skips 1 place and "one step along the columns" skips 4. A slice is the
// same idea with an offset: `x[1..., .stride(by: 2)]` (NumPy's `x[1:, ::2]`) starts at
// row 1 (offset 4) and steps 2 places along each row. `ArrayLayout.table` shows which
// arrays read the same storage: they get the same letter.

// %%
cell()
let t = x.T
let s = x[1..., .stride(by: 2)]
print(t)
print(s)
print(ArrayLayout.table(["x": x.layout, "t": t.layout, "s": s.layout]))

// %% [markdown]
// Reading a view through the formula needs only its own offset and strides, which is why
// views cost the same whatever their size. The library's transpose, written out:
// reverse the shape and the strides, keep the offset.

// %%
cell()
func transposedLayout(shape: [Int], strides: [Int]) -> (shape: [Int], strides: [Int]) {
    (Array(shape.reversed()), Array(strides.reversed()))
}
let mine = transposedLayout(shape: x.shape, strides: x.strides)
print("by hand:", mine.shape, mine.strides, "  the library:", t.shape, t.strides)
print("t[3, 1] by the formula:", storage[t.offset + 3 * t.strides[0] + 1 * t.strides[1]], " t[3, 1]:", t[3, 1].item())

// %% [markdown]
// ## Reshape: a view when the strides allow it
//
// Reshaping a contiguous array only rewrites the shape and strides. Reshaping the
// transpose cannot: its numbers are not in row-major order in storage, so no strides can
// read them as [2, 6]. NumPy's rule, and ours: a view when some strides express the new
// shape, a copy otherwise.

// %%
cell()
let r = x.reshaped(2, 6)
let rt = t.reshaped(2, 6)
print("x.reshaped(2, 6) shares x's storage:", r.sharesStorage(with: x))
print("x.T.reshaped(2, 6) shares it:", rt.sharesStorage(with: x))
print(rt)

// %% [markdown]
// ## Copy-on-write: the one place we differ from NumPy
//
// Arrays here are Swift values. A view shares storage until someone writes to it; the
// write first copies, so it never reaches another variable. In NumPy, `row[0] = 100`
// would also change `x[1, 0]`.

// %%
cell()
var row = x[1]
print("before the write, row shares x's storage:", row.sharesStorage(with: x))
row[0] = 100
print("after it:", row.sharesStorage(with: x))
print(ArrayLayout.table(["x": x.layout, "row": row.layout]))
print("row:", row, "  x[1]:", x[1])

// %% [markdown]
// An array that nobody else holds is written in place, with no copy at all:

// %%
cell()
var alone = NDArray<Float>.zeros([4])
let before = alone.layout
alone[2] = 7
print(alone, " the same storage as before the write:", alone.layout.sharesStorage(with: before))

// %% [markdown]
// ## What you built, and where the library does it
//
// - `rowMajorStrides` is `contiguousStrides` in `Sources/NDArray/Core/ShapesAndStrides.swift`.
// - The transpose, reshape and slices are in `Sources/NDArray/Views/NDArray+Views.swift` and
//   `NDArray+Indexing.swift`; the copy-on-write is in `Sources/NDArray/Core/NDArray.swift`.
//
// ## Exercises
//
// Rebuild it yourself (`swift run exercises next`, see docs/Exercises.md):
// `01-strides`, `02-reshape-view`, `03-transpose`.
//
// ## In the walkthrough
//
// Chapter 1, "Arrays and views": `swift run -c release walkthrough --chapter arrays`.
