// Threads.swift — how many cores the kernels use, and the one parallel loop they share.
//
//   ComputeThreads.count = 2              the API (PyTorch: torch.set_num_threads)
//   NDARRAY_NUM_THREADS=1 swift run …     the environment, read once at first use
//   parallelFor(items, grain) { range in … }
//
// Work is cut into contiguous ranges of independent items (rows, output
// columns, batch entries) before any thread starts, and each item is computed
// whole by one thread, in the same order as on one thread. No sum is ever
// split across threads, so results are bit-identical for every thread count.
// Problems smaller than a few "grains" stay on the calling thread: waking a
// worker costs microseconds.
//
// Not here: a persistent pool of our own (Dispatch keeps one), work stealing
// between jobs (threads only claim the next piece of the current one).

import Dispatch
import Foundation

/// The number of threads NDArray's kernels use.
///
/// Defaults to the number of active processors, or to `NDARRAY_NUM_THREADS`
/// when that environment variable is set (read once, at first use). A value
/// that is not a positive integer stops the program with a message naming it.
/// Results never depend on the count: every element is computed by one thread
/// in a fixed order.
///
/// ```swift
/// ComputeThreads.count = 1                       // from now on
/// let y = ComputeThreads.withCount(2) { matmul(a, b) }   // just for this
/// ```
public enum ComputeThreads {
    /// The thread count used by the kernels; at least 1.
    public static var count: Int {
        get { setting.value }
        set {
            precondition(newValue >= 1, "ComputeThreads.count: \(newValue) is not a positive thread count")
            setting.value = newValue
        }
    }

    /// The count when nothing was set: `NDARRAY_NUM_THREADS`, or the active processors.
    public static let defaultCount: Int =
        environmentSetting("NDARRAY_NUM_THREADS", threadCount(fromEnvironment:))
            ?? Swift.max(ProcessInfo.processInfo.activeProcessorCount, 1)

    /// Reads `NDARRAY_NUM_THREADS`: nil when unset, a message when it is not a positive integer.
    static func threadCount(fromEnvironment text: String?) -> Result<Int?, EnvironmentSettingError> {
        wholeNumber(text, named: "NDARRAY_NUM_THREADS", allowed: { $0 >= 1 },
                    expected: "a positive integer (unset it to use every core)")
    }

    /// Runs `body` with `count` threads, then restores the previous count.
    /// The setting is global: other threads' kernels see it meanwhile.
    public static func withCount<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
        let previous = self.count
        self.count = count
        defer { self.count = previous }
        return try body()
    }

    /// Calls `body` on consecutive ranges covering `0..<items`, on up to `count` threads, each range
    /// at least `grain` items (small work stays on the calling thread). The ranges are fixed before
    /// any thread starts, so what each computes never depends on the thread count's timing. `body`
    /// must write only its own range's memory. For kernels outside this module (optimizer steps,
    /// fused backward passes).
    public static func forEachRange(_ items: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        parallelFor(items, grain: grain, body)
    }

    private static let setting = IntSetting { ComputeThreads.defaultCount }
}

/// A whole-number setting read from the environment (`NDARRAY_NUM_THREADS`, `NDARRAY_VECTOR_BITS`)
/// that cannot be used.
struct EnvironmentSettingError: Error, CustomStringConvertible {
    let description: String
}

/// Reads `text`, the value of the environment variable `name`: nil when unset, the number when
/// `allowed`, else a message saying that it is not `expected`.
func wholeNumber(_ text: String?, named name: String, allowed: (Int) -> Bool,
                 expected: String) -> Result<Int?, EnvironmentSettingError> {
    guard let text else { return .success(nil) }
    guard let value = Int(text.trimmingCharacters(in: .whitespaces)), allowed(value) else {
        return .failure(EnvironmentSettingError(description: "\(name)=\"\(text)\" is not \(expected)"))
    }
    return .success(value)
}

/// The environment variable `name` read by `read`: nil when unset; a value that cannot be used
/// stops the program with its message (exit status 1).
func environmentSetting(_ name: String, _ read: (String?) -> Result<Int?, EnvironmentSettingError>) -> Int? {
    switch read(ProcessInfo.processInfo.environment[name]) {
    case .success(let value): return value
    case .failure(let error):
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(1)
    }
}

/// A process-wide whole-number setting (threads, vector width): the value the program set,
/// else its default.
final class IntSetting: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Int?
    private let fallback: @Sendable () -> Int

    init(default fallback: @escaping @Sendable () -> Int) { self.fallback = fallback }

    var value: Int {
        get { lock.withLock { stored } ?? fallback() }
        set { lock.withLock { stored = newValue } }
    }
}

