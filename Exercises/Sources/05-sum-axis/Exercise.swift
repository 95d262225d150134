// 05-sum-axis — a reduction along one axis, keeping it or not
//
// Task: write `sumAlongAxis(_:axis:keepDims:)`: add up the elements along `axis`, as
// `x.sum(axis:keepDims:)` does. Without keepDims the axis goes; with it the axis stays with size
// 1, so that the result broadcasts against x again (layer norm's x − mean(x) needs that).
//
//   x [B, T, C], axis -1            → [B, T]
//   x [B, T, C], axis -1, keepDims  → [B, T, 1]
//
// Walkthrough: chapter 2, "A reduction that keeps its axis, so broadcasting can undo it".
// Notebook: Notebooks/02-broadcasting.swift, lesson 2 (`swift run -c release lesson 02`).
// The library's own: Sources/NDArray/Operations/NDArray+Reductions.swift (`sum(axis:keepDims:)`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 05-sum-axis`.

import CourseKit
import NDArray

/// The sum along one axis.
/// - Parameters:
///   - x: any shape, e.g. [B, T, C]; it may be a view (not contiguous)
///   - axis: which axis, counted from the end when negative
///   - keepDims: keep the axis with size 1
/// - Returns: x's shape without the axis (or with it as 1)
func sumAlongAxis(_ x: NDArray<Float>, axis: Int, keepDims: Bool) -> NDArray<Float> {
    notDoneYet()
}
