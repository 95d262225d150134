// %% [markdown]
// # Lesson 3 · Matrix multiplication, from three loops to a blocked SIMD kernel
//
// Nearly all of a GPT's arithmetic is matrix products: every Linear layer, the attention
// scores, the logits. The formula is one line, and its three-loop translation is correct
// and slow. This lesson writes it three times, each faster than the last, checks every
// version against the library's `matmul`, and times all of them, and the library's own
// kernel, on your machine.
//
// Run this lesson with `swift run -c release lesson 03` (the timings mean nothing in a
// debug build). Its rendered copy, `Notebooks/Rendered/03-matmul.md`, shows the timings
// of the machine that rendered it, on the lines that start with ⏱; yours will differ.

// %%
import Foundation
import NDArray
import Notebook

// %% [markdown]
// ## A product and its shapes
//
// For A of shape [M, K] and B of shape [K, N], the product C = A·B has shape [M, N], and
// `C[i, j] = Σ_k A[i, k]·B[k, j]`: row i of A, times column j of B, added up. The inner
// sizes must agree (K); the outer ones are the result's. Each of the M·N outputs takes K
// multiplies and K adds: 2·M·N·K floating-point operations (FLOPs) in all.

// %%
cell()
let m = NDArray<Float>.arange(6).reshaped(2, 3)      // [2, 3]
let w = NDArray<Float>.arange(12).reshaped(3, 4)     // [3, 4]
let product = matmul(m, w)                           // [2, 3]·[3, 4] → [2, 4]
print(product)
let row1 = m[1].scalars, column2 = w[.all, 2].scalars
print("C[1, 2] by hand:", zip(row1, column2).map { $0 * $1 }.reduce(0, +), " row", row1, "· column", column2)

// %% [markdown]
// Axes in front of the last two are *batch* axes: each [M, K]·[K, N] in the batch is an
// independent product, and the batch axes broadcast like any others (lesson 2). Attention
// multiplies queries [B, NH, T, HS] by keys turned to [B, NH, HS, T], one product per
// sequence and head; a Linear layer multiplies [B, T, C] by one weight [C, out] shared by
// every sequence. When the inner sizes differ, `matmul` stops the program with
// "matmul: shapes [2, 3] and [4, 5] not aligned: 3 (axis -1) != 4 (axis -2)".

// %%
cell()
var rng = SeededGenerator(seed: 3)
let q = NDArray<Float>.normal([2, 3, 5, 4], using: &rng)     // [B, NH, T, HS]
let k = NDArray<Float>.normal([2, 3, 5, 4], using: &rng)     // [B, NH, T, HS]
let scores = matmul(q, k.swappedAxes(-1, -2))                // [B, NH, T, HS]·[B, NH, HS, T]
print("scores", scores.shape, " [B, NH, T, T]")
let oneHead = matmul(q[1, 2], k[1, 2].T)                     // sequence 1, head 2 alone: [T, T]
print("the batch is a loop of 2-D products:", scores[1, 2].allClose(to: oneHead))
let tokens = NDArray<Float>.normal([2, 5, 8], using: &rng)   // [B, T, C]
let weight = NDArray<Float>.normal([8, 6], using: &rng)      // [C, out]
print("[B, T, C]·[C, out] →", matmul(tokens, weight).shape, " the weight broadcast over B")

// %% [markdown]
// From here on, all products are of plain row-major matrices held in Swift arrays:
// element [i, j] of an [R, S] matrix is `x[i * S + j]` (lesson 1's formula with strides
// [S, 1]). The functions read them through `withUnsafeBufferPointer`, which skips the
// bounds check that an `Array` makes on every `a[i]`, as a kernel written in C would.
//
// ## The textbook loop: i, j, k
//
// The formula, translated loop for loop: for each output C[i, j], run k along row i of A
// and down column j of B.

