// TokenizerTests.swift — turning text into token ids and back.
//
// After reading this file you should know that a character tokenizer gives one
// id per unicode scalar and refuses (or maps to an unknown token) what it has
// not seen; that GPT-2's tokenizer cuts text into words, spells each word's
// bytes with 256 printable characters and merges them by rank; that every text
// survives encode → decode, while a lone byte of a longer character decodes to
// "�"; that training counts pairs and merges the most frequent, ties going to
// the smaller ids; and that bad files fail with the file, the line and the
// reason. The byte-level cases are checked against Hugging Face `tokenizers`
// 0.23.3: Fixtures/tokenizer/ is written by scripts/make_tokenizer_fixtures.py.
//
// Rebuild it yourself: Exercises/Sources/24-bpe (docs/Exercises.md).

import Foundation
@testable import GPT
import XCTest

// MARK: - Fixtures and helpers

/// A file of Fixtures/tokenizer/.
private func tokenizerFixture(_ name: String) -> URL {
    Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        .appendingPathComponent("tokenizer").appendingPathComponent(name)
}

/// samples.json: what Hugging Face's tokenizer (trained on train.txt, 400 tokens) made of each text.
private struct HFSamples: Decodable {
    struct Sample: Decodable {
        let text: String
        let ids: [Int]
        let tokens: [String]
        let decoded: String
    }
    struct PreTokenized: Decodable {
        let text: String
        let pieces: [String]
    }
    struct InvalidUTF8: Decodable {
        let bytes: [UInt8]
        let ids: [Int]
        let decoded: String
    }
    let samples: [Sample]
    let preTokenized: [PreTokenized]
    let invalidUTF8: [InvalidUTF8]

    enum CodingKeys: String, CodingKey {
        case samples
        case preTokenized = "pre_tokenized"
        case invalidUTF8 = "invalid_utf8"
    }

    /// JSONDecoder, not JSONSerialization: the latter drops U+FEFF inside strings on Linux.
    static let shared: HFSamples = {
        do {
            return try JSONDecoder().decode(HFSamples.self, from: Data(contentsOf: tokenizerFixture("samples.json")))
        } catch {
            fatalError("Fixtures/tokenizer/samples.json: \(error)")
        }
    }()
}

/// Hugging Face's trained tokenizer, loaded from vocab.json and merges.txt.
private func huggingFaceTokenizer() throws -> BPETokenizer {
    try BPETokenizer(directory: tokenizerFixture(""))
}

/// The text of a fixture file.
private func fixtureText(_ name: String) throws -> String {
    try String(contentsOf: tokenizerFixture(name), encoding: .utf8)
}

/// The TokenizerError `body` throws, or nil (any other error fails the test).
private func thrownError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> TokenizerError? {
    do {
        try body()
        return nil
    } catch let error as TokenizerError {
        return error
    } catch {
        XCTFail("expected a TokenizerError, got \(error)", file: file, line: line)
        return nil
    }
}

/// Asserts that `error` is `.malformedFile` for `file` at `line`, its problem containing `problem`.
private func assertMalformed(_ error: TokenizerError?, file url: URL, line: Int?, problem: String,
                             file: StaticString = #filePath, line testLine: UInt = #line) {
    guard case let .malformedFile(path, errorLine, message)? = error else {
        XCTFail("expected .malformedFile, got \(String(describing: error))", file: file, line: testLine)
        return
    }
    XCTAssertEqual(path, url.path, file: file, line: testLine)
    XCTAssertEqual(errorLine, line, "line", file: file, line: testLine)
    XCTAssertTrue(message.contains(problem), "\"\(message)\" does not say \"\(problem)\"", file: file, line: testLine)
}

