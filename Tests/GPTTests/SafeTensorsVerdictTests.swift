// SafeTensorsVerdictTests.swift — our safetensors reader agrees with the safetensors library.
//
// scripts/make_loader_verdicts.py wrote Fixtures/verdicts/safetensors/: some
// seventy small files, many broken on purpose, and verdicts.json with what
// safetensors.numpy.load did with each (0.8.0; torch's verdict where NumPy has
// no such dtype). Ours must refuse every file the library refuses and open every
// file it opens, reading each tensor whose type it holds. One difference is kept
// on purpose (docs/GPT.md): a tensor name given twice in the header is refused,
// where the library keeps the last entry, and so are two names that differ only
// in Unicode normalization (Swift's strings compare them equal).

import Foundation
import GPT
import NDArray
import TestSupport
import XCTest

final class SafeTensorsVerdictTests: XCTestCase {
    /// Files the library opens that ours refuses on purpose.
    static let refusedOnPurpose: Set<String> = ["dup_key_identical.safetensors", "dup_key_different.safetensors",
                                                 "names_equivalent.safetensors"]

    func testEveryFileIsOpenedOrRefusedAsTheSafetensorsLibraryDoes() throws {
        let folder = FixtureFolder(bundle: .module).url.appendingPathComponent("verdicts/safetensors")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("verdicts.json")))
            as! [String: Any]
        var checked = 0
        for name in object.keys.sorted() where name.hasSuffix(".safetensors") {
            let verdict = object[name] as! [String: Any]
            let accepts = (verdict["accepts"] as! Bool) || (verdict["torch_accepts"] as? Bool ?? false)
            let label = "\(name) (\(verdict["what"] as! String))"
            checked += 1
            let file: SafeTensorsFile
            do {
                file = try SafeTensorsFile(contentsOf: folder.appendingPathComponent(name))
            } catch {
                if accepts && !Self.refusedOnPurpose.contains(name) {
                    XCTFail("\(label): the library opens it, ours throws: \(error)")
                }
                continue
            }
            guard accepts, !Self.refusedOnPurpose.contains(name) else {
                XCTFail("\(label): the library refuses it (\(verdict["reason"] as! String)), ours opened it")
                continue
            }
            let tensors = (verdict["tensors"] ?? verdict["torch_tensors"]) as? [String: [String: Any]] ?? [:]
            XCTAssertEqual(Set(file.tensors.keys), Set(tensors.keys), label)
            for (tensor, info) in tensors {
                XCTAssertEqual(file.tensors[tensor]?.shape, info["shape"] as? [Int], "\(label) \(tensor)")
                XCTAssertEqual(file.tensors[tensor]?.dtype.rawValue, info["dtype"] as? String, "\(label) \(tensor)")
                guard let values = info["values"] as? [Any], let dtype = file.tensors[tensor]?.dtype else { continue }
                if dtype.isFloatingPoint {
                    let array: NDArray<Double> = try file.array(tensor)
                    XCTAssertEqual(array.scalars, values.map { ($0 as! NSNumber).doubleValue }, "\(label) \(tensor)")
                } else if dtype.isInteger {
                    let exact = values.map { value in (value as? Bool).map { $0 ? 1 : 0 } ?? Int("\(value)") }
                    if exact.contains(nil) {                           // a U64 beyond Int.max: refused by name
                        XCTAssertThrowsError(try file.integerArray(tensor), "\(label) \(tensor)")
                    } else {
                        XCTAssertEqual(try file.integerArray(tensor).scalars, exact.map { $0! }, "\(label) \(tensor)")
                    }
                }
            }
            if let metadata = verdict["metadata"] as? [String: String] { XCTAssertEqual(file.metadata, metadata, label) }
        }
        XCTAssertGreaterThan(checked, 60)
    }
}