// %%
cell()
func multiplyIJK(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                for i in 0..<m {
                    for j in 0..<n {
                        var sum: Float = 0
                        for p in 0..<k { sum += a[i * k + p] * b[p * n + j] }
                        c[i * n + j] = sum
                    }
                }
            }
        }
    }
    return c
}

// A rectangular test case, so that a mix-up of M, K and N cannot hide.
let (M, K, N) = (96, 200, 144)
let testA = NDArray<Float>.normal([M, K], using: &rng)
let testB = NDArray<Float>.normal([K, N], using: &rng)
let expected = matmul(testA, testB)                          // the library's product, [M, N]

/// The largest |x − y| between our product and the library's.
func largestDifference(_ ours: [Float], _ library: NDArray<Float>) -> Float {
    zip(ours, library.scalars).map { abs($0 - $1) }.max() ?? 0
}
let ijk = multiplyIJK(testA.scalars, testB.scalars, m: M, k: K, n: N)
print("i-j-k: [\(M), \(K)]·[\(K), \(N)] agrees with matmul within 1e-4:", largestDifference(ijk, expected) < 1e-4)

// %% [markdown]
// Why a tolerance and not `==`: whether the two agree to the last bit depends on the build.
// Where the CPU fuses a multiply and an add into one instruction (arm64, or x86-64 in the
// default native build), the library rounds once per step where our loop rounds twice,
// and the last bits differ. The entries are typically about 14 in size (√200, for K = 200
// products of numbers around 1), and a Float keeps about 7 significant digits.
//
// ## Why the order of the loops matters
//
// Memory reaches the CPU in *cache lines* of 64 bytes: 16 floats. The inner loop of i-j-k
// steps down a column of B, N floats apart: every step lands on a new cache line, and by
// the time the next j wants the float beside it, that line may have been pushed out.
// Swap the two inner loops (i, k, j) and the inner loop runs along row k of B and row i
// of C instead: 16 floats per line fetched, and consecutive floats that the compiler can
// add several at a time (SIMD). Here are the places in B that the first 16 steps of each
// inner loop read, for N = 256, and the cache lines they fall on.

// %%
cell()
let n = 256
let ijkReads = (0..<16).map { p in p * n + 0 }       // i-j-k, fixed i = 0, j = 0: b[p * n + j]
let ikjReads = (0..<16).map { j in 0 * n + j }       // i-k-j, fixed i = 0, k = 0: b[k * n + j]
for (name, reads) in [("i-j-k", ijkReads), ("i-k-j", ikjReads)] {
    let lines = reads.map { $0 * MemoryLayout<Float>.size / 64 }
    print(name, "reads b at", reads.prefix(6).map(String.init).joined(separator: ", ") + ", …")
    let distinct = Set(lines).count
    print("      on cache lines", lines.prefix(6).map(String.init).joined(separator: ", ") + ", …:",
          distinct, distinct == 1 ? "line" : "lines", "for 16 floats")
}

// %% [markdown]
// ## The same loop, reordered: i, k, j
//
// The arithmetic is unchanged: C[i, j] still receives A[i, k]·B[k, j] for k = 0, 1, 2, …
// in that order, only the other columns of row i are worked on in between. So i-k-j
// gives the same product as i-j-k bit for bit.
//
// One Swift detail: the inner loop takes the address of row i of c and row k of b once,
// before it starts, and then only counts j. Swift checks every `+` and `*` on `Int` for
// overflow, and an index like `i * n + j` recomputed at every step can keep the compiler
// from turning the loop into SIMD instructions; with the rows' addresses taken outside,
// nothing in the loop is left to check.

// %%
cell()
func multiplyIKJ(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                for i in 0..<m {
                    let cRow = c.baseAddress! + i * n                  // row i of c
                    for p in 0..<k {
                        let aip = a[i * k + p]
                        let bRow = b.baseAddress! + p * n              // row p of b
                        for j in 0..<n { cRow[j] += aip * bRow[j] }    // along both rows
                    }
                }
            }
        }
    }
    return c
}
let ikj = multiplyIKJ(testA.scalars, testB.scalars, m: M, k: K, n: N)
print("i-k-j agrees with matmul within 1e-4:", largestDifference(ikj, expected) < 1e-4)
print("i-k-j is i-j-k to the last bit:", ikj == ijk)

