// 06-matmul-loops — a matrix product with three loops, then blocked
//
// Task: write `matmulLoops(_:_:)`: C = A·B for two matrices, with the three loops of the
// definition: C[i, j] = Σ_k A[i, k]·B[k, j]. Then make it faster by reordering the loops
// (i, k, j) so that the innermost one runs along rows: chapter 3 of the tour times both.
// Then write `matmulBlocked(_:_:tile:)`: the same product, tile by tile, so that a tile of A, B
// and C stays in the cache while it is used (the library's GEMM does this at three levels).
//
//   A [M, K] · B [K, N] → C [M, N]          (a Linear layer: x [B·T, C] · Wᵀ [C, out])
//
// Walkthrough: chapter 3, "The textbook loop" and "The same loop, reordered".
// Notebook: Notebooks/03-matmul.swift, lesson 3 (`swift run -c release lesson 03`).
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

/// The same product, computed tile × tile at a time.
/// - Parameters:
///   - a: [M, K], b: [K, N]
///   - tile: the side of a square tile (M, N and K need not be multiples of it)
/// - Returns: [M, N]
func matmulBlocked(_ a: NDArray<Float>, _ b: NDArray<Float>, tile: Int) -> NDArray<Float> {
    notDoneYet()
}
