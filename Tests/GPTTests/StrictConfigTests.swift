// StrictConfigTests.swift — every JSON file is read strictly, and every error says where and what.
//
// The cases are the ones a broken download or a hand edit produces: a field of
// the wrong JSON type, a null, an integer of 2⁵³ or more, a key given twice, a
// byte-order mark, a comma too many. Foundation's JSONSerialization and
// JSONDecoder let several of these load a different model without a word
// (layer_norm_epsilon "0.5" loaded as 1e-5); here each one throws, naming the
// file, the field, what was expected, what was found, and the line and column.

import Foundation
@testable import GPT
import NDArray
import XCTest

final class StrictJSONTests: XCTestCase {
    func syntaxError(_ text: String) -> JSONSyntaxError? {
        do {
            _ = try JSONDocument(parsing: Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    func testSyntaxErrorsNameTheLineTheColumnAndWhatWasExpected() {
        let cases: [(String, Int, Int, String)] = [
            ("{\"a\": 1,\n \"b\": 2,\n}", 3, 1, "a trailing comma before '}'"),
            ("[1, 2,]", 1, 7, "a trailing comma before ']'"),
            ("{\"a\": 1, \"a\": 2}", 1, 10, "the key \"a\" is given twice in one object (first at line 1, column 2)"),
            ("\u{FEFF}{}", 1, 1, "the file starts with a byte-order mark"),
            ("{'a': 1}", 1, 2, "expected a key in double quotes, found '''"),
            ("{\"a\": NaN}", 1, 7, "NaN and Infinity are not JSON numbers"),
            ("{\"a\": 1e999}", 1, 7, "the number 1e999 is beyond the range of a Double"),
            ("{\"a\": 012}", 1, 7, "a number cannot start with 0 followed by digits"),
            ("{\"a\": 1.}", 1, 9, "expected a digit after the decimal point, found '}'"),
            ("{\"a\": \"x\ty\"}", 1, 9, "a control character (0x9) inside a string must be escaped"),
            ("[\"\\uD800\"]", 1, 3, "a lone surrogate \\uD800"),
            ("{\"é\": tru}", 1, 7, "expected a value, found 't' (not true, false or null)"),
            ("{\"a\": 1} x", 1, 10, "expected the end of the document after the value, found 'x'"),
            ("{\"a\": [1, 2}", 1, 12, "expected ',' or ']' after item 1 of the list, found '}'"),
            ("", 1, 1, "expected a value, found the end of the file"),
            (String(repeating: "[", count: 128) + String(repeating: "]", count: 128), 1, 128, "nested more than 127 deep"),
            ("{\"\u{E9}\": 1, \"\u{E9}\": 2}", 1, 10, "the key \"\u{E9}\" is given twice"),
        ]
        for (text, line, column, problem) in cases {
            guard let error = syntaxError(text) else { XCTFail("\(text.debugDescription) parsed"); continue }
            XCTAssertEqual(error.line, line, text.debugDescription)
            XCTAssertEqual(error.column, column, text.debugDescription)
            XCTAssertTrue(error.problem.contains(problem), "\(text.debugDescription): \(error.problem)")
        }
        // What RFC 8259 allows parses: escapes, surrogate pairs, exponents, 127 levels of nesting.
        for text in ["{\"a\\u00e9\\/\\n\": [-0.5e-3, 0, 1E+2, true, false, null, \"\\uD83D\\uDE00\"]}",
                     String(repeating: "[", count: 127) + String(repeating: "]", count: 127), " 7 ",
                     "{\"\u{E9}\": 1, \"e\u{301}\": 2}"] {                   // two keys to JSON: their bytes differ
            XCTAssertNil(syntaxError(text), text)
        }
        let document = try! JSONDocument(parsing: Array("{\"big\": 9007199254740993, \"two\": 2.0}".utf8))
        XCTAssertEqual(document.root["big"]?.integer, 9_007_199_254_740_993)     // exact beyond 2⁵³
        XCTAssertNil(document.root["two"]?.integer)                              // 2.0 is not an integer
    }

    func testOurConfigRefusesWrongTypesNullsAndUnknownFieldsByName() throws {
        let config = GPTConfig(vocabSize: 23, maxSeqLen: 16, numLayers: 2, numHeads: 4, hiddenDim: 32)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let good = String(decoding: try encoder.encode(config), as: UTF8.self)
        XCTAssertEqual(try JSONDocument(parsing: Array(good.utf8)).decode(GPTConfig.self), config)
        func problem(_ replace: String, _ with: String) -> String {
            let text = good.replacingOccurrences(of: replace, with: with)
            XCTAssertNotEqual(text, good, replace)
            do {
                _ = try JSONDocument(parsing: Array(text.utf8)).decode(GPTConfig.self)
                return "loaded"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(problem("\"vocabSize\":23", "\"vocabSize\":\"23\""),
                       "\"vocabSize\": expected an integer in -9223372036854775808…9223372036854775807, found \"23\" (a string) (line 1, column 269)")
        XCTAssertTrue(problem("\"vocabSize\":23", "\"vocabSize\":23.0").contains("expected an integer"))
        XCTAssertTrue(problem("\"vocabSize\":23", "\"vocabSize\":9223372036854775808").contains("found 9223372036854775808"))
        XCTAssertTrue(problem("\"layerNormEps\":1e-05", "\"layerNormEps\":null").hasPrefix("\"layerNormEps\": null is not allowed here"))
        XCTAssertTrue(problem("\"layerNormEps\":1e-05", "\"layerNormEps\":\"0.5\"").hasPrefix("\"layerNormEps\": expected a number, found \"0.5\""))
        XCTAssertTrue(problem("\"tieWeights\":true", "\"tieWeights\":1").hasPrefix("\"tieWeights\": expected true or false, found 1"))
        XCTAssertTrue(problem("\"vocabSize\":23", "\"vocabSize\":23,\"vocab_size\":23").hasPrefix("\"vocab_size\": not a field of this file"))
        XCTAssertTrue(problem(",\"vocabSize\":23", "").hasPrefix("\"vocabSize\": missing"))
        XCTAssertTrue(problem("\"activation\":\"geluTanh\"", "\"activation\":3").hasPrefix("\"activation\": expected a string, found 3"))
    }

    func testASavedGeneratorOfTheWrongTypeNamesItsField() {
        let text = #"{"s0": 1, "s1": 2, "s2": -3, "s3": 4}"#
        XCTAssertThrowsError(try JSONDocument(parsing: Array(text.utf8)).decode(SeededGenerator.self)) { error in
            XCTAssertEqual("\(error)", "\"s2\": expected an integer in 0…18446744073709551615, found -3 (line 1, column 26)")
        }
        let zeros = #"{"s0": 0, "s1": 0, "s2": 0, "s3": 0}"#
        XCTAssertThrowsError(try JSONDocument(parsing: Array(zeros.utf8)).decode(SeededGenerator.self)) { error in
            XCTAssertTrue("\(error)".contains("cannot generate"), "\(error)")
        }
    }
}

final class StrictHuggingFaceConfigTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("strict-config-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: fixtureURL("gpt2_tiny/\(name)"), to: folder.appendingPathComponent(name))
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// The fixture's config.json with `field` set to `value` (raw JSON), or removed when nil.
    func load(_ field: String, _ value: String?) throws -> Result<GPTModel<Float>, any Error> {
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL("gpt2_tiny/config.json"))) as! [String: Any]
        var fields = original.mapValues { String(decoding: try! JSONSerialization.data(withJSONObject: $0, options: .fragmentsAllowed), as: UTF8.self) }
        fields[field] = value
        let text = "{\n" + fields.sorted { $0.key < $1.key }.map { "  \"\($0.key)\": \($0.value)" }.joined(separator: ",\n") + "\n}"
        try Data(text.utf8).write(to: folder.appendingPathComponent("config.json"))
        return Result { try GPTModel<Float>.load(from: folder) }
    }

    func testEveryWrongTypeOrValueIsRefusedNamingTheFieldAndWhatWasFound() throws {
        let cases: [(String, String, String)] = [
            ("layer_norm_epsilon", "\"0.5\"", "expected a number > 0, found \"0.5\" (a string)"),
            ("layer_norm_epsilon", "null", "expected a number > 0, found null"),
            ("layer_norm_epsilon", "true", "expected a number > 0, found true"),
            ("layer_norm_epsilon", "-1e-5", "expected a number > 0, found -1e-5"),
            ("activation_function", "3", "expected a string, found 3"),
            ("activation_function", "null", "expected a string, found null"),
            ("activation_function", "\"tanh\"", "expected one of gelu_new, gelu_pytorch_tanh, gelu_fast, gelu, relu, silu, swish, found \"tanh\""),
            ("n_inner", "\"100\"", "expected an integer ≥ 1, found \"100\" (a string)"),
            ("n_inner", "9223372036854775807", "its arrays would hold more numbers than an Int can count"),
            ("n_embd", "32.0", "expected an integer ≥ 1, found 32.0"),
            ("n_layer", "2147483648", "this machine has"),
            ("n_layer", "9007199254740993", "more numbers than an Int can count"),
            ("n_layer", "18446744073709551616", "expected an integer ≥ 1, found 18446744073709551616"),
            ("vocab_size", "-5", "expected an integer ≥ 1, found -5"),
            ("scale_attn_weights", "\"false\"", "expected true or false, found \"false\" (a string)"),
            ("scale_attn_weights", "false", "false is not supported (only true)"),
            ("scale_attn_by_inverse_layer_idx", "3", "expected true or false, found 3"),
            ("scale_attn_by_inverse_layer_idx", "true", "true is not supported (only false)"),
            ("tie_word_embeddings", "\"yes\"", "expected true or false, found \"yes\""),
            ("n_head", nil, "missing"),
        ].map { ($0.0, $0.1 ?? "", $0.2) }
        for (field, value, expected) in cases {
            let result = try load(field, value.isEmpty ? nil : value)
            guard case .failure(let error) = result else { XCTFail("\(field) = \(value) loaded"); continue }
            guard case .invalidConfig(let path, let named, let reason)? = error as? CheckpointError else {
                XCTFail("\(field) = \(value): \(error)"); continue
            }
            XCTAssertEqual(path, folder.appendingPathComponent("config.json").path)
            XCTAssertTrue(named == field || named == "(config)", "\(field) = \(value): the error names \(named)")
            XCTAssertTrue(reason.contains(expected), "\(field) = \(value): \(reason)")
        }
        // What transformers writes and accepts still loads: n_inner null means 4C; a missing ε is 1e-5.
        XCTAssertNoThrow(try load("n_inner", "null").get())
        XCTAssertNoThrow(try load("layer_norm_epsilon", nil).get())
    }

    func testAConfigThatAsksForMoreThanItsWeightsHoldIsRefusedBeforeAllocating() throws {
        // 2²⁶ tokens fit in memory, but not in this 20 KB file: refused with both figures, nothing allocated.
        guard case .failure(let error) = try load("vocab_size", "67108864") else { return XCTFail("loaded") }
        XCTAssertTrue("\(error)".contains("the config describes a model of 2147"), "\(error)")
        XCTAssertTrue("\(error)".contains("bytes of weights: the config does not belong to these weights"), "\(error)")
        // A size that the tensors contradict names the tensor before the model is built.
        guard case .failure(let other) = try load("n_positions", "1000") else { return XCTFail("loaded") }
        guard case .shapeMismatch(let tensor, let expected, _)? = other as? CheckpointError else { return XCTFail("\(other)") }
        XCTAssertEqual(tensor, "transformer.wpe.weight")
        XCTAssertEqual(expected, [1000, 32])
    }

    func testSyntaxErrorsInConfigJSONGiveTheLineAndColumn() throws {
        try Data("{\n  \"model_type\": \"gpt2\",\n  \"n_embd\": 32,,\n}".utf8).write(to: folder.appendingPathComponent("config.json"))
        XCTAssertThrowsError(try GPTModel<Float>.load(from: folder)) { error in
            XCTAssertEqual("\(error)", "checkpoint: \(folder.appendingPathComponent("config.json").path): \"(file)\": not valid JSON: "
                           + "line 3, column 16: expected a key in double quotes, found ','")
        }
    }
}
