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
import TestSupport
import XCTest

/// One case folder: Fixtures/torch/<name>/.
struct TorchFixture {
    let name: String
    let folder: FixtureFolder

    init(_ name: String) {
        self.name = name
        folder = FixtureFolder(bundle: .module, "torch/" + name)
    }

    /// The array saved as `<file>.npy`.
    subscript<S: NDArrayScalar>(_ file: String, as type: S.Type = S.self) -> NDArray<S> { folder.load(file) }

    /// The names of every file in the case, without ".npy".
    var files: Set<String> { folder.arrayNames }

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

/// A generator for tests: the seed says which.
func generator(_ seed: UInt64 = 0) -> SeededGenerator { SeededGenerator(seed: seed) }

/// A [shape] array of N(0, 1) Floats from `seed`.
func randomArray(_ shape: [Int], seed: UInt64) -> NDArray<Float> {
    var g = SeededGenerator(seed: seed)
    return .normal(shape, using: &g)
}
