// TorchFixture.swift — loading a layer's PyTorch fixture, and comparing arrays.
//
// scripts/make_nn_fixtures.py builds each layer in PyTorch with fixed weights
// and saves, per case, a folder of .npy files: the inputs, what PyTorch
// computed, and every weight under our parameter name. `load(into:)` fills a
// layer from them by name, so a test also checks that our names
// (`attn.qkv.weight`, `ffn.up.bias`, …) are the ones the layer really has.

import Foundation
import NDArray
import NN
import XCTest

/// One case folder: Fixtures/torch/<name>/.
struct TorchFixture {
    let name: String
    let folder: URL

    init(_ name: String) {
        self.name = name
        folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
            .appendingPathComponent("torch").appendingPathComponent(name)
    }

    /// The array saved as `<file>.npy`.
    subscript<S: NDArrayScalar>(_ file: String, as type: S.Type = S.self) -> NDArray<S> {
        do {
            return try NDArray<S>(contentsOfNPY: folder.appendingPathComponent(file + ".npy"), converting: true)
        } catch {
            fatalError("fixture \(name)/\(file).npy: \(error)")
        }
    }

    /// The names of every file in the case, without ".npy".
    var files: Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return Set(names.filter { $0.hasSuffix(".npy") }.map { String($0.dropLast(4)) })
    }

    /// Sets every parameter of `layer` from the file of the same name; fails the test when a
    /// parameter has no file, a shape differs, or a weight file matches no parameter.
    func load<L: Layer>(into layer: L, file: StaticString = #filePath, line: UInt = #line) where L.Scalar == Float {
        let available = files
        var used: Set<String> = []
        layer.updateParameters { parameterName, value in
            guard available.contains(parameterName) else {
                XCTFail("\(name): no fixture for parameter \(parameterName)", file: file, line: line)
                return
            }
            let loaded: NDArray<Float> = self[parameterName]
            XCTAssertEqual(loaded.shape, value.shape, "\(name): \(parameterName)", file: file, line: line)
            value = loaded
            used.insert(parameterName)
        }
        let data: Set<String> = ["input", "output", "output_tanh", "weights", "memory", "memory_mask", "offset"]
        let unused = available.subtracting(used).subtracting(data)
        XCTAssertTrue(unused.isEmpty, "\(name): fixture weights that match no parameter: \(unused.sorted())",
                      file: file, line: line)
    }
}

/// Fails unless `actual` has `expected`'s shape and every element is within `tolerance`
/// (absolute, plus relative to the expected magnitude); reports the worst index.
func assertClose<S: NDFloatingPoint>(_ actual: NDArray<S>, _ expected: NDArray<S>, tolerance: Double = 1e-5,
                                     _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.shape == expected.shape else {
        XCTFail("\(message) shape \(actual.shape) != expected \(expected.shape)", file: file, line: line)
        return
    }
    let a = actual.scalars.map(Double.init), e = expected.scalars.map(Double.init)
    var worst = -1, worstError = 0.0
    for i in a.indices where !(a[i] == e[i]) {      // equal infinities match; NaN never does
        let error = a[i].isFinite && e[i].isFinite ? Swift.abs(a[i] - e[i]) / (1 + Swift.abs(e[i])) : .infinity
        if error > worstError { worstError = error; worst = i }
    }
    if worst >= 0 && worstError > tolerance {
        XCTFail("\(message) shape \(actual.shape): worst at flat index \(worst) of \(a.count): expected \(e[worst]), "
                + "got \(a[worst]) (error \(worstError) > \(tolerance))", file: file, line: line)
    }
}

/// A generator for tests: the seed says which.
func generator(_ seed: UInt64 = 0) -> SeededGenerator { SeededGenerator(seed: seed) }

/// A [shape] array of N(0, 1) Floats from `seed`.
func randomArray(_ shape: [Int], seed: UInt64) -> NDArray<Float> {
    var g = SeededGenerator(seed: seed)
    return .normal(shape, using: &g)
}
