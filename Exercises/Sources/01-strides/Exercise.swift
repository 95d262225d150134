// 01-strides — the strides of a contiguous array
//
// Task: write `contiguousStrides(_:)`. A new array lies in storage in row-major order ("C order"):
// how many elements does one step along each axis skip? The last axis steps 1; each earlier axis
// steps over everything after it.
//
//   shape [2, 3, 4]  →  strides [12, 4, 1]       (for x: [B, T, C], strides [T·C, C, 1])
//
// Walkthrough: chapter 1, "An array, its shape, strides and offset".
// Notebook: Notebooks/01-arrays.swift, lesson 1 (`swift run -c release lesson 01`).
// The library's own: Sources/NDArray/Core/ShapesAndStrides.swift (`contiguousStrides`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 01-strides`.

import CourseKit

/// The strides, in elements, of a new array of `shape`.
/// - Parameter shape: the size of each axis, e.g. [B, T, C]
/// - Returns: one stride per axis, e.g. [T·C, C, 1]
func contiguousStrides(_ shape: [Int]) -> [Int] {
    notDoneYet()
}
