// bench — how fast the NDArray kernels and the NN layers run, in one table.
//
//   swift run -c release bench                         the portable build
//   swift run -c release --traits NativeCPU bench      this CPU, fused multiply-adds
//   bench --filter gemm --json                         some rows, for machines
//   python3 scripts/bench_peers.py                     the same cases beside NumPy and PyTorch
//
// Each case is timed with 1 thread and with every core (`--threads 1,2` to
// choose): warm-up runs first, then runs until a quarter of a second has
// passed (at least 5), and the median is reported as a rate.

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

if !json {
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
let build: [String: Any] = ["fusedMultiplyAdd": buildUsesFusedMultiplyAdd,
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
    if !overheads.isEmpty { output["blockOverMatmuls"] = Dictionary(uniqueKeysWithValues: zip(threadCounts.map(String.init), overheads)) }
    print(jsonString(output))
} else {
    print("""
        (rates are medians; columns are \(threadCounts.map { "\($0) thread\($0 == 1 ? "" : "s")" }.joined(separator: ", ")); \
        fused multiply-add: \(buildUsesFusedMultiplyAdd ? "yes" : "no — build with --traits NativeCPU for this CPU's full speed"); \
        peak memory \(Int(peakMegabytes)) MB)
        """)
    if !overheads.isEmpty {
        print("block forward time / its matmuls' time: "
              + zip(threadCounts, overheads).map { String(format: "%.2f× (%d thr)", $1, $0) }.joined(separator: ", "))
    }
}