// %% [markdown]
// ## Blocked, with SIMD registers
//
// i-k-j still reads and writes a whole row of C for every single k, and streams all of B
// through the CPU once for every row of A. The fix is to work on a small *tile* of C at a
// time and keep it in registers for the whole run of k:
//
// - The **micro-tile**: 4 rows × 16 columns of C, held in four `SIMD16<Float>` variables
//   (sixteen floats each, added lane by lane: the compiler maps them onto the CPU's vector
//   registers, 4, 8 or 16 floats wide). For each k, load the 16 floats B[k, j..<j+16] once,
//   and the 4 floats A[i..<i+4, k]; then 4 vector multiply-adds. Each value loaded is used
//   4 or 16 times, and C is read and written once per slice of k instead of once per k.
// - The **blocks**: run k in slices of `kc` and the columns in panels of `nc`, so the part
//   of B that the tiles of one panel share (kc × nc floats: 128 × 256 × 4 bytes = 128 KB)
//   stays in the cache while every row of A passes over it.
//
// We write `c0 += a * bRow` rather than `c0 = c0.addingProduct(a, bRow)` (a fused
// multiply-add): the portable x86-64 build cannot assume the CPU has that instruction, and
// there `addingProduct` calls a slow library function for every lane (docs/Performance.md
// explains). To keep the code short,
// M must be a multiple of 4 and N of 16; the library pads the edges instead.

// %%
cell()
@inline(__always) func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {     // 16 floats from p on
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}
@inline(__always) func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

func multiplyBlocked(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int, kc: Int = 128, nc: Int = 256) -> [Float] {
    precondition(m % 4 == 0 && n % 16 == 0 && nc % 16 == 0, "multiplyBlocked: M (\(m)) must be a multiple of 4, N (\(n)) and nc of 16")
    var c = [Float](repeating: 0, count: m * n)
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                let (A, B, C) = (a.baseAddress!, b.baseAddress!, c.baseAddress!)
                for j0 in stride(from: 0, to: n, by: nc) {                 // a panel of nc columns
                    for p0 in stride(from: 0, to: k, by: kc) {             // a slice of kc steps of k
                        let p1 = min(p0 + kc, k)
                        for i in stride(from: 0, to: m, by: 4) {           // 4 rows of C …
                            for j in stride(from: j0, to: min(j0 + nc, n), by: 16) {  // … × 16 columns
                                var c0 = load16(C + i * n + j), c1 = load16(C + (i + 1) * n + j)
                                var c2 = load16(C + (i + 2) * n + j), c3 = load16(C + (i + 3) * n + j)
                                for p in p0..<p1 {
                                    let bRow = load16(B + p * n + j)       // B[p, j..<j+16]
                                    c0 += A[i * k + p] * bRow
                                    c1 += A[(i + 1) * k + p] * bRow
                                    c2 += A[(i + 2) * k + p] * bRow
                                    c3 += A[(i + 3) * k + p] * bRow
                                }
                                store16(c0, C + i * n + j); store16(c1, C + (i + 1) * n + j)
                                store16(c2, C + (i + 2) * n + j); store16(c3, C + (i + 3) * n + j)
                            }
                        }
                    }
                }
            }
        }
    }
    return c
}
let blocked = multiplyBlocked(testA.scalars, testB.scalars, m: M, k: K, n: N)
print("blocked agrees with matmul within 1e-4:", largestDifference(blocked, expected) < 1e-4)
print("slices of kc = 50 and panels of nc = 32 give the same product:",
      multiplyBlocked(testA.scalars, testB.scalars, m: M, k: K, n: N, kc: 50, nc: 32) == blocked)

