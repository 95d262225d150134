// 06-matmul-loops (solution) — a matrix product with three loops, then blocked
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
    let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
    let (x, y) = (a.scalars, b.scalars)                         // row-major, whatever the strides
    var c = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
        for p in 0..<k {                                        // i-k-j: the inner loop runs along rows of b and c
            let aip = x[i * k + p]
            for j in 0..<n { c[i * n + j] += aip * y[p * n + j] }
        }
    }
    return NDArray(shape: [m, n], scalars: c)
}

/// The same product, computed tile × tile at a time.
/// - Parameters:
///   - a: [M, K], b: [K, N]
///   - tile: the side of a square tile (M, N and K need not be multiples of it)
/// - Returns: [M, N]
func matmulBlocked(_ a: NDArray<Float>, _ b: NDArray<Float>, tile: Int) -> NDArray<Float> {
    let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
    let (x, y) = (a.scalars, b.scalars)
    var c = [Float](repeating: 0, count: m * n)
    for i0 in stride(from: 0, to: m, by: tile) {
        for p0 in stride(from: 0, to: k, by: tile) {
            for j0 in stride(from: 0, to: n, by: tile) {
                // One tile of C gains one tile of A times one tile of B; the last tiles may be smaller.
                for i in i0..<min(i0 + tile, m) {
                    for p in p0..<min(p0 + tile, k) {
                        let aip = x[i * k + p]
                        for j in j0..<min(j0 + tile, n) { c[i * n + j] += aip * y[p * n + j] }
                    }
                }
            }
        }
    }
    return NDArray(shape: [m, n], scalars: c)
}
