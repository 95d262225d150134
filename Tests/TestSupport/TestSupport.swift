// TestSupport.swift — what every test target shares: comparing arrays the way llm.c's
// tests report (the shapes, the worst element's index, the expected and the actual value),
// and loading the .npy fixtures that the scripts in scripts/ wrote with NumPy and PyTorch.
//
// One copy for the whole suite: NDArrayTests, NNTests, BackpropTests and GPTTests depend
// on this target instead of each keeping its own `assertClose`.

import Foundation
import NDArray
import XCTest

/// Fails unless `actual` has `expected`'s shape and every element is within `tolerance`
/// (absolute, plus `tolerance` relative to the expected magnitude: |a − e| / (1 + |e|)).
/// Equal infinities match; NaN matches NaN only with `nanMatches`. On failure: both shapes,
/// or the worst element's index [i, j, …] with both values and the error.
public func assertClose<S: NDFloatingPoint>(_ actual: NDArray<S>, _ expected: NDArray<S>, tolerance: Double = 1e-6,
                                            nanMatches: Bool = false, _ message: String = "",
                                            file: StaticString = #filePath, line: UInt = #line) {
    guard actual.shape == expected.shape else {
        XCTFail("\(message) shape \(actual.shape) != expected \(expected.shape)", file: file, line: line)
        return
    }
    let a = actual.scalars.map(Double.init), e = expected.scalars.map(Double.init)
    var worst = -1, worstError = 0.0
    for i in a.indices where !(a[i] == e[i]) {
        if nanMatches && a[i].isNaN && e[i].isNaN { continue }
        let error = a[i].isFinite && e[i].isFinite ? Swift.abs(a[i] - e[i]) / (1 + Swift.abs(e[i])) : .infinity
        if error > worstError || worst < 0 { (worstError, worst) = (error, i) }
    }
    if worst >= 0 && worstError > tolerance {
        XCTFail("\(message) shape \(actual.shape): worst at \(unravelIndex(worst, shape: actual.shape)) (flat \(worst) of "
                + "\(a.count)): expected \(e[worst]), got \(a[worst]) (error \(worstError) > \(tolerance))",
                file: file, line: line)
    }
}

/// Fails unless the two arrays have the same shape and exactly the same elements (NaN matches NaN);
/// on failure, the first difference's index [i, j, …] with both values.
public func assertEqualArrays<S: NDArrayScalar>(_ actual: NDArray<S>, _ expected: NDArray<S>, _ message: String = "",
                                                file: StaticString = #filePath, line: UInt = #line) {
    guard actual.shape == expected.shape else {
        XCTFail("\(message) shape \(actual.shape) != expected \(expected.shape)", file: file, line: line)
        return
    }
    let a = actual.scalars, e = expected.scalars
    if let i = a.indices.first(where: { a[$0] != e[$0] && !(isNaN(a[$0]) && isNaN(e[$0])) }) {
        XCTFail("\(message) shape \(actual.shape): first difference at \(unravelIndex(i, shape: actual.shape)) (flat \(i)): "
                + "expected \(e[i]), got \(a[i])", file: file, line: line)
    }
}

private func isNaN<S>(_ x: S) -> Bool {
    (x as? Float)?.isNaN ?? (x as? Double)?.isNaN ?? false
}

/// A folder of .npy fixtures (a test target's `Bundle.module` resources, or a part of them).
public struct FixtureFolder: Sendable {
    /// Where the files are.
    public let url: URL

    /// The folder at `url`.
    public init(_ url: URL) { self.url = url }

    /// The folder `path` inside a test bundle's copied Fixtures/ resource.
    public init(bundle: Bundle, _ path: String = "") {
        let root = bundle.url(forResource: "Fixtures", withExtension: nil)!
        url = path.isEmpty ? root : root.appendingPathComponent(path)
    }

    /// The array in `<name>.npy` (or `name` if it ends in .npy), converted to `S`; a missing or
    /// unreadable fixture stops the test run naming the file.
    public func load<S: NDArrayScalar>(_ name: String, as type: S.Type = S.self) -> NDArray<S> {
        let file = name.hasSuffix(".npy") ? name : name + ".npy"
        do {
            return try NDArray<S>(contentsOfNPY: url.appendingPathComponent(file), converting: true)
        } catch {
            fatalError("fixture \(url.lastPathComponent)/\(file): \(error)")
        }
    }

    /// The same as `load(_:as:)`.
    public subscript<S: NDArrayScalar>(_ name: String, as type: S.Type = S.self) -> NDArray<S> { load(name) }

    /// The raw bytes of a file in the folder.
    public func bytes(_ name: String) -> Data {
        do {
            return try Data(contentsOf: url.appendingPathComponent(name))
        } catch {
            fatalError("fixture \(url.lastPathComponent)/\(name): \(error)")
        }
    }

    /// The names of the .npy files in the folder, without ".npy".
    public var arrayNames: Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return Set(names.filter { $0.hasSuffix(".npy") }.map { String($0.dropLast(4)) })
    }
}
