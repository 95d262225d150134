// Assertions.swift — comparing arrays the way llm.c's tests report: on failure,
// the shapes, the worst index, the expected and the actual value.

import NDArray
import XCTest

/// Fails unless `actual` has `expected`'s shape and every element is within
/// `tolerance` (absolute, plus `tolerance` relative to the expected magnitude).
/// NaN matches NaN and infinities must match exactly.
func assertClose<S: NDFloatingPoint>(_ actual: NDArray<S>, _ expected: NDArray<S>, tolerance: Double = 1e-6,
                                     _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.shape == expected.shape else {
        XCTFail("\(message) shape \(actual.shape) != expected \(expected.shape)", file: file, line: line)
        return
    }
    let a = actual.scalars.map(Double.init), e = expected.scalars.map(Double.init)
    var worst = -1, worstError = 0.0
    for i in a.indices {
        if a[i].isNaN && e[i].isNaN { continue }
        if a[i].isInfinite || e[i].isInfinite {
            if a[i] != e[i] { worst = i; worstError = .infinity; break }
            continue
        }
        let error = abs(a[i] - e[i]) / (1 + abs(e[i]))
        if error > worstError || error.isNaN { worstError = error.isNaN ? .infinity : error; worst = i }
    }
    if worst >= 0 && worstError > tolerance {
        XCTFail("\(message) shape \(actual.shape): worst at flat index \(worst) (of \(a.count)): "
                + "expected \(e[worst]), got \(a[worst]) (error \(worstError) > \(tolerance))", file: file, line: line)
    }
}

/// Fails unless the two arrays have the same shape and exactly the same elements.
func assertEqualArrays<S: NDArrayScalar>(_ actual: NDArray<S>, _ expected: NDArray<S>, _ message: String = "",
                                         file: StaticString = #filePath, line: UInt = #line) {
    guard actual.shape == expected.shape else {
        XCTFail("\(message) shape \(actual.shape) != expected \(expected.shape)", file: file, line: line)
        return
    }
    let a = actual.scalars, e = expected.scalars
    if let i = a.indices.first(where: { a[$0] != e[$0] && !(isNaN(a[$0]) && isNaN(e[$0])) }) {
        XCTFail("\(message) shape \(actual.shape): first difference at flat index \(i): "
                + "expected \(e[i]), got \(a[i])", file: file, line: line)
    }
}

private func isNaN<S>(_ x: S) -> Bool {
    (x as? Float)?.isNaN ?? (x as? Double)?.isNaN ?? false
}
