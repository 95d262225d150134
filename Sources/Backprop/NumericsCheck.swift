// NumericsCheck.swift — finding the first operation that produced a NaN or an infinity.
//
//   let trace = NonFiniteTrace()
//   NumericsCheck.$trace.withValue(trace) { model.lossAndGradients(...) }
//   trace.firstOperation        "blocks.2.ffn.down forward" (nil: every value was finite)
//
// A NaN spreads: one bad value in a forward makes every later array NaN, so the
// loss says nothing about where it began. With a trace installed, each forward
// and backward step of the layers scans its result and the trace keeps the
// name of the first one that is not finite. Without a trace (the default) each
// check is one task-local read, so training pays nothing for it.
//
// Depends on: NDArray.
// Not here: what to do about it (the training loop stops and reports).

import Foundation
import NDArray

/// Where the first non-finite value appeared, filled in by `NumericsCheck.check` while installed.
public final class NonFiniteTrace: @unchecked Sendable {
    private let lock = NSLock()
    private var first: String?

    /// An empty trace.
    public init() {}

    /// The first operation whose result held a NaN or an infinity ("blocks.1.attn forward"), or nil.
    public var firstOperation: String? { lock.withLock { first } }

    /// Records `operation` unless an earlier one is recorded.
    public func record(_ operation: String) {
        lock.withLock { if first == nil { first = operation } }
    }
}

/// The opt-in check for NaN and infinity in every forward and backward step.
public enum NumericsCheck {
    /// The trace that checks report to, or nil (off, the default). Install with `$trace.withValue(_:)`.
    @TaskLocal public static var trace: NonFiniteTrace?

    /// With a trace installed, scans `array` and records `operation` if any element is NaN or infinite.
    /// - Parameters:
    ///   - array: any shape
    ///   - operation: the step's name, e.g. "blocks.0.ln1 backward" (built only when checking)
    @inlinable
    public static func check<S: NDFloatingPoint>(_ array: NDArray<S>, _ operation: @autoclosure () -> String) {
        guard let trace, trace.firstOperation == nil else { return }
        if !allFinite(array) { trace.record(operation()) }
    }

    /// Whether every element of `array` is finite.
    @_specialize(where S == Float)
    public static func allFinite<S: NDFloatingPoint>(_ array: NDArray<S>) -> Bool {
        array.contiguous().withUnsafeBufferPointer { values in values.allSatisfy { $0.isFinite } }
    }
}