/// Calls `body` on consecutive ranges covering `0..<items`, on up to
/// `threads` threads at once (`ComputeThreads.count` by default). The work is
/// used on `items / grain` threads at most, so small problems run on the
/// calling thread. It is cut into one range per thread, or `piecesPerThread`
/// ranges per thread that threads claim as they come free (a thread slowed by a
/// busy core then does fewer). Either way the ranges are fixed before any
/// thread starts, so what is computed never depends on which thread computes it.
@usableFromInline
func parallelFor(_ items: Int, grain: Int, threads available: Int = ComputeThreads.count,
                 piecesPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
    let threads = items >= 2 * grain ? Swift.min(available, items / Swift.max(grain, 1)) : 1
    if threads <= 1 {
        if items > 0 { body(0..<items) }
        return
    }
    let pieces = Swift.min(items, threads * Swift.max(piecesPerThread, 1))
    // Each piece writes only its own range of the caller's memory: safe to share.
    withoutActuallyEscaping(body) { body in
        let piece = { (t: Int) in body(items * t / pieces ..< items * (t + 1) / pieces) }
        if !WarmWorkers.shared.run(pieces: pieces, threads: threads, piece) {
            // Another caller holds the warm workers: plain Dispatch, `threads` at
            // once, each taking every `threads`-th piece.
            let shared = UncheckedSendable(piece)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                for p in stride(from: t, to: pieces, by: threads) { shared.value(p) }
            }
        }
    }
}

/// Worker threads borrowed from Dispatch that stay awake for a moment after
/// each parallel loop, so the next loop starts in about a microsecond instead
/// of waiting for a sleeping thread to be woken (tens of microseconds, as long
/// as a whole 128×128 product).
///
/// The caller posts a job of numbered pieces and works on pieces itself; each
/// worker spins, takes the next unclaimed piece, and after about 0.2 ms without
/// work returns its thread to Dispatch. Which thread runs which piece varies,
/// but the pieces themselves are fixed, so results do not.
final class WarmWorkers: @unchecked Sendable {
    static let shared = WarmWorkers()

    private let lock = NSLock()
    private var busy = false                      // a job is running (one caller at a time)
    private var job: ((Int) -> Void)?             // the current job's pieces
    private var generation = 0                    // bumped for every job
    private var nextPiece = 0, pieceCount = 0, unfinished = 0
    private var awake = 0                         // workers spinning or working
    private var helpers = 0, helpersWanted = 0    // workers that joined the current job, and its cap
    /// How long an idle worker spins before giving its thread back.
    private let idleNanoseconds: UInt64 = 200_000

    /// Runs `piece(0..<pieces)` across the caller and the workers; false if another job is running.
    func run(pieces: Int, threads: Int, _ piece: @escaping (Int) -> Void) -> Bool {
        let wanted = Swift.min(pieces, threads) - 1
        let start: Int? = lock.withLock {
            if busy { return nil }
            busy = true
            job = piece
            generation += 1
            nextPiece = 0
            pieceCount = pieces
            unfinished = pieces
            helpers = 0
            helpersWanted = wanted
            let missing = Swift.max(0, wanted - awake)
            awake += missing
            return missing
        }
        guard let missing = start else { return false }
        for _ in 0..<missing {
            DispatchQueue.global(qos: .userInitiated).async { self.work() }
        }
        // The caller takes pieces too, then waits for the workers' last ones.
        while let index = claim() {
            piece(index)
            finish()
        }
        while lock.withLock({ unfinished }) > 0 {}
        lock.withLock {
            job = nil
            busy = false
        }
        return true
    }

    /// The next unclaimed piece of the current job. A worker passes the job it
    /// has joined; it joins a new job only while the job has fewer helpers than
    /// its thread count allows (workers still spinning from a wider job wait).
    private func claim(joined: UnsafeMutablePointer<Int>? = nil) -> Int? {
        lock.withLock {
            guard job != nil, nextPiece < pieceCount else { return nil }
            if let joined, joined.pointee != generation {
                guard helpers < helpersWanted else { return nil }
                helpers += 1
                joined.pointee = generation
            }
            nextPiece += 1
            return nextPiece - 1
        }
    }

    /// Calls the current job's piece `index`; holds the job only while it runs.
    @inline(never)
    private func runPiece(_ index: Int) {
        let piece = lock.withLock { job }
        piece?(index)
    }

    private func finish() {
        lock.withLock { unfinished -= 1 }
    }

    /// A worker's loop: take pieces while there are any; spin a while; leave.
    private func work() {
        var idleSince = DispatchTime.now().uptimeNanoseconds
        var joined = 0  // the generation of the job this worker helps with
        while true {
            if let index = claim(joined: &joined) {
                runPiece(index)
                finish()  // after runPiece has let go of the job: the caller may return at once
                idleSince = DispatchTime.now().uptimeNanoseconds
                continue
            }
            if DispatchTime.now().uptimeNanoseconds - idleSince > idleNanoseconds {
                let leave = lock.withLock { () -> Bool in
                    // Leave only if no piece appeared meanwhile.
                    if job != nil && nextPiece < pieceCount { return false }
                    awake -= 1
                    return true
                }
                if leave { return }
            }
        }
    }
}

/// A value handed to other threads on the caller's promise that they use it safely.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