/// A fresh directory, removed after the test.
private func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("TokenizerTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Texts that are hard to get back exactly.
private let hardTexts: [String] = [
    "", " ", "  ", "\n", "\n\n\n", "\r\n", "\t", "\t\t x", "   leading", "trailing   ", "a  b   c    d",
    "naïve café, déjà vu, crème brûlée", "e\u{301}", "日本語のテキスト", "中文 한국어 Русский Ελληνικά",
    "👩‍👩‍👧 family, 👨‍💻, 👋🏽, 🇫🇷🇯🇵", "emoji at the end 🚀", "\u{0}\u{1}\u{7F}\u{85}\u{A0}\u{2028}\u{3000}\u{FEFF}",
    "don't I'll we're DON'T 's", "12345 3.14159 1,000,000", "<|endoftext|>", "a<|endoftext|>b<|endoftext|",
    "\u{10FFFF}\u{E000}\u{FFFD}", "def f(x):\n\treturn x  # two spaces\n",
]

/// A small deterministic generator for random texts (no Foundation randomness, same on every run).
private struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A random unicode scalar: mostly ASCII, often Latin/CJK/emoji, sometimes anything.
    mutating func scalar() -> Unicode.Scalar {
        let ranges: [ClosedRange<UInt32>] = [0x00...0x7F, 0x20...0x7E, 0x80...0x24F, 0x3040...0x30FF,
                                              0x4E00...0x9FFF, 0x1F300...0x1FAFF, 0x2000...0x206F, 0x0...0x10FFFF]
        while true {
            let range = ranges[Int(next() % UInt64(ranges.count))]
            let value = range.lowerBound + UInt32(next() % UInt64(range.count))
            if let scalar = Unicode.Scalar(value) { return scalar }        // skips the surrogates
        }
    }
}

// MARK: - CharTokenizer

final class CharTokenizerTests: XCTestCase {
    func testVocabularyIsTheSortedUniqueCharactersOfTheText() throws {
        let tokenizer = CharTokenizer(text: "hello world")
        XCTAssertEqual(tokenizer.characters, [" ", "d", "e", "h", "l", "o", "r", "w"])   // nanoGPT: sorted(set(text))
        XCTAssertEqual(tokenizer.vocabSize, 8)
        XCTAssertEqual(try tokenizer.encode("hold"), [3, 5, 4, 1])
        XCTAssertEqual(try tokenizer.decode([3, 5, 4, 1]), "hold")
        XCTAssertEqual(try tokenizer.encode(""), [])
    }

    func testCharactersAreUnicodeScalarsNotGraphemes() throws {
        // "é" written as e + U+0301, "\r\n", and a ZWJ family are one Character each, but 2, 2 and 5 scalars.
        let text = "e\u{301}\r\n👩\u{200D}👩\u{200D}👧"
        let tokenizer = CharTokenizer(text: text)
        XCTAssertEqual(tokenizer.characters, ["\n", "\r", "e", "\u{301}", "\u{200D}", "\u{1F467}", "\u{1F469}"])
        XCTAssertEqual(try tokenizer.encode(text), [2, 3, 1, 0, 6, 4, 6, 4, 5])
        assertSameScalars(try tokenizer.decode(tokenizer.encode(text)), text)
    }

    func testUnknownCharacterErrorNamesTheCharacterAndWhereItIs() {
        let tokenizer = CharTokenizer(text: "abc")
        let error = thrownError { _ = try tokenizer.encode("abéc") }
        XCTAssertEqual(error, .unknownCharacter("é", offset: 2))
        let message = error?.description ?? ""
        XCTAssertTrue(message.contains("\"é\" (U+00E9)"), message)
        XCTAssertTrue(message.contains("offset 2"), message)
        XCTAssertEqual(thrownError { _ = try tokenizer.encode("ab\nc") }, .unknownCharacter("\n", offset: 2))
    }

    func testUnknownTokenStandsInForUnseenCharacters() throws {
        let tokenizer = CharTokenizer(text: "abc", unknownToken: "?")
        XCTAssertEqual(tokenizer.characters, ["?", "a", "b", "c"])                       // "?" is U+003F < "a"
        XCTAssertEqual(tokenizer.unknownTokenID, 0)
        XCTAssertEqual(try tokenizer.encode("abzc!"), [1, 2, 0, 3, 0])
        XCTAssertEqual(try tokenizer.decode([1, 2, 0, 3, 0]), "ab?c?")
        let replacement = CharTokenizer(text: "abc", unknownToken: "\u{FFFD}")
        XCTAssertEqual(try replacement.decode(replacement.encode("a日c")), "a\u{FFFD}c")
    }

    func testEveryTextOfItsCharactersRoundTrips() throws {
        let text = hardTexts.joined(separator: "|")
        let tokenizer = CharTokenizer(text: text)
        for sample in hardTexts {
            let ids = try tokenizer.encode(sample)
            XCTAssertEqual(ids.count, sample.unicodeScalars.count)
            assertSameScalars(try tokenizer.decode(ids), sample)
        }
    }

