// 02-reshape-view (solution) — NumPy's rule: a reshape is a view when strides can express it
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
    // Axes of size 1 can have any stride: leave them out of the old layout.
    let kept = shape.indices.filter { shape[$0] != 1 }
    let (oldShape, oldStrides) = (kept.map { shape[$0] }, kept.map { strides[$0] })
    var newStrides = [Int](repeating: 0, count: newShape.count)
    var (oi, oj, ni, nj) = (0, 1, 0, 1)
    // Match groups of old axes to groups of new axes with the same number of elements.
    while ni < newShape.count && oi < oldShape.count {
        var (np, op) = (newShape[ni], oldShape[oi])
        while np != op {
            if np < op { np *= newShape[nj]; nj += 1 } else { op *= oldShape[oj]; oj += 1 }
        }
        // The old group must be contiguous with itself: each axis steps over the next one exactly.
        for k in oi..<(oj - 1) where oldStrides[k] != oldShape[k + 1] * oldStrides[k + 1] { return nil }
        // The new group's strides: the last takes the old group's last, each earlier one its product.
        newStrides[nj - 1] = oldStrides[oj - 1]
        for k in stride(from: nj - 1, to: ni, by: -1) { newStrides[k - 1] = newStrides[k] * newShape[k] }
        (ni, nj, oi, oj) = (nj, nj + 1, oj, oj + 1)
    }
    // Trailing new axes of size 1 (any stride serves; NumPy repeats the last one).
    for k in ni..<newShape.count { newStrides[k] = ni > 0 ? newStrides[ni - 1] : 1 }
    return newStrides
}
