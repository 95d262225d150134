// NPYTests.swift — reading and writing NumPy's .npy files.
//
// After reading this file you should know what a .npy file holds (a magic
// string, a version, a Python-dict header naming the type, order and shape,
// then the raw elements), that we read every version NumPy writes in either
// byte order and Fortran order, and that a damaged file throws an error
// saying what is wrong instead of crashing.

import Foundation
import NDArray
import XCTest

final class NPYTests: XCTestCase {
    /// Every file in the fixtures: the good ones load with NumPy's values, the bad ones throw.
    func testEveryFixtureFileLoadsOrThrowsLikeNumPy() {
        for c in Fixtures.manifest.npy {
            let data = Fixtures.bytes("npy_\(c.name)")
            do {
                let array = try AnyNDArray(npyData: data)
                XCTAssertTrue(c.ok, "\(c.name) should have been rejected")
                XCTAssertEqual(array.shape, c.shape, c.name)
                let values: [Double] = switch array {
                case .float32(let a): a.scalars.map(Double.init)
                case .float64(let a): a.scalars
                case .int32(let a): a.scalars.map(Double.init)
                case .int64(let a): a.scalars.map(Double.init)
                case .bool(let a): a.scalars.map { $0 ? 1 : 0 }
                }
                XCTAssertEqual(values, c.values?.map(\.value), c.name)
            } catch {
                XCTAssertFalse(c.ok, "\(c.name) should load, but: \(error)")
            }
        }
    }

    func testEachProblemHasItsOwnError() {
        func error(_ name: String) -> NPYError? {
            do { _ = try AnyNDArray(npyData: Fixtures.bytes("npy_\(name)")); return nil } catch { return error }
        }
        XCTAssertEqual(error("bad_magic"), .notNPY)
        XCTAssertEqual(error("truncated_magic"), .truncated(part: "preamble", needed: 8, available: 4))
        XCTAssertEqual(error("bad_version"), .unsupportedVersion(major: 9, minor: 0))
        XCTAssertEqual(error("f2"), .unsupportedType("<f2"))
        XCTAssertEqual(error("c8"), .unsupportedType("<c8"))
        if case .truncated(let part, _, _)? = error("truncated_header") { XCTAssertEqual(part, "header") } else { XCTFail() }
        if case .truncated(let part, 24, 19)? = error("truncated_data") { XCTAssertEqual(part, "data") } else { XCTFail("\(String(describing: error("truncated_data")))") }
        if case .truncated(let part, 4000, _)? = error("header_len_too_big") { XCTAssertEqual(part, "header") } else { XCTFail() }
        for name in ["no_shape", "bad_shape", "bad_fortran", "garbage_header"] {
            guard case .malformedHeader? = error(name) else { XCTFail("\(name): \(String(describing: error(name)))"); continue }
        }
        XCTAssertEqual(NPYError.notNPY.description, "not a .npy file: it does not start with the magic string \\x93NUMPY")
    }

    func testTheTypedInitialiserChecksTheElementType() throws {
        let data = Fixtures.bytes("npy_v2_f8")
        XCTAssertThrowsError(try NDArray<Float>(npyData: data)) { error in
            XCTAssertEqual(error as? NPYError, .typeMismatch(expected: "float32", found: "<f8"))
        }
        XCTAssertEqual(try NDArray<Float>(npyData: data, converting: true), [[0, 1], [2, 3], [4, 5]])
        XCTAssertEqual(try NDArray<Double>(npyData: Fixtures.bytes("npy_fortran_f8")), NDArray<Double>.arange(12).reshaped(3, 4))
        XCTAssertEqual(try NDArray<Float>(npyData: Fixtures.bytes("npy_be_f4")), NDArray<Float>.arange(6).reshaped(2, 3))
        XCTAssertEqual(try NDArray<Int64>(npyData: Fixtures.bytes("npy_be_i8")), [0, 1, 2, 3])
        XCTAssertEqual(try NDArray<Int>(npyData: Fixtures.bytes("npy_i8")), [0, 1, 2, 3, 4])
        XCTAssertEqual(try NDArray<Bool>(npyData: Fixtures.bytes("npy_bool")), [true, false, true])
    }

