// NPYVerdictTests.swift — our .npy reader refuses what np.load refuses, and reads what it reads.
//
// scripts/make_loader_verdicts.py wrote Fixtures/verdicts/npy/: some fifty
// small, often broken files built byte by byte, and verdicts.json with what
// NumPy's np.load did with each (the array, or its error). Where NumPy reads a
// type this library does not hold (float16, uint8, complex), ours must refuse
// it by name; nowhere may ours read a file NumPy refuses.

import Foundation
import NDArray
import TestSupport
import XCTest

final class NPYVerdictTests: XCTestCase {
    struct Verdict: Decodable {
        let accepts: Bool
        let reason: String
        let what: String
        let dtype: String?
        let shape: [Int]?
        let values: [Value]?
    }

    /// A value as verdicts.json writes it: a number, a boolean, or [re, im] for a complex number.
    enum Value: Decodable, Equatable {
        case number(Double), bool(Bool), pair([Double])
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                self = .bool(flag)
            } else if let pair = try? container.decode([Double].self) {
                self = .pair(pair)
            } else {
                self = .number(try container.decode(Double.self))
            }
        }
    }

    func testEveryFileIsReadOrRefusedAsNumPyDoes() throws {
        let folder = FixtureFolder(bundle: .module, "verdicts/npy")
        let object = try JSONSerialization.jsonObject(with: folder.bytes("verdicts.json")) as! [String: Any]
        var checked = 0
        for name in object.keys.sorted() where name.hasSuffix(".npy") {
            let verdict = try JSONDecoder().decode(Verdict.self, from: JSONSerialization.data(withJSONObject: object[name]!))
            let label = "\(name) (\(verdict.what))"
            let result = Result { () throws(NPYError) in try AnyNDArray(npyData: folder.bytes(name)) }
            checked += 1
            switch (verdict.accepts, result) {
            case (false, .success(let array)):
                XCTFail("\(label): NumPy refuses it (\(verdict.reason)), ours read an array of shape \(array.shape)")
            case (false, .failure):
                continue
            case (true, .failure(let error)):
                // A type we do not hold may be refused, by name; nothing else.
                guard case .unsupportedType = error, let dtype = verdict.dtype,
                      ["u1", "f2", "c8"].contains(String(dtype.dropFirst())) else {
                    XCTFail("\(label): NumPy reads it, ours throws: \(error)")
                    continue
                }
            case (true, .success(let array)):
                XCTAssertEqual(array.shape, verdict.shape, label)
                let values: [Value]
                switch array {
                case .float32(let a): values = a.scalars.map { .number(Double($0)) }
                case .float64(let a): values = a.scalars.map { .number($0) }
                case .int32(let a): values = a.scalars.map { .number(Double($0)) }
                case .int64(let a): values = a.scalars.map { .number(Double($0)) }
                case .bool(let a): values = a.scalars.map { .bool($0) }
                }
                if let expected = verdict.values { XCTAssertEqual(values, expected, label) }
            }
        }
        XCTAssertGreaterThan(checked, 40)
    }
}