// %% [markdown]
// ## Timed on your machine
//
// Now all three on two 256 × 256 matrices: 2·256³ = 33.6 million FLOPs each. `secondsPerRun`
// runs a product once to warm up, then a few more times, and gives the median time.
// GFLOP/s (billions of FLOPs per second) makes sizes comparable. Our three run on one
// thread; for a fair comparison the library's kernel runs on one thread too
// (`ComputeThreads.withCount(1)`), then on all of them.

// %%
cell()
let a256 = NDArray<Float>.normal([n, n], using: &rng), b256 = NDArray<Float>.normal([n, n], using: &rng)
let (a, b) = (a256.scalars, b256.scalars)
let flops = 2 * Double(n * n * n)
var results: [(name: String, seconds: Double)] = []
var last: [Float] = []
results.append(("i-j-k, the textbook", secondsPerRun(runs: 3) { last = multiplyIJK(a, b, m: n, k: n, n: n) }))
let ijkAgrees = largestDifference(last, matmul(a256, b256)) < 1e-3
results.append(("i-k-j, reordered", secondsPerRun(runs: 3) { last = multiplyIKJ(a, b, m: n, k: n, n: n) }))
let ikjAgrees = largestDifference(last, matmul(a256, b256)) < 1e-3
results.append(("blocked, 4×16 tiles", secondsPerRun { last = multiplyBlocked(a, b, m: n, k: n, n: n) }))
let blockedAgrees = largestDifference(last, matmul(a256, b256)) < 1e-3
var libraryProduct = NDArray<Float>.zeros([n, n])
results.append(("matmul, 1 thread", ComputeThreads.withCount(1) { secondsPerRun { libraryProduct = matmul(a256, b256) } }))
results.append(("matmul, \(ComputeThreads.count) threads", secondsPerRun { libraryProduct = matmul(a256, b256) }))
print("all four products agree within 1e-3:", ijkAgrees && ikjAgrees && blockedAgrees && libraryProduct == matmul(a256, b256))

/// One measured line per timing: time, GFLOP/s, speed-up over the first, and a bar.
func printTimings(_ timings: [(name: String, seconds: Double)], flops: Double) {
    let fastest = timings.map(\.seconds).min()!
    for (name, seconds) in timings {
        let bar = String(repeating: "█", count: max(1, Int(40 * (fastest / seconds).squareRoot())))
        printMeasured(name.padding(toLength: 22, withPad: " ", startingAt: 0)
                      + String(format: "%8.2f ms %7.2f GFLOP/s %6.1f× ", seconds * 1e3, flops / seconds / 1e9,
                               timings[0].seconds / seconds) + bar)
    }
}
printTimings(results, flops: flops)

// %% [markdown]
// The bars grow with the square root of the speed (the fastest is 40 blocks long), or the
// slowest would not show. What you should see: i-k-j many times faster than i-j-k, for no
// change in the arithmetic, and the library's kernel faster than all of ours. How much the tile gains over i-k-j depends
// on the CPU. It gains most where the CPU fuses a multiply and an add into one instruction
// and has wide vector registers (arm64, or the default native build on x86-64). The
// portable x86-64 build (`--disable-default-traits`) has neither, and there both loops hit the same limit, separate
// multiplies and adds on registers of 4 floats, and come out close.
//
// Memory does not separate them yet either: all of B is 256 × 256 × 4 bytes = 256 KB, which
// stays in the caches, so i-k-j's rereading of B once per row of A is cheap. The next
// product does not fit.
//
// ## A product that does not fit in the cache
//
// A GPT's last layer turns each token's vector of C numbers into one score per word of the
// vocabulary: [B·T, C]·[C, V]. With 64 tokens, C = 768 (GPT-2 small's width) and a
// vocabulary of V = 8192, B alone is 25.2 MB, more than the caches of most CPUs. i-k-j
// streams all of it from main memory once for every row of A. The blocked kernel fetches
// each 128 × 256 block of B from memory once, and then serves it from the cache to all 16
// tiles of 4 rows.

