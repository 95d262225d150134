// UTF8StreamTests.swift — streaming a BPE model's bytes as text: a character split across
// tokens is held back until it is whole.

@testable import walkthrough
import XCTest

final class UTF8StreamTests: XCTestCase {
    func testACharacterSplitAcrossTokensIsPrintedOnceWhole() {
        var stream = UTF8Stream()
        let text = "a€b😀"                                              // 1, 3, 1 and 4 bytes
        let bytes = Array(text.utf8)                                      // 61 e2 82 ac 62 f0 9f 98 80
        XCTAssertEqual(stream.append(Array(bytes[0..<2])), "a")           // "a" and the first byte of €
        XCTAssertEqual(stream.append([bytes[2]]), "")                     // still one byte short
        XCTAssertEqual(stream.append(Array(bytes[3..<6])), "€b")          // € completes; 😀 begins
        XCTAssertEqual(stream.append(Array(bytes[6..<9])), "😀")
        XCTAssertEqual(stream.finish(), "")
    }

    func testAnUnfinishedCharacterAtTheEndBecomesAReplacementCharacter() {
        var stream = UTF8Stream()
        XCTAssertEqual(stream.append([0x68, 0xE2, 0x82]), "h")
        XCTAssertEqual(stream.finish(), "\u{FFFD}")
    }

    func testInvalidBytesAreNotHeldBackForever() {
        var stream = UTF8Stream()
        XCTAssertEqual(stream.append([0x80, 0x80, 0x80, 0x80, 0x41]), "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}A")
    }
}
