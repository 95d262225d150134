// bench — how fast the NDArray kernels run, in one table.
//
//   swift run -c release bench
//
// This first version times the plain kernels of the NDArray issue, and shows
// why hot paths must be specialised for Float: the same `a + b` called from
// generic code that the compiler cannot specialise goes through protocol
// witness tables for every element. The kernels issue grows this into the
// full table (GEMM shapes, threads, --json, --filter) and its NumPy/PyTorch
// comparison script.

import Foundation
import NDArray

/// The median wall-clock seconds of `body` over `runs` runs, after three
/// warm-up runs (the first allocations of a process pay for page faults).
func medianSeconds(runs: Int = 7, _ body: () -> Void) -> Double {
    for _ in 0..<3 { body() }
    let clock = ContinuousClock()
    let times = (0..<runs).map { _ in
        let elapsed = clock.measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
    return times.sorted()[runs / 2]
}

/// `a + b` compiled once for every element type: the compiler may not
/// specialise it, so each element goes through protocol witness tables.
@inline(never) @_semantics("optimize.sil.specialize.generic.never")
func unspecialisedAdd<S: NDNumeric>(_ a: NDArray<S>, _ b: NDArray<S>) -> NDArray<S> {
    a + b
}

var rows: [(String, String)] = []
var checksum: Float = 0
var rng = SeededGenerator(seed: 0)

// 64K elements: three arrays of 256 KB stay in cache, so the kernel, not memory, is timed.
let n = 1 << 16
let a = NDArray<Float>.uniform([n], using: &rng), b = NDArray<Float>.uniform([n], using: &rng)
let bytes = Double(3 * n * MemoryLayout<Float>.size)
let specialised = medianSeconds(runs: 21) { checksum += (a + b)[0].item() }
let generic = medianSeconds(runs: 21) { checksum += unspecialisedAdd(a, b)[0].item() }
rows.append(("add [64K] + [64K], Float, specialised", String(format: "%7.2f GB/s", bytes / specialised / 1e9)))
rows.append(("add [64K] + [64K], Float, unspecialised generic", String(format: "%7.2f GB/s  (%.0f× slower)",
                                                                     bytes / generic / 1e9, generic / specialised)))

let matrix = NDArray<Float>.uniform([1024, 1024], using: &rng)
let rowBias = NDArray<Float>.uniform([1024], using: &rng)
let broadcastTime = medianSeconds { checksum += (matrix + rowBias)[0, 0].item() }
rows.append(("add [1024, 1024] + [1024] (row broadcast)",
             String(format: "%7.2f GB/s", Double(2 * 1024 * 1024 * 4) / broadcastTime / 1e9)))

let sumTime = medianSeconds(runs: 21) { checksum += a.sum() }
rows.append(("sum [64K], Float, pairwise", String(format: "%7.2f GB/s", Double(n * 4) / sumTime / 1e9)))

let softmaxTime = medianSeconds { checksum += matrix.softmax(axis: -1)[0, 0].item() }
rows.append(("softmax [1024, 1024] along the last axis", String(format: "%7.2f M rows/s", 1024 / softmaxTime / 1e6)))

for size in [128, 256, 512] {
    let x = NDArray<Float>.uniform([size, size], using: &rng), y = NDArray<Float>.uniform([size, size], using: &rng)
    let t = medianSeconds(runs: 5) { checksum += matmul(x, y)[0, 0].item() }
    rows.append(("matmul [\(size), \(size)]·[\(size), \(size)], Float, 1 thread",
                 String(format: "%7.2f GFLOP/s", 2 * pow(Double(size), 3) / t / 1e9)))
}

let width = rows.map(\.0.count).max()!
print("NDArray kernels (median of repeated runs, one thread)")
for (name, value) in rows {
    print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
}
print("(checksum \(checksum))")
