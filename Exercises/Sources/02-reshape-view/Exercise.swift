// 02-reshape-view — NumPy's rule: a reshape is a view when strides can express it
//
// Task: write `reshapedStrides(shape:strides:newShape:)`. Given an array's shape and strides (it
// may be a transpose or a slice, so not contiguous), return the strides that show the same
// elements, in the same row-major order, as `newShape` — or nil when no strides can, and a
// reshape must copy. This is NumPy's rule, and the library's `reshaped`.
//
//   [2, 3] strides [3, 1] → [3, 2]: [2, 1]           a contiguous array: always a view
//   [3, 2] strides [1, 3] (a transpose) → [6]: nil   its elements are not in row-major order
//
// Walkthrough: chapter 1, "A transpose and a slice share storage".
// Notebook: Notebooks/01-arrays.swift, lesson 1 (`swift run -c release lesson 01`).
// The library's own: Sources/NDArray/Views/NDArray+Views.swift (`reshaped`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 02-reshape-view`.

import CourseKit
import NDArray

/// The strides of a view of the same elements with `newShape`, or nil when a copy is needed.
/// - Parameters:
///   - shape: the array's shape
///   - strides: its strides, in elements
///   - newShape: the shape asked for (the same number of elements)
/// - Returns: one stride per axis of `newShape`, or nil
func reshapedStrides(shape: [Int], strides: [Int], newShape: [Int]) -> [Int]? {
    notDoneYet()
}
