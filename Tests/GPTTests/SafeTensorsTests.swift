// SafeTensorsTests.swift — reading Hugging Face's tensor files, and refusing broken ones.
//
// After reading this file you should know the safetensors layout (8 bytes of
// header length, a JSON header, raw little-endian data) and that a truncated
// or inconsistent file throws an error naming the tensor and the field.

import Foundation
@testable import GPT
import NDArray
import XCTest

final class SafeTensorsTests: XCTestCase {
    func testReadsEveryDtypeThePythonLibraryWrote() throws {
        let file = try SafeTensorsFile(contentsOf: fixtureURL("safetensors/mixed.safetensors"))
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL("safetensors/expected.json")))
            as! [String: Any]
        XCTAssertEqual(file.metadata, expected["metadata"] as! [String: String])
        let tensors = expected["tensors"] as! [String: [String: Any]]
        XCTAssertEqual(Set(file.tensors.keys), Set(tensors.keys))
        for (name, entry) in tensors {
            let info = file.tensors[name]!
            XCTAssertEqual(info.dtype.rawValue, entry["dtype"] as! String, name)
            XCTAssertEqual(info.shape, entry["shape"] as! [Int], name)
            let values = (entry["values"] as! [NSNumber]).map(\.doubleValue)
            if info.dtype.isFloatingPoint {
                let array: NDArray<Double> = try file.array(name)
                XCTAssertEqual(array.shape, info.shape, name)
                // Every dtype converts exactly to Double; the tolerance is for the JSON parser's last digit.
                for (x, y) in zip(array.scalars, values) { XCTAssertEqual(x, y, accuracy: Swift.abs(y) * 1e-15, name) }
                XCTAssertEqual(array.count, values.count, name)
            } else {
                XCTAssertEqual(try file.integerArray(name).scalars, values.map { Int($0) }, name)
            }
        }
        XCTAssertThrowsError(try file.array("i64", as: Float.self)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .wrongKind(tensor: "i64", dtype: "I64", wanted: "a floating-point type"))
        }
    }

    func testHalfPrecisionByHand() {
        XCTAssertEqual(SafeTensorsFile.halfToDouble(0x3C00), 1)
        XCTAssertEqual(SafeTensorsFile.halfToDouble(0xC000), -2)
        XCTAssertEqual(SafeTensorsFile.halfToDouble(0x7BFF), 65504)
        XCTAssertEqual(SafeTensorsFile.halfToDouble(0x0001), 0x1p-24)     // the smallest subnormal
        XCTAssertEqual(SafeTensorsFile.halfToDouble(0xFC00), -.infinity)
        XCTAssertTrue(SafeTensorsFile.halfToDouble(0x7E00).isNaN)
    }

    func testWriteThenReadRoundTrips() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("roundtrip-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let a = NDArray<Float>([[1.5, -2], [3, 4e-8]]), b = NDArray<Float>.arange(0, 5)
        try SafeTensorsFile.write([("a \"quoted\" name", a), ("b", b), ("scalar", NDArray<Float>(7))],
                                  metadata: ["format": "pt"], to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(file.names, ["a \"quoted\" name", "b", "scalar"])
        XCTAssertEqual(try file.array("a \"quoted\" name", as: Float.self), a)
        XCTAssertEqual(try file.array("b", as: Float.self), b)
        XCTAssertEqual(try file.array("scalar", as: Float.self).shape, [])
        XCTAssertEqual(file.metadata, ["format": "pt"])
        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }   // little-endian u64
        XCTAssertEqual((8 + headerLength) % 8, 0)                                 // the data starts aligned
        XCTAssertEqual(bytes[8 + headerLength - 1], UInt8(ascii: " "))            // padded with spaces
    }

    /// A file with one F32 tensor "x" of shape [2], built by hand so that each field can be broken.
    private func file(header: String, data: [UInt8] = [0, 0, 128, 63, 0, 0, 0, 64], length: UInt64? = nil) -> Data {
        var out = Data()
        withUnsafeBytes(of: (length ?? UInt64(header.utf8.count)).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(header.utf8))
        out.append(contentsOf: data)
        return out
    }

    private func assertThrows(_ data: Data, _ expected: SafeTensorsError, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensorsFile(data: data), line: line) { error in
            XCTAssertEqual(error as? SafeTensorsError, expected, line: line)
            XCTAssertFalse("\(error)".isEmpty, line: line)
        }
    }

    func testAValidHandMadeFile() throws {
        let data = file(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#)
        XCTAssertEqual(try SafeTensorsFile(data: data).array("x", as: Float.self), NDArray<Float>([1, 2]))
    }

    func testCorruptFilesThrowNamingTheProblem() {
        assertThrows(Data([1, 2, 3]), .truncatedLength(byteCount: 3))
        assertThrows(file(header: "{}", length: 1000), .headerOutOfBounds(headerLength: 1000, fileSize: 18))
        assertThrows(file(header: "[1, 2]  "), .invalidHeader(reason: "expected a JSON object, found a list of 2"))
        assertThrows(file(header: #"{"x":{"dtype":"F32","shape":[2]}}"#),
                     .invalidEntry(tensor: "x", field: "data_offsets", reason: "missing"))
        assertThrows(file(header: #"{"x":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}"#),
                     .unsupportedDtype(tensor: "x", dtype: "Q4"))
        assertThrows(file(header: #"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#),
                     .badOffsets(tensor: "x", begin: 0, end: 8, reason: "8 bytes, but shape [3] of F32 needs 12"))
        // Truncated: the header promises more data than the file holds.
        assertThrows(file(header: #"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#),
                     .badOffsets(tensor: "x", begin: 0, end: 16,
                                 reason: "past the end of the data (8 bytes): the file is truncated"))
        // Two tensors on the same bytes.
        assertThrows(file(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#),
                     .badLayout(reason: "tensor \"y\" starts at byte 4 of the data, but the tensors before it end at 8 (overlap)"))
        assertThrows(file(header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#),
                     .badLayout(reason: "the tensors cover 4 bytes of data, but the file has 8"))
        assertThrows(file(header: #"{"x":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#),
                     .invalidEntry(tensor: "x", field: "shape[0]",
                                   reason: "expected an integer in 0…9223372036854775807, found -2 (line 1, column 30)"))
    }

    func testHostileNumbersInTheHeaderThrow() {
        // A shape whose byte count overflows, offsets that are not whole numbers, a boolean for a size.
        assertThrows(file(header: #"{"x":{"dtype":"F32","shape":[2147483648,1073741824],"data_offsets":[0,8]}}"#),
                     .invalidEntry(tensor: "x", field: "shape", reason: "[2147483648, 1073741824] is too large"))
        assertThrows(file(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0.5,8]}}"#),
                     .invalidEntry(tensor: "x", field: "data_offsets[0]",
                                   reason: "expected an integer in 0…9223372036854775807, found 0.5 (line 1, column 49)"))
        assertThrows(file(header: #"{"x":{"dtype":"F32","shape":[true],"data_offsets":[0,8]}}"#),
                     .invalidEntry(tensor: "x", field: "shape[0]",
                                   reason: "expected an integer in 0…9223372036854775807, found true (line 1, column 30)"))
        assertThrows(file(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[-4,8]}}"#),
                     .invalidEntry(tensor: "x", field: "data_offsets[0]",
                                   reason: "expected an integer in 0…9223372036854775807, found -4 (line 1, column 49)"))
        assertThrows(file(header: #"{"x":{"dtype":"F32","shape":[9007199254740993],"data_offsets":[0,8]}}"#),
                     .badOffsets(tensor: "x", begin: 0, end: 8, reason: "8 bytes, but shape [9007199254740993] of F32 needs 36028797018963972"))
        assertThrows(file(header: #"{"x":{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,8]}}"#),
                     .invalidEntry(tensor: "x", field: "shape[0]", reason: "expected an integer in 0…9223372036854775807, "
                                   + "found 18446744073709551616 (line 1, column 30)"))
    }

    func testAnEmptyTensorMayShareAnOffset() throws {
        // "a" holds no bytes at offset 0, where "x" starts: a valid file (as the Rust reader allows).
        let data = file(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}"#)
        let parsed = try SafeTensorsFile(data: data)
        XCTAssertEqual(try parsed.array("a", as: Float.self).shape, [0])
        XCTAssertEqual(try parsed.array("x", as: Float.self), NDArray<Float>([1, 2]))
    }

    func testAMissingTensorIsNamed() throws {
        let data = file(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#)
        XCTAssertThrowsError(try SafeTensorsFile(data: data).array("wte.weight", as: Float.self)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .missingTensor(name: "wte.weight"))
        }
    }
}