    func testDecodeRejectsAnIdOutsideTheVocabulary() {
        let tokenizer = CharTokenizer(text: "hello world")
        XCTAssertEqual(thrownError { _ = try tokenizer.decode([3, 8]) }, .unknownID(8, vocabularySize: 8))
        XCTAssertEqual(thrownError { _ = try tokenizer.decode([-1]) }, .unknownID(-1, vocabularySize: 8))
        XCTAssertTrue(TokenizerError.unknownID(8, vocabularySize: 8).description.contains("0..<8"))
    }

    func testExplicitListKeepsItsOrderAndRejectsDuplicates() throws {
        let tokenizer = try CharTokenizer(characters: ["z", "a", "\n"])
        XCTAssertEqual(try tokenizer.encode("a\nz"), [1, 2, 0])
        guard case .invalidArgument(let message)? = thrownError({ _ = try CharTokenizer(characters: ["a", "b", "a"]) })
        else { return XCTFail("a duplicate character must throw invalidArgument") }
        XCTAssertTrue(message.contains("ids 0 and 2"), message)
        guard case .invalidArgument? = thrownError({ _ = try CharTokenizer(characters: ["a"], unknownToken: "?") })
        else { return XCTFail("an unknown token outside the list must throw invalidArgument") }
    }

    func testSaveThenLoadGivesTheSameTokenizer() throws {
        let folder = try temporaryDirectory(self)
        let url = folder.appendingPathComponent("chars.json")
        let tokenizer = CharTokenizer(text: "To be, or not to be:\n\t\"that\" is the question. 日本 👋🏽", unknownToken: "\u{FFFD}")
        try tokenizer.write(to: url)
        let loaded = try CharTokenizer(contentsOf: url)
        XCTAssertEqual(loaded, tokenizer)
        XCTAssertEqual(loaded.unknownToken, "\u{FFFD}")
        XCTAssertEqual(try loaded.encode("not 日本!"), try tokenizer.encode("not 日本!"))
        // Written again over the first file (atomically): nothing else is left in the folder.
        try CharTokenizer(text: "abc").write(to: url)
        XCTAssertEqual(try CharTokenizer(contentsOf: url).characters, ["a", "b", "c"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["chars.json"])
        let json = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(json.contains("\"characters\""), json)
        XCTAssertFalse(json.contains("unknownToken"), json)
    }

    func testMalformedFilesThrowWithTheFileAndTheProblem() throws {
        let folder = try temporaryDirectory(self)
        let url = folder.appendingPathComponent("chars.json")
        func load(_ json: String) throws -> TokenizerError? {
            try Data(json.utf8).write(to: url)
            return thrownError { _ = try CharTokenizer(contentsOf: url) }
        }
        assertMalformed(try load("not json"), file: url, line: 1, problem: "not valid JSON: column 1")
        assertMalformed(try load(#"{"characters": ["a", "bc"]}"#), file: url, line: nil, problem: "entry 1")
        assertMalformed(try load(#"{"characters": ["a", "b", "a"]}"#), file: url, line: nil, problem: "appears twice")
        assertMalformed(try load(#"{"characters": ["a"], "unknownToken": "?"}"#), file: url, line: nil,
                        problem: "unknown token")
        assertMalformed(try load(#"{"letters": ["a"]}"#), file: url, line: nil, problem: "\"letters\": not a field of this file")
        assertMalformed(try load(#"{}"#), file: url, line: nil, problem: "\"characters\": missing")
        assertMalformed(try load(#"{"characters": ["a"], "unknownToken": null}"#), file: url, line: nil,
                        problem: "\"unknownToken\": null is not allowed here")
        let missing = folder.appendingPathComponent("missing.json")
        guard case .fileAccess(let path, _)? = thrownError({ _ = try CharTokenizer(contentsOf: missing) }) else {
            return XCTFail("a missing file must throw fileAccess")
        }
        XCTAssertEqual(path, missing.path)
    }
}

// MARK: - ByteLevel

final class ByteLevelTests: XCTestCase {
    func testByteTableIsGPT2s() {
        let table = ByteLevel.characters
        XCTAssertEqual(table.count, 256)
        XCTAssertEqual(Set(table).count, 256)
        XCTAssertEqual(table[0x21], "!")                  // printable bytes stand for themselves
        XCTAssertEqual(table[0x7E], "~")
        XCTAssertEqual(table[0xE9], "é")
        XCTAssertEqual(table[0x00], "\u{100}")             // the others: U+0100 onwards, in byte order
        XCTAssertEqual(table[0x0A], "\u{10A}")             // "Ċ", newline
        XCTAssertEqual(table[0x20], "\u{120}")             // "Ġ", space
        XCTAssertEqual(table[0x7F], "\u{121}")
        XCTAssertEqual(table[0xA0], "\u{142}")
        XCTAssertEqual(table[0xAD], "\u{143}")             // the soft hyphen, the last one
        for byte in 0...255 { XCTAssertEqual(ByteLevel.byte(of: table[byte]), UInt8(byte)) }
        XCTAssertNil(ByteLevel.byte(of: " "))
        XCTAssertNil(ByteLevel.byte(of: "\u{144}"))
        XCTAssertEqual(ByteLevel.alphabet.first, "!")
        XCTAssertEqual(ByteLevel.alphabet.last, "\u{143}")
        XCTAssertEqual(ByteLevel.encode(Array(" café\n".utf8)), "ĠcafÃ©Ċ")
        XCTAssertEqual(ByteLevel.decode("ĠcafÃ©Ċ"), Array(" café\n".utf8))
        XCTAssertNil(ByteLevel.decode("a b"))
    }

    func testPreTokenizerFollowsGPT2sPattern() {
        XCTAssertEqual(ByteLevel.preTokenize("I'll  go!\n"), ["I", "'ll", " ", " go", "!", "\n"])
        XCTAssertEqual(ByteLevel.preTokenize("Hello there       dear"), ["Hello", " there", "      ", " dear"])
        XCTAssertEqual(ByteLevel.preTokenize("DON'T don't"), ["DON", "'", "T", " don", "'t"])
        XCTAssertEqual(ByteLevel.preTokenize("a\t\tb  "), ["a", "\t", "\t", "b", "  "])
        XCTAssertEqual(ByteLevel.preTokenize("3.14 x2 ?!'s"), ["3", ".", "14", " x", "2", " ?!'", "s"])
        XCTAssertEqual(ByteLevel.preTokenize("e\u{301}t\u{A0}x"), ["e", "\u{301}", "t", "\u{A0}", "x"])
        XCTAssertEqual(ByteLevel.preTokenize(""), [])
    }

    func testPreTokenizerMatchesHuggingFace() {
        let cases = HFSamples.shared.preTokenized
        XCTAssertGreaterThan(cases.count, 150)
        for hf in cases {
            let ours = ByteLevel.preTokenize(hf.text).map { ByteLevel.encode(Array($0.utf8)) }
            XCTAssertEqual(ours, hf.pieces, "pre-tokenizing \(hf.text.debugDescription)")
            XCTAssertEqual(ByteLevel.preTokenize(hf.text).joined(), hf.text)
        }
    }
}

// MARK: - BPETokenizer

final class BPETokenizerTests: XCTestCase {
    func testEncodeMatchesHuggingFace() throws {
        let tokenizer = try huggingFaceTokenizer()
        XCTAssertEqual(tokenizer.vocabSize, 400)
        XCTAssertEqual(tokenizer.merges.count, 143)
        for hf in HFSamples.shared.samples {
            let ids = tokenizer.encode(hf.text)
            XCTAssertEqual(ids, hf.ids, "encoding \(hf.text.debugDescription)")
            XCTAssertEqual(ids.map { tokenizer.token(for: $0) ?? "?" }, hf.tokens, "tokens of \(hf.text.debugDescription)")
        }
    }

    func testDecodeMatchesHuggingFace() throws {
        let tokenizer = try huggingFaceTokenizer()
        for hf in HFSamples.shared.samples {
            assertSameScalars(try tokenizer.decode(hf.ids), hf.decoded, "decoding \(hf.ids)")
            assertSameScalars(hf.decoded, hf.text)
        }
    }

    func testHandPickedIDs() throws {
        let tokenizer = try huggingFaceTokenizer()
        // vocab.json: "<|endoftext|>" 0, "!" 1 … "a" 65 …, "Ġt" 257 (merges.txt line 2), "Ġthe" 264 (line 9).
        XCTAssertEqual(tokenizer.encode(" the"), [264])
        XCTAssertEqual(tokenizer.encode("a"), [65])
        XCTAssertEqual(tokenizer.encode("<|endoftext|>"), [0])
        XCTAssertEqual(tokenizer.encode(" t"), [257])
        XCTAssertEqual(tokenizer.encode("\n"), [tokenizer.id(for: "Ċ")!])
    }

    func testSpecialTokensAreCutOutBeforeAnythingElse() throws {
        let tokenizer = try huggingFaceTokenizer()
        let text = "Hello<|endoftext|>World"
        let ids = tokenizer.encode(text)
        XCTAssertEqual(ids.filter { $0 == 0 }.count, 1)
        XCTAssertEqual(Array(ids.split(separator: 0)[0]), tokenizer.encode("Hello"))   // each side encoded on its own
        XCTAssertEqual(Array(ids.split(separator: 0)[1]), tokenizer.encode("World"))
        XCTAssertEqual(try tokenizer.decode(ids), text)
        XCTAssertEqual(try tokenizer.decode(ids, skippingSpecialTokens: true), "HelloWorld")
        // As text, the same characters are ordinary tokens ("<", "|", "end", …) and still decode to themselves.
        let asText = tokenizer.encode(text, splittingSpecialTokens: false)
        XCTAssertFalse(asText.contains(0))
        XCTAssertEqual(try tokenizer.decode(asText), text)
    }

    func testHardUTF8RoundTripsExactly() throws {
        let tokenizer = try huggingFaceTokenizer()
        var random = SplitMix64(state: 42)
        var texts = hardTexts + HFSamples.shared.samples.map(\.text) + [try fixtureText("train.txt")]
        for _ in 0..<200 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<(1 + Int(random.next() % 40)) { scalars.append(random.scalar()) }
            texts.append(String(scalars))
        }
        for text in texts {
            assertSameScalars(try tokenizer.decode(tokenizer.encode(text)), text, "round trip of \(text.debugDescription)")
        }
    }

    func testBytesThatAreNotUTF8DecodeToReplacementCharacters() throws {
        let tokenizer = try huggingFaceTokenizer()
        // "日" is E6 97 A5; the token of the byte E6 alone is "æ" (U+00E6 stands for itself).
        let e6 = try XCTUnwrap(tokenizer.id(for: "æ"))
        XCTAssertEqual(e6, 163)
        XCTAssertEqual(try tokenizer.decode([e6]), "\u{FFFD}")
        XCTAssertEqual(try tokenizer.bytes(of: [e6]), [0xE6])
        XCTAssertEqual(try tokenizer.decode([e6, tokenizer.id(for: "A")!]), "\u{FFFD}A")
        for hf in HFSamples.shared.invalidUTF8 {
            XCTAssertEqual(try tokenizer.bytes(of: hf.ids), hf.bytes)
            assertSameScalars(try tokenizer.decode(hf.ids), hf.decoded, "decoding the bytes \(hf.bytes)")
        }
    }

    func testDecodeRejectsUnknownIDs() throws {
        let tokenizer = try huggingFaceTokenizer()
        XCTAssertEqual(thrownError { _ = try tokenizer.decode([40, 400]) }, .unknownID(400, vocabularySize: 400))
        XCTAssertEqual(thrownError { _ = try tokenizer.decode([-1]) }, .unknownID(-1, vocabularySize: 400))
    }

    func testFastMergeAgreesWithItsPlainTwin() throws {
        let tokenizer = try huggingFaceTokenizer()
        var words = ByteLevel.preTokenize(try fixtureText("train.txt")).map { Array($0.utf8) }
        var random = SplitMix64(state: 7)
        for _ in 0..<300 {                                   // random runs of the bytes the merges use most
            let alphabet = Array(" theinrsaoTl".utf8)
            words.append((0..<(1 + Int(random.next() % 30))).map { _ in alphabet[Int(random.next() % 12)] })
        }
        for word in words {
            XCTAssertEqual(tokenizer.mergedIDs(of: word), tokenizer.mergedIDsReference(of: word),
                           "merging \(ByteLevel.encode(word))")
        }
    }

    func testExplainShowsEachMergeWithItsRank() throws {
        let tokenizer = try huggingFaceTokenizer()
        // merges.txt: line 2 "Ġ t" (rank 0), line 4 "h e" (rank 2), line 9 "Ġt he" (rank 7); vocab.json "Ġthe": 264.
        XCTAssertEqual(tokenizer.explain(" the"), """
            "Ġthe" = bytes 20 74 68 65
              start               Ġ t h e
              rank 0   Ġ + t      Ġt h e
              rank 2   h + e      Ġt he
              rank 7   Ġt + he    Ġthe
              ids                 [264]
            """)
        XCTAssertEqual(tokenizer.explain("!<|endoftext|>"), """
            "!" = bytes 21
              start    !
              ids      [1]
            "<|endoftext|>" is a special token: id 0
            """)
    }

    // MARK: Files

    func testSaveThenLoadGivesTheSameTokenizerAndHuggingFacesBytes() throws {
        let tokenizer = try huggingFaceTokenizer()
        let folder = try temporaryDirectory(self).appendingPathComponent("saved")     // created by write
        let files = try tokenizer.write(to: folder)
        XCTAssertEqual(files.vocabulary.lastPathComponent, "vocab.json")
        XCTAssertEqual(try String(contentsOf: files.vocabulary, encoding: .utf8), try fixtureText("vocab.json"))
        XCTAssertEqual(try String(contentsOf: files.merges, encoding: .utf8), try fixtureText("merges.txt"))
        let loaded = try BPETokenizer(directory: folder)
        XCTAssertEqual(loaded, tokenizer)
        XCTAssertEqual(loaded.specialTokens, ["<|endoftext|>"])
        let text = try fixtureText("train.txt")
        XCTAssertEqual(loaded.encode(text), tokenizer.encode(text))
        // A prefix names the files as Hugging Face's model.save(folder, prefix) does.
        let prefixed = try tokenizer.write(to: folder, prefix: "mine")
        XCTAssertEqual(prefixed.merges.lastPathComponent, "mine-merges.txt")
        XCTAssertEqual(try BPETokenizer(directory: folder, prefix: "mine"), tokenizer)
    }

    func testMergesFileWithWindowsLineEndingsLoads() throws {
        let folder = try temporaryDirectory(self)
        let merges = try fixtureText("merges.txt").replacingOccurrences(of: "\n", with: "\r\n")
        try Data(merges.utf8).write(to: folder.appendingPathComponent("merges.txt"))
        try FileManager.default.copyItem(at: tokenizerFixture("vocab.json"), to: folder.appendingPathComponent("vocab.json"))
        XCTAssertEqual(try BPETokenizer(directory: folder), try huggingFaceTokenizer())
    }

    func testMalformedMergesNameTheFileTheLineAndTheProblem() throws {
        let folder = try temporaryDirectory(self)
        let vocabulary = tokenizerFixture("vocab.json")
        let merges = folder.appendingPathComponent("merges.txt")
        func load(_ lines: [String]) throws -> TokenizerError? {
            try Data(lines.joined(separator: "\n").utf8).write(to: merges)
            return thrownError { _ = try BPETokenizer(vocabularyFile: vocabulary, mergesFile: merges) }
        }
        assertMalformed(try load(["#version: 0.2", "Ġ t", "e r", "Ġt hx"]), file: merges, line: 4,
                        problem: "the merge \"Ġt hx\": the token \"hx\" is not in the vocabulary")
        assertMalformed(try load(["#version: 0.2", "Ġ t", "x y"]), file: merges, line: 3,
                        problem: "the merged token \"xy\" is not in the vocabulary")
        assertMalformed(try load(["#version: 0.2", "Ġ t", "e", "h e"]), file: merges, line: 3,
                        problem: "expected two tokens separated by one space, found \"e\"")
        assertMalformed(try load(["#version: 0.2", "Ġ t", "", "h e"]), file: merges, line: 3, problem: "two tokens")
        assertMalformed(try load(["#version: 0.2", "Ġ  t"]), file: merges, line: 2, problem: "two tokens")
        XCTAssertNil(try load(["#version: 0.2", "Ġ t", "h e", ""]))       // a final newline is fine
    }

    func testMalformedVocabularyNamesTheFileAndTheProblem() throws {
        let folder = try temporaryDirectory(self)
        let vocabulary = folder.appendingPathComponent("vocab.json")
        let merges = folder.appendingPathComponent("merges.txt")
        try Data("#version: 0.2\n".utf8).write(to: merges)
        func load(_ json: String) throws -> TokenizerError? {
            try Data(json.utf8).write(to: vocabulary)
            return thrownError { _ = try BPETokenizer(vocabularyFile: vocabulary, mergesFile: merges, specialTokens: []) }
        }
        assertMalformed(try load("[1, 2"), file: vocabulary, line: 1, problem: "column 6: expected ',' or ']', found the end of the file")
        assertMalformed(try load("[1, 2]"), file: vocabulary, line: nil, problem: "JSON object of token → integer id")
        assertMalformed(try load(#"{"a": "one"}"#), file: vocabulary, line: 1, problem: "the id of \"a\": expected an integer")
        assertMalformed(try load("{\n\"a\": 1,\n\"a\": 2}"), file: vocabulary, line: 3, problem: "\"a\" is given twice")
        assertMalformed(try load(#"{"a": 9007199254740993}"#), file: vocabulary, line: 1, problem: "found 9007199254740993")
        let bytes = ByteLevel.characters.enumerated().map { (String($0.element), $0.offset) }
        func json(_ entries: [(String, Int)]) -> String {
            "{" + entries.map { jsonQuoted($0.0) + ":\($0.1)" }.joined(separator: ",") + "}"
        }
        XCTAssertNil(try load(json(bytes)))                                 // the 256 bytes alone: a valid vocabulary
        assertMalformed(try load(json(bytes + [("ab", 7)])), file: vocabulary, line: nil,
                        problem: "both have id 7")
        assertMalformed(try load(json(bytes + [("ab", -2)])), file: vocabulary, line: 1,
                        problem: "the id of \"ab\": expected an integer in 0…2147483647, found -2")
        // One id missing: the message names the gap, not whichever token is last.
        assertMalformed(try load(json(bytes.filter { $0.1 != 40 } + [("ab", 256)])), file: vocabulary, line: nil,
                        problem: "id 40 has no token and the token \"ab\" has id 256")
        assertMalformed(try load(json(bytes + [("ab", 300)])), file: vocabulary, line: nil, problem: "has id 300")
        func withoutByte(_ byte: Int) -> [(String, Int)] {                // the other 255, renumbered 0..<255
            bytes.filter { $0.1 != byte }.enumerated().map { ($0.element.0, $0.offset) }
        }
        assertMalformed(try load(json(withoutByte(0x20))), file: vocabulary, line: nil,    // no "Ġ": no space
                        problem: "the byte 0x20 has no token (its character is \"Ġ\" (U+0120))")
        assertMalformed(try load(json(withoutByte(0x00))), file: vocabulary, line: nil, problem: "the byte 0x00 has no token")
        let missing = folder.appendingPathComponent("nothing.json")
        guard case .fileAccess(let path, _)? = thrownError({
            _ = try BPETokenizer(vocabularyFile: missing, mergesFile: merges)
        }) else { return XCTFail("a missing file must throw fileAccess") }
        XCTAssertEqual(path, missing.path)
    }

    func testSpecialTokensMustBeInTheVocabulary() throws {
        guard case .invalidArgument(let message)? = thrownError({
            _ = try BPETokenizer(directory: tokenizerFixture(""), specialTokens: ["<pad>"])
        }) else { return XCTFail("an unknown special token must throw invalidArgument") }
        XCTAssertTrue(message.contains("\"<pad>\" is not in the vocabulary"), message)
        let plain = try BPETokenizer(directory: tokenizerFixture(""), specialTokens: [])
        XCTAssertNotEqual(plain.encode("<|endoftext|>"), [0])               // no longer special: ordinary text
    }

    func testInMemoryVocabularyIsCheckedToo() {
        guard case .invalidArgument(let message)? = thrownError({
            _ = try BPETokenizer(vocabulary: ["a": 0], merges: [])
        }) else { return XCTFail("a vocabulary without the 256 bytes must throw invalidArgument") }
        XCTAssertTrue(message.contains("has no token"), message)
    }
}

// MARK: - Training

final class BPETrainerTests: XCTestCase {
    func testTrainingReproducesHuggingFacesFiles() throws {
        let text = try fixtureText("train.txt")
        let trained = BPETokenizer.train(text: text, vocabSize: 400, specialTokens: ["<|endoftext|>"], minFrequency: 2)
        XCTAssertEqual(trained.vocabSize, 400)
        XCTAssertEqual(trained.vocabularyFileContents, try fixtureText("vocab.json"))
        XCTAssertEqual(trained.mergesFileContents, try fixtureText("merges.txt"))
        XCTAssertEqual(trained, try huggingFaceTokenizer())
    }

    func testMinimumFrequencyStopsTrainingEarlyAsHuggingFaceDoes() throws {
        let text = try fixtureText("train.txt")
        let trained = BPETokenizer.train(text: text, vocabSize: 400, specialTokens: ["<|endoftext|>"], minFrequency: 8)
        XCTAssertEqual(trained.merges.count, 56)                              // 1 + 256 + 56 = 313 < 400 tokens
        XCTAssertEqual(trained.vocabSize, 313)
        XCTAssertEqual(trained.vocabularyFileContents, try fixtureText("min8-vocab.json"))
        XCTAssertEqual(trained.mergesFileContents, try fixtureText("min8-merges.txt"))
    }

    func testIDsAreSpecialTokensThenBytesThenMerges() throws {
        let trained = BPETokenizer.train(text: try fixtureText("train.txt"), vocabSize: 300,
                                         specialTokens: ["<|endoftext|>", "<|pad|>"])
        XCTAssertEqual(trained.id(for: "<|endoftext|>"), 0)
        XCTAssertEqual(trained.id(for: "<|pad|>"), 1)
        XCTAssertEqual(trained.id(for: "!"), 2)                               // U+0021, the lowest stand-in
        XCTAssertEqual(trained.id(for: "\u{100}"), 2 + 188)                   // after the 188 printable bytes
        XCTAssertEqual(trained.id(for: "\u{143}"), 257)                       // the highest stand-in
        XCTAssertEqual(trained.id(for: trained.merges[0].merged), 258)
        XCTAssertEqual(trained.merges.count, 300 - 258)
        XCTAssertEqual(trained.vocabSize, 300)
    }

    func testTiesGoToThePairWithTheSmallerIDs() {
        // "aaabdaaabac" is one word. Pairs: aa 4, ab 2, … → merge "a a". Then (aa, a) and (a, b) both
        // occur twice: "a" (id 64) is smaller than "aa" (id 256, new), so "a b" comes first. Then
        // (aa, ab) 2. Then four pairs once each; the smallest is (a, c): "a" has a smaller id than "d" and "aaab".
        let merges = BPETokenizer.train(text: "aaabdaaabac", vocabSize: 260).merges
        XCTAssertEqual(merges, [.init("a", "a"), .init("a", "b"), .init("aa", "ab"), .init("a", "c")])
        XCTAssertEqual(BPETokenizer.train(text: "aaabdaaabac", vocabSize: 1000, minFrequency: 2).merges.count, 3)
        // With no limit, merging goes on until the word is one token: 7 merges (Hugging Face gives the same 7).
        let all = BPETokenizer.train(text: "aaabdaaabac", vocabSize: 1000)
        XCTAssertEqual(all.merges.map(\.description), ["a a", "a b", "aa ab", "a c", "d aaab", "aaab daaab", "aaabdaaab ac"])
        XCTAssertEqual(all.encode("aaabdaaabac"), [262])
    }

    func testAPairMergedTwiceKeepsOnlyItsLastRank() {
        // Hugging Face keeps one rank per pair (a map), the last, and writes merges.txt from it.
        // Ordinary training does not merge a pair twice; the trainer still records it the same way.
        var trainer = BPETrainer(text: "", specialTokens: [])
        let a = TokenPair(64, 65), b = TokenPair(65, 66)
        trainer.addMerge(a, id: 256)
        trainer.addMerge(b, id: 257)
        trainer.addMerge(a, id: 256)
        XCTAssertEqual(trainer.merges.compactMap { $0?.pair }, [b, a])
    }

    func testTrainedTokenizerRoundTripsAndSavesAndLoads() throws {
        let text = try fixtureText("train.txt")
        let trained = BPETokenizer.train(text: text, vocabSize: 350, specialTokens: ["<|endoftext|>"])
        for sample in hardTexts + [text] {
            assertSameScalars(try trained.decode(trained.encode(sample)), sample)
        }
        let folder = try temporaryDirectory(self)
        try trained.write(to: folder)
        XCTAssertEqual(try BPETokenizer(directory: folder), trained)
    }
}

/// Fails unless the two strings have the very same Unicode scalars: `==` on String treats
/// canonically equivalent text ("e\u{301}" and "é") as equal, which would hide a round trip
/// that changed the text.
private func assertSameScalars(_ a: @autoclosure () throws -> String, _ b: @autoclosure () throws -> String,
                               _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(Array(try a().unicodeScalars), Array(try b().unicodeScalars), message, file: file, line: line)
}
