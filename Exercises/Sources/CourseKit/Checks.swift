// Checks.swift — how every exercise checks your answer and tells you what is wrong.
//
//   Course.run("05-sum-axis") { check in
//       check.close(sumAlongAxis(x, axis: 0, keepDims: true), x.sum(axis: 0, keepDims: true),
//                   case: "a [2, 3] array, axis 0, keepDims", hint: 1)
//   }
//
// Each case compares what your code returns with a reference (the library's own
// implementation, a value worked out by hand, or finite differences). The first
// case that fails stops the run and says which case it was, the shapes expected
// and got, the first index where they differ with both values, and which hint
// to read next. A stub that still calls `notDoneYet()` says so.
//
// Depends on: NDArray.

import Foundation
import NDArray

/// Ends the run of a stub: the exercise is not done yet. Call it from every body you are to write.
public func notDoneYet(_ function: String = #function) -> Never {
    print("✗ not done yet: \(function) still has its stub body. Write it in Exercise.swift.")
    print("  Stuck? `swift run exercises hint` shows the first hint.")
    exit(1)
}

/// Runs an exercise's cases, stopping at the first that fails.
public enum Course {
    /// Runs `cases` and exits: 0 when every case passes, 1 at the first that does not.
    /// - Parameter name: the exercise's folder name, e.g. "05-sum-axis"
    public static func run(_ name: String, _ cases: (inout Check) -> Void) -> Never {
        var check = Check(exercise: name)
        cases(&check)
        print("✓ \(name): all \(check.passed) cases pass")
        exit(0)
    }
}

/// One exercise's cases, compared with their references.
public struct Check {
    /// The exercise's folder name.
    public let exercise: String
    /// How many cases have passed so far.
    public private(set) var passed = 0

    init(exercise: String) { self.exercise = exercise }

    /// Fails unless `got` equals `want`.
    public mutating func equal<T: Equatable>(_ got: T, _ want: T, case name: String, hint: Int) {
        if got == want { passed += 1; return }
        fail(name, ["expected \(want)", "got      \(got)"], hint: hint)
    }

    /// Fails unless both arrays have one shape and the same elements (NaN equals NaN).
    public mutating func equal<S: NDArrayScalar>(_ got: NDArray<S>, _ want: NDArray<S>, case name: String, hint: Int) {
        guard got.shape == want.shape else { shapes(name, got.shape, want.shape, hint: hint) }
        let (g, w) = (got.scalars, want.scalars)
        if let i = g.indices.first(where: { g[$0] != w[$0] && !(isNaN(g[$0]) && isNaN(w[$0])) }) {
            fail(name, ["shape \(want.shape), as expected",
                               "first difference at \(unravelIndex(i, shape: want.shape)): expected \(w[i]), got \(g[i])"],
                        hint: hint)
        }
        passed += 1
    }

    /// Fails unless both arrays have one shape and every element is within `tolerance`
    /// (|got − want| ≤ tolerance · (1 + |want|)); equal infinities match.
    public mutating func close<S: NDFloatingPoint>(_ got: NDArray<S>, _ want: NDArray<S>, tolerance: Double = 1e-5,
                                                    case name: String, hint: Int) {
        guard got.shape == want.shape else { shapes(name, got.shape, want.shape, hint: hint) }
        let (g, w) = (got.scalars.map(Double.init), want.scalars.map(Double.init))
        for i in g.indices where !(g[i] == w[i]) {
            let error = g[i].isFinite && w[i].isFinite ? Swift.abs(g[i] - w[i]) / (1 + Swift.abs(w[i])) : .infinity
            if !(error <= tolerance) {
                fail(name, ["shape \(want.shape), as expected",
                                   "first difference at \(unravelIndex(i, shape: want.shape)): expected \(w[i]), got \(g[i])"
                                   + " (tolerance \(tolerance))"], hint: hint)
            }
        }
        passed += 1
    }

    /// Fails unless `got` is within `tolerance` of `want` (relative, as in `close`).
    public mutating func close(_ got: Double, _ want: Double, tolerance: Double = 1e-5, case name: String, hint: Int) {
        if got == want || Swift.abs(got - want) <= tolerance * (1 + Swift.abs(want)) { passed += 1; return }
        fail(name, ["expected \(want)", "got      \(got) (tolerance \(tolerance))"], hint: hint)
    }

    private func shapes(_ name: String, _ got: [Int], _ want: [Int], hint: Int) -> Never {
        fail(name, ["expected shape \(want)", "got shape      \(got)"], hint: hint)
    }

    private func fail(_ name: String, _ details: [String], hint: Int) -> Never {
        print("✗ \(exercise), case \(passed + 1): \(name)")
        for line in details { print("  " + line) }
        print("  read hint \(hint): swift run exercises hint \(exercise) \(hint)")
        exit(1)
    }
}

private func isNaN<S>(_ x: S) -> Bool {
    (x as? Float)?.isNaN ?? (x as? Double)?.isNaN ?? false
}