    func testWritingIsByteForByteWhatNumPyWrites() {
        XCTAssertEqual(NDArray<Float>.arange(6).reshaped(2, 3).npyData(), Fixtures.bytes("npy_v1_f4"))
        XCTAssertEqual(NDArray<Int32>.arange(5).npyData(), Fixtures.bytes("npy_i4"))
        XCTAssertEqual(NDArray<Int>.arange(5).npyData(), Fixtures.bytes("npy_i8"))
        XCTAssertEqual(NDArray<Double>(2.5).npyData(), Fixtures.bytes("npy_scalar_f8"))
        XCTAssertEqual(NDArray<Float>.zeros([0, 3]).npyData(), Fixtures.bytes("npy_empty_f4"))
        XCTAssertEqual(NDArray<Bool>([true, false, true]).npyData(), Fixtures.bytes("npy_bool"))
        XCTAssertEqual(NDArray<Float>.zeros([1, 1, 1, 2, 1]).npyData(), Fixtures.bytes("npy_big_dims_f4"))
    }

    func testEveryLayoutRoundTripsThroughAFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for layout in everyLayout([3, 4]) {
            let url = folder.appendingPathComponent("\(layout.name).npy")
            try layout.array.writeNPY(to: url)
            let back = try NDArray<Double>(contentsOfNPY: url)
            XCTAssertEqual(back.scalars, layout.values, layout.name)
            XCTAssertEqual(back.shape, [3, 4], layout.name)
        }
    }

    func testAMissingFileSaysWhich() {
        let url = URL(fileURLWithPath: "/nonexistent/weights.npy")
        XCTAssertThrowsError(try NDArray<Float>(contentsOfNPY: url)) { error in
            guard case .io(let message)? = error as? NPYError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("/nonexistent/weights.npy"), message)
        }
    }

    /// A .npy file with the given header text, padded as NumPy pads it, and `body` after it.
    private func npyFile(header: String, body: [UInt8] = []) -> Data {
        var text = Array(header.utf8)
        while (10 + text.count + 1) % 64 != 0 { text.append(0x20) }
        text.append(0x0A)
        return Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text + body)
    }

    func testHostileHeadersThrow() {
        // The element count is 0, but the strides would overflow an Int.
        let overflow = npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 9223372036854775807, 2), }")
        XCTAssertThrowsError(try AnyNDArray(npyData: overflow)) { XCTAssertEqual($0 as? NPYError, .malformedHeader("shape [0, 9223372036854775807, 2] has too many elements")) }
        // Nested parentheses must not recurse.
        let nested = npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': " + String(repeating: "(", count: 60_000) + "}")
        XCTAssertThrowsError(try AnyNDArray(npyData: nested)) { XCTAssertEqual($0 as? NPYError, .malformedHeader("shape holds something other than integers")) }
        let float = npyFile(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                            body: Array(NDArray<Float>([1.5, .nan]).npyData().suffix(8)))
        XCTAssertThrowsError(try NDArray<Int32>(npyData: float, converting: true)) {
            XCTAssertEqual($0 as? NPYError, .unconvertible(value: "nan", to: "int32"))
        }
        XCTAssertEqual(try NDArray<Double>(npyData: float, converting: true).scalars[0], 1.5)
    }

    func testArbitraryBytesNeverCrash() {
        // Every prefix of a good file, and the good file with each byte flipped: errors or values, never a trap.
        let good = Fixtures.bytes("npy_good")
        for length in 0..<good.count { _ = try? AnyNDArray(npyData: good.prefix(length)) }
        for i in 0..<good.count {
            var damaged = good
            damaged[i] ^= 0xFF
            _ = try? AnyNDArray(npyData: damaged)
        }
        XCTAssertNoThrow(try AnyNDArray(npyData: good))
    }
}
