// 06-matmul-loops — a matrix product with three loops
//
// Task: write `matmulLoops(_:_:)`: C = A·B for two matrices, with the three loops of the
// definition: C[i, j] = Σ_k A[i, k]·B[k, j]. Then make it faster by reordering the loops
// (i, k, j) so that the innermost one runs along rows: chapter 3 of the tour times both.
//
//   A [M, K] · B [K, N] → C [M, N]          (a Linear layer: x [B·T, C] · Wᵀ [C, out])
//
// Walkthrough: chapter 3, "The textbook loop" and "The same loop, reordered".
// Notebook: its lesson (the notebooks are on their way).
// The library's own: Sources/NDArray/Operations/NDArray+MatMul.swift (`matmul`, and `matmulReference`, its plain twin).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 06-matmul-loops`.

import CourseKit
import NDArray

/// The matrix product of two 2-D arrays.
/// - Parameters:
///   - a: [M, K]; it may be a view (a transpose)
///   - b: [K, N]
/// - Returns: [M, N]
func matmulLoops(_ a: NDArray<Float>, _ b: NDArray<Float>) -> NDArray<Float> {
    notDoneYet()
}
