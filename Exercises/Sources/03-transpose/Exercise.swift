// 03-transpose — a transpose is new strides, not new data
//
// Task: write `permutedLayout(shape:strides:axes:)`: the shape and strides of the view that
// moves axis `axes[i]` to position i (NumPy's `np.transpose(x, axes)`, PyTorch's `permute`). No
// element moves: only the bookkeeping does.
//
//   shape [2, 3, 4] strides [12, 4, 1], axes [2, 0, 1]  →  shape [4, 2, 3] strides [1, 12, 4]
//
// Walkthrough: chapter 1, "A transpose and a slice share storage".
// Notebook: Notebooks/01-arrays.swift, lesson 1 (`swift run -c release lesson 01`).
// The library's own: Sources/NDArray/Views/NDArray+Views.swift (`transposed`, `permuted`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 03-transpose`.

import CourseKit
import NDArray

/// The layout of a view with its axes permuted.
/// - Parameters:
///   - shape: the array's shape, e.g. [B, T, NH, HS]
///   - strides: its strides
///   - axes: a permutation of 0..<ndim; may count from the end (-1 is the last axis)
/// - Returns: the view's shape and strides, e.g. for [0, 2, 1, 3]: [B, NH, T, HS] and its strides
func permutedLayout(shape: [Int], strides: [Int], axes: [Int]) -> (shape: [Int], strides: [Int]) {
    notDoneYet()
}
