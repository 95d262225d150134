// Fixtures.swift — loading the NumPy golden files.
//
// scripts/make_ndarray_fixtures.py writes small .npy files and a manifest.json
// into Fixtures/numpy/: inputs, and what NumPy computed from them. The tests
// load both, run the same operation here, and compare.

import Foundation
import NDArray
import TestSupport
import XCTest

enum Fixtures {
    /// The folder of NumPy fixtures inside the test bundle.
    static let folder = FixtureFolder(bundle: .module, "numpy")

    /// The manifest: which cases exist and what they mean.
    static let manifest: Manifest = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try! decoder.decode(Manifest.self, from: folder.bytes("manifest.json"))
    }()

    /// The array in `name` (with or without ".npy"), converted to `S`.
    static func load<S: NDArrayScalar>(_ name: String, as type: S.Type = S.self) -> NDArray<S> { folder.load(name) }

    /// The raw bytes of a fixture file.
    static func bytes(_ name: String) -> Data { folder.bytes(name.hasSuffix(".npy") ? name : name + ".npy") }
}

/// The parts of manifest.json the tests read.
struct Manifest: Decodable {
    struct BroadcastCase: Decodable { let name: String; let aShape, bShape: [Int]; let ok: Bool; let outShape: [Int]? }
    struct ViewCase: Decodable { let name, expr: String }
    struct ReductionCase: Decodable {
        let dtype, op, file: String
        let axis: Axis
        let keepdims: Bool
        let ddof: Int?
    }
    struct MatmulCase: Decodable { let name, op, dtype: String; let aShape, bShape: [Int]; let ok: Bool }
    struct PrintingCase: Decodable { let name, str, repr: String }
    struct NPYCase: Decodable {
        let name: String
        let ok: Bool
        let dtype: String?
        let shape: [Int]?
        let fortranOrder: Bool?
        let values: [Number]?
    }
    struct RandomCase: Decodable {
        let seed: String
        let raw: [String]
        let uniformF32, uniformF64, normal: [Double]
        let bounded10: [Int]
        let boundedBig: [String]
        /// The bit patterns of 201 normal draws, computed by a Python port of the library's portable math.
        let normalBits: [String]
    }

    /// `null`, an integer or a list of integers.
    enum Axis: Decodable {
        case all, one(Int), several([Int])
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .all } else if let n = try? c.decode(Int.self) { self = .one(n) } else {
                self = .several(try c.decode([Int].self))
            }
        }
    }

    /// A JSON number or boolean, as a Double.
    struct Number: Decodable {
        let value: Double
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { value = b ? 1 : 0 } else { value = try c.decode(Double.self) }
        }
    }

    let numpyVersion: String
    let broadcast: [BroadcastCase]
    let views: [ViewCase]
    let reductions: [ReductionCase]
    let matmul: [MatmulCase]
    let unary: [String]
    let softmax: [String]
    let join: [String]
    let printing: [PrintingCase]
    let npy: [NPYCase]
    let random: [RandomCase]
}
