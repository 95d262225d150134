// bench — how fast the NDArray kernels and the NN layers run, in one table.
//
//   swift run -c release bench                         this CPU: fused multiply-adds, its widest vectors
//   swift run -c release --disable-default-traits bench   the portable build
//   bench --filter gemm --json                         some rows, for machines
//   python3 scripts/bench_peers.py                     the same cases beside NumPy and PyTorch
//
// Each case is timed with 1 thread and with every core (`--threads 1,2` to
// choose): warm-up runs first, then runs until a quarter of a second has
// passed (at least 5), and the median is reported as a rate.

import Dispatch
import Foundation
import NDArray

let usage = """
    usage: bench [--filter TEXT]... [--threads N,M,...] [--seconds S] [--json] [--list]
           bench --train-text FILE [--steps N] [--threads N] [--json]

      --filter TEXT   only the cases whose name or group contains TEXT (repeatable)
      --threads LIST  thread counts to time, comma-separated (default: 1 and every core)
      --seconds S     time each case for about S seconds (default 0.25; longer for a profiler)
      --json          print the results as JSON instead of a table
      --list          print the cases without timing them
      --train-text F  train nanoGPT's shakespeare-char configuration on the text file F (2000 steps,
                      or --steps N) and print the training time and the final losses
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("bench: \(message)\n\n\(usage)\n".utf8))
    exit(2)
}

// MARK: Arguments

var filters: [String] = []
var threadCounts = Array(Set([1, ProcessInfo.processInfo.activeProcessorCount])).sorted()
var json = false
var listOnly = false
var secondsPerCase = 0.25
var trainText: String?
var trainSteps: Int?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--filter":
        guard let value = arguments.popFirst() else { fail("--filter needs a value") }
        filters.append(value.lowercased())
    case "--threads":
        guard let value = arguments.popFirst() else { fail("--threads needs a value") }
        let parts = value.split(separator: ",")
        let counts = parts.compactMap { Int($0) }.filter { (1...1024).contains($0) }
        guard !parts.isEmpty, counts.count == parts.count else {
            fail("--threads \(value): expected whole numbers from 1 to 1024 separated by commas")
        }
        threadCounts = counts
    case "--seconds":
        guard let value = arguments.popFirst() else { fail("--seconds needs a value") }
        guard let seconds = Double(value), seconds > 0, seconds.isFinite else {
            fail("--seconds \(value): expected a positive number of seconds")
        }
        secondsPerCase = seconds
    case "--train-text":
        guard let value = arguments.popFirst() else { fail("--train-text needs a file") }
        trainText = value
    case "--steps":
        guard let value = arguments.popFirst() else { fail("--steps needs a value") }
        guard let steps = Int(value), (0...1_000_000_000).contains(steps) else {
            fail("--steps \(value): expected a whole number from 0 to 1,000,000,000")
        }
        trainSteps = steps
    case "--json": json = true
    case "--list": listOnly = true
    case "--help", "-h":
        print(usage)
        exit(0)
    default: fail("unknown argument \(argument)")
    }
}

if let trainText {
    ComputeThreads.withCount(threadCounts.max()!) { runTextTraining(path: trainText, steps: trainSteps, json: json) }
}

let cases = allCases.filter { c in
    filters.isEmpty || filters.contains { c.name.lowercased().contains($0) || c.group.lowercased().contains($0) }
}
if cases.isEmpty { fail("no case matches --filter \(filters.joined(separator: ", "))") }

func jsonString(_ object: Any) -> String {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

if listOnly {
    if json {
        print(jsonString(cases.map { ["name": $0.name, "group": $0.group, "kind": $0.kind, "dims": $0.dims,
                                      "unit": $0.unit] }))
    } else {
        for c in cases { print(c.name) }
    }
    exit(0)
}

// MARK: Timing

/// The median seconds of `body`: two warm-up runs, then runs until `secondsPerCase` have
/// passed (at least 5, and at most 200 unless more time was asked for).
func medianSeconds(_ body: () -> Float, seconds secondsPerCase: Double) -> Double {
    var sink: Float = 0
    for _ in 0..<2 { sink += body() }
    let clock = ContinuousClock()
    var times: [Double] = []
    var total = 0.0
    let most = secondsPerCase > 0.25 ? Int.max : 200
    while times.count < 5 || (total < secondsPerCase && times.count < most) {
        let elapsed = clock.measure { sink += body() }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        times.append(seconds)
        total += seconds
    }
    if sink.isNaN { print("") }  // keeps the results alive
    return times.sorted()[times.count / 2]
}

// The kernels this run uses (reading the width here also checks NDARRAY_VECTOR_BITS before any timing).
let kernels = KernelVectors.summary
if !json {
    print("kernels: \(kernels)")
    let heads = threadCounts.map { String(format: "%10@", "\($0) thr" as NSString) }.joined(separator: " ")
    print("case".padding(toLength: 34, withPad: " ", startingAt: 0), "unit     ", heads)
}
var rng = SeededGenerator(seed: 0)
var results: [[String: Any]] = []
var table: [(name: String, unit: String, rates: [Double])] = []
for c in cases {
    let body = c.prepare(using: &rng)
    var rates: [Double] = []
    for threads in threadCounts {
        let seconds = ComputeThreads.withCount(threads) { medianSeconds(body, seconds: secondsPerCase) }
        let rate = c.workPerRun / seconds
        rates.append(rate)
        results.append(["name": c.name, "group": c.group, "kind": c.kind, "dims": c.dims, "unit": c.unit,
                        "threads": threads, "seconds": seconds, "value": rate])
    }
    table.append((c.name, c.unit, rates))
    if !json {
        let cells = rates.map { String(format: $0 < 10 ? "%10.3f" : "%10.1f", $0) }.joined(separator: " ")
        print(c.name.padding(toLength: 34, withPad: " ", startingAt: 0), c.unit.padding(toLength: 9, withPad: " ", startingAt: 0), cells)
    }
}

for folder in benchFolders { try? FileManager.default.removeItem(at: folder) }

// The process's peak resident memory: with one case filtered, that case's peak.
var resources = rusage()
#if canImport(Darwin)
getrusage(RUSAGE_SELF, &resources)
let peakMegabytes = Double(resources.ru_maxrss) / 1_048_576       // bytes on Apple platforms
#else
getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &resources)
let peakMegabytes = Double(resources.ru_maxrss) / 1024            // kilobytes on Linux
#endif
// (After the peak is read: the probe's 512 MB are not the cases'.)
// The ceiling for one-token-at-a-time decoding: every weight is read once per token, so no
// step can be faster than the weights' bytes over the memory's read bandwidth.
let decodeBounds: [DecodeBound] = cases.contains { $0.kind == "gpt2_decode_step" }
    ? threadCounts.map { threads in
        DecodeBound(threads: threads, gigabytesPerSecond: readBandwidth(threads: threads),
                    weightMegabytes: Double(gpt2.parameterCount * MemoryLayout<Float>.size) / 1e6)
    }
    : []

// The ceiling for products: fused multiply-adds in registers, at the width the GEMM used.
let peaks: [(threads: Int, gflops: Double)] = cases.contains { $0.kind.hasPrefix("gemm") }
    ? threadCounts.map { ($0, fmaPeak(threads: $0, bits: KernelVectors.bits)) }
    : []

let build: [String: Any] = ["fusedMultiplyAdd": buildUsesFusedMultiplyAdd,
                            "vectorBits": KernelVectors.bits, "cpuVectors": KernelVectors.cpuVectors,
                            "cores": ProcessInfo.processInfo.activeProcessorCount,
                            "peakMemoryMB": peakMegabytes]
// What a block costs beyond its products (the NN issue's budget: at most 1.3×).
let blockRow = table.firstIndex { $0.name.hasPrefix("block ") }
let matmulRow = table.firstIndex { $0.name == "its matmuls alone" }
var overheads: [Double] = []
if let blockRow, let matmulRow {
    overheads = zip(table[matmulRow].rates, table[blockRow].rates).map { $0 / $1 }
}
if json {
    var output: [String: Any] = ["build": build, "results": results]
    if !peaks.isEmpty {
        output["fmaPeak"] = peaks.map { ["threads": $0.threads, "GFLOPs": $0.gflops, "bits": KernelVectors.bits] }
    }
    if !decodeBounds.isEmpty {
        output["decodeBound"] = decodeBounds.map { ["threads": $0.threads, "readGBps": $0.gigabytesPerSecond,
                                                    "weightMB": $0.weightMegabytes, "tokensPerSecond": $0.tokensPerSecond] }
    }
    if !overheads.isEmpty { output["blockOverMatmuls"] = Dictionary(uniqueKeysWithValues: zip(threadCounts.map(String.init), overheads)) }
    print(jsonString(output))
} else {
    print("""
        (rates are medians; columns are \(threadCounts.map { "\($0) thread\($0 == 1 ? "" : "s")" }.joined(separator: ", ")); \
        peak memory \(Int(peakMegabytes)) MB)
        """)
    if !peaks.isEmpty {
        print("multiply-add peak at \(KernelVectors.bits) bits (12 independent chains per thread): "
              + peaks.map { String(format: "%.1f GFLOP/s (%d thr)", $0.gflops, $0.threads) }.joined(separator: ", "))
    }
    for bound in decodeBounds {
        let reached = table.filter { $0.name.hasPrefix("GPT-2 one step at context") }.map { row in
            String(format: "%@ %.0f%%", row.name.replacingOccurrences(of: "GPT-2 one step at ", with: "") as NSString,
                   100 * row.rates[threadCounts.firstIndex(of: bound.threads)!] / bound.tokensPerSecond)
        }
        print(String(format: "decode bound, %d thr: %.0f MB of weights ÷ %.1f GB/s read = %.1f tok/s; reached: %@",
                     bound.threads, bound.weightMegabytes, bound.gigabytesPerSecond, bound.tokensPerSecond,
                     reached.joined(separator: ", ")))
    }
    if !overheads.isEmpty {
        print("block forward time / its matmuls' time: "
              + zip(threadCounts, overheads).map { String(format: "%.2f× (%d thr)", $1, $0) }.joined(separator: ", "))
    }
}

/// The fastest a decode step can go on `threads` threads: weight bytes over read bandwidth.
struct DecodeBound {
    let threads: Int
    let gigabytesPerSecond: Double
    let weightMegabytes: Double
    var tokensPerSecond: Double { gigabytesPerSecond * 1e3 / weightMegabytes }
}

/// Memory read bandwidth in GB/s on `threads` threads: the best of 15 passes that sum a 512 MB
/// array (larger than any cache), each thread its own contiguous part, 8-float vectors. (The
/// best, not the median: on a shared machine the slow passes are other tenants' traffic.)
func readBandwidth(threads: Int) -> Double {
    let count = 1 << 27
    let data = UnsafeMutablePointer<Float>.allocate(capacity: count)
    defer { data.deallocate() }
    data.initialize(repeating: 1, count: count)
    let sums = UnsafeMutablePointer<Float>.allocate(capacity: threads)
    defer { sums.deallocate() }
    let memory = UncheckedPointers(data: data, sums: sums)
    var best = 0.0
    let clock = ContinuousClock()
    for _ in 0..<15 {
        let elapsed = clock.measure {
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let lower = count / threads * t / 8 * 8, upper = t == threads - 1 ? count : count / threads * (t + 1) / 8 * 8
                var a = SIMD8<Float>(), b = SIMD8<Float>(), c = SIMD8<Float>(), d = SIMD8<Float>()
                let raw = UnsafeRawPointer(memory.data + lower)
                var i = 0
                let vectors = (upper - lower) / 8
                while i + 4 <= vectors {
                    a += raw.loadUnaligned(fromByteOffset: i * 32, as: SIMD8<Float>.self)
                    b += raw.loadUnaligned(fromByteOffset: i * 32 + 32, as: SIMD8<Float>.self)
                    c += raw.loadUnaligned(fromByteOffset: i * 32 + 64, as: SIMD8<Float>.self)
                    d += raw.loadUnaligned(fromByteOffset: i * 32 + 96, as: SIMD8<Float>.self)
                    i += 4
                }
                memory.sums[t] = (a + b + c + d).sum()
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        best = Swift.max(best, Double(count * MemoryLayout<Float>.size) / seconds / 1e9)
    }
    return best
}

/// The bandwidth probe's memory, shared with the threads that read disjoint parts of it.
struct UncheckedPointers: @unchecked Sendable {
    let data: UnsafeMutablePointer<Float>
    let sums: UnsafeMutablePointer<Float>
}

/// The most multiply-adds `threads` threads can do: 12 independent chains of `bits`-wide vectors
/// each (enough to cover the latency of two FMA pipes), 2 flops per lane, best of 5 runs.
func fmaPeak(threads: Int, bits: Int) -> Double {
    let iterations = 4_000_000
    let lanes = bits == 512 ? 16 : 8
    var best = 0.0
    let clock = ContinuousClock()
    for _ in 0..<5 {
        let elapsed = clock.measure {
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                let sink = bits == 512 ? multiplyAddChains(SIMD16<Float>.self, iterations)
                                       : multiplyAddChains(SIMD8<Float>.self, iterations)
                if sink.isNaN { print("") }  // keeps the chains alive
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        best = Swift.max(best, Double(threads * iterations * 12 * lanes * 2) / seconds / 1e9)
    }
    return best
}

/// Twelve chains c = c·a + b, with the kernels' own `multiplyAdd` (fused where the build fuses).
@inline(never)
func multiplyAddChains<V: SIMD>(_: V.Type, _ iterations: Int) -> Float where V.Scalar == Float {
    let a = V(repeating: 0.999), b = V(repeating: 0.001)
    var c0 = V(repeating: 1), c1 = V(repeating: 2), c2 = V(repeating: 3), c3 = V(repeating: 4)
    var c4 = V(repeating: 5), c5 = V(repeating: 6), c6 = V(repeating: 7), c7 = V(repeating: 8)
    var c8 = V(repeating: 9), c9 = V(repeating: 10), c10 = V(repeating: 11), c11 = V(repeating: 12)
    @inline(__always) func step(_ c: V) -> V { multiplyAdd(b, c, a) }
    for _ in 0..<iterations {
        c0 = step(c0); c1 = step(c1); c2 = step(c2); c3 = step(c3); c4 = step(c4); c5 = step(c5)
        c6 = step(c6); c7 = step(c7); c8 = step(c8); c9 = step(c9); c10 = step(c10); c11 = step(c11)
    }
    return ((c0 + c1) + (c2 + c3) + (c4 + c5) + (c6 + c7) + (c8 + c9) + (c10 + c11)).sum()
}