// %%
cell()
let (rows, width, vocabulary) = (64, 768, 8192)                        // M = B·T, K = C, N = V
let tokensA = NDArray<Float>.normal([rows, width], using: &rng)          // [B·T, C]
let headB = NDArray<Float>.normal([width, vocabulary], using: &rng)      // [C, V]
let megabytesB = Double(width * vocabulary * MemoryLayout<Float>.size) / 1e6
print(String(format: "B [C, V] is %.1f MB", megabytesB))
print(String(format: "i-k-j fetches all of B once per row of A: %d × %.1f MB = %.0f MB", rows, megabytesB, Double(rows) * megabytesB))
print(String(format: "blocked fetches each block of B once: %.1f MB, each block then used by %d tiles of 4 rows", megabytesB, rows / 4))

let (tokenScalars, headScalars) = (tokensA.scalars, headB.scalars)
let headFlops = 2 * Double(rows * width * vocabulary)
var headOurs: [Float] = [], headLibrary = NDArray<Float>.zeros([rows, vocabulary])
var timings: [(name: String, seconds: Double)] = []
timings.append(("i-k-j, reordered", secondsPerRun(runs: 2) {
    headOurs = multiplyIKJ(tokenScalars, headScalars, m: rows, k: width, n: vocabulary) }))
let headIKJAgrees = largestDifference(headOurs, matmul(tokensA, headB)) < 1e-3
timings.append(("blocked, 4×16 tiles", secondsPerRun(runs: 3) {
    headOurs = multiplyBlocked(tokenScalars, headScalars, m: rows, k: width, n: vocabulary) }))
timings.append(("matmul, 1 thread", ComputeThreads.withCount(1) { secondsPerRun { headLibrary = matmul(tokensA, headB) } }))
timings.append(("matmul, \(ComputeThreads.count) threads", secondsPerRun { headLibrary = matmul(tokensA, headB) }))
print("[\(rows), \(width)]·[\(width), \(vocabulary)]: i-k-j, blocked and matmul agree within 1e-3:",
      headIKJAgrees && largestDifference(headOurs, headLibrary) < 1e-3)
printTimings(timings, flops: headFlops)

// %% [markdown]
// Here the blocked kernel should pull clearly ahead of i-k-j, on any build: i-k-j now
// waits on main memory, while the tiles keep working from the cache. The library's kernel
// goes further in three ways. It *packs* the block of A and the strip of B it is about to
// use into the exact order its micro-kernel reads them, so every load is contiguous and
// the edges are padded with zeros (any M and N will do). Its register tile is 6 rows by two
// vectors, the most that x86-64's 16 vector registers hold. And it splits C's columns (or
// rows) among threads in whole tiles; each element of C is still summed by one thread in
// one order, so the product is the same, bit for bit, on any number of threads.
//
// ## What you built, and where the library does it
//
// - `matmul` and its batch axes are in `Sources/NDArray/Operations/NDArray+MatMul.swift`,
//   beside `matmulReference`, the plain product the tests hold the fast one to.
// - The blocked kernel is `Sources/NDArray/Kernels/GEMM.swift`: blocks of 256 steps of k,
//   up to 144 rows of A and 2048 columns of B, around a register tile of 6 rows (12 with
//   512-bit vectors) whose loop is in `GEMMMicroKernels.swift`; the threads split C between
//   them there too.
// - Packing, the step our kernel skips, is `Sources/NDArray/Kernels/GEMMPacking.swift`; one
//   row of output at a time (a token during generation) takes `Sources/NDArray/Kernels/GEMV.swift`.
// - `docs/Performance.md` explains the kernels, the two builds and how to benchmark them
//   (`swift run -c release bench`).
//
// ## Exercises
//
// Rebuild it yourself (`swift run exercises next`, see docs/Exercises.md): `06-matmul-loops`,
// the three loops and then a product computed tile by tile, for any M, N and K (the edges
// included).
//
// ## In the walkthrough
//
// Chapter 3, "Matrix multiplication, and why blocking makes it fast":
// `swift run -c release walkthrough --chapter matmul`.

