// JSON.swift — a strict JSON reader that remembers where every value is.
//
//   {"n_embd": 768, "n_inner": "100"}
//    └ line 1, column 2           └ line 1, column 29: n_inner is a string here, not an integer
//
// Every JSON file the package reads (config.json, vocab.json, the safetensors
// header, a checkpoint's metadata, a character vocabulary) goes through this
// reader, so that a broken or hand-edited file is refused with its line and
// column and what was expected there, not Foundation's "The data is not in the
// correct format.". It follows RFC 8259 to the letter, as Hugging Face's Rust
// readers (serde_json) do:
//
//   refused                          why
//   a byte-order mark                RFC 8259 §8.1; serde_json and Python's json refuse it
//   a key given twice in an object   it would silently pick one; safetensors refuses it
//   NaN, Infinity, 1e999             not JSON numbers (Python accepts them; serde_json does not)
//   'single quotes', trailing commas, comments, control characters in strings, lone surrogates
//   nesting deeper than 127          serde_json's limit; a hostile file cannot exhaust the stack
//
// Numbers keep their text, so an integer of 2⁵³ or more is read exactly (or
// refused as too large for the field), and 2.0 is not an integer.
//
// Depends on: Foundation (Data).
// Not here: turning values into our types (JSONValueDecoder.swift, and each file's reader).

import Foundation

/// A JSON syntax error, with the 1-based line and column (in characters) where reading stopped.
struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    var line: Int
    var column: Int
    var problem: String

    var description: String { "line \(line), column \(column): \(problem)" }
}

/// A parsed JSON value, and the byte offset in its document where it starts.
struct JSON: Sendable {
    /// What the value is.
    enum Kind: Sendable {
        case null
        case bool(Bool)
        /// The number's text as written (`-12`, `2.0`, `1e-5`).
        case number(String)
        case string(String)
        case array([JSON])
        /// The members in the file's order; keys are unique.
        case object([(key: String, value: JSON)])
    }

    var kind: Kind
    /// Where the value starts in the document's bytes.
    var offset: Int

    /// The member `key` of an object (nil when absent or when this is not an object).
    subscript(key: String) -> JSON? {
        guard case .object(let members) = kind else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The integer this number spells, when it has no fraction or exponent and fits an Int.
    var integer: Int? {
        guard isIntegerLiteral, case .number(let text) = kind else { return nil }
        return Int(text)
    }

    /// The integer this number spells when it has no sign either: a size or an id (`-0` is not one,
    /// as serde_json, which reads it as a float, agrees).
    var unsignedInteger: Int? {
        guard case .number(let text) = kind, !text.hasPrefix("-") else { return nil }
        return integer
    }

    /// Whether this is a number written as an integer (no fraction, no exponent), of any size.
    var isIntegerLiteral: Bool {
        guard case .number(let text) = kind else { return false }
        return !text.contains { $0 == "." || $0 == "e" || $0 == "E" }
    }

    /// The value of a number, as a Double (finite: the reader refuses numbers beyond Double's range).
    var double: Double? {
        guard case .number(let text) = kind else { return nil }
        return Double(text)
    }

    /// The value as the file wrote it, shortened, with its JSON type: `"100" (a string)`, `null`, `2.0`.
    var found: String {
        switch kind {
        case .null: return "null"
        case .bool(let value): return "\(value)"
        case .number(let text): return text.count > 40 ? String(text.prefix(40)) + "…" : text
        case .string(let text):
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return "\(jsonQuoted(shown)) (a string)"
        case .array(let items): return "a list of \(items.count)"
        case .object(let members): return "an object of \(members.count) keys"
        }
    }
}

/// A parsed JSON document: its root value, and the bytes, to turn offsets into lines and columns.
struct JSONDocument: Sendable {
    /// The bytes as read.
    let bytes: [UInt8]
    /// The top-level value.
    let root: JSON

    /// Parses `data`; throws `JSONSyntaxError` naming the line and column.
    init<Bytes: Collection>(parsing data: Bytes) throws(JSONSyntaxError) where Bytes.Element == UInt8 {
        bytes = Array(data)
        var parser = JSONParser(bytes: bytes)
        root = try parser.parseDocument()
    }

    /// The 1-based line and column (counted in unicode scalars) of byte `offset`.
    func position(of offset: Int) -> (line: Int, column: Int) {
        Self.position(of: offset, in: bytes)
    }

    /// "line 3, column 17", for messages.
    func place(of value: JSON) -> String {
        let (line, column) = position(of: value.offset)
        return "line \(line), column \(column)"
    }

    static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {                 // not a UTF-8 continuation byte: a new character
                column += 1
            }
        }
        return (line, column)
    }
}

/// A recursive-descent reader over UTF-8 bytes.
private struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0
    /// The deepest nesting read, counting every list and object (serde_json reads 127, refuses 128).
    static let maxDepth = 127

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(JSONSyntaxError) -> JSON {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw error("the file starts with a byte-order mark (EF BB BF), which JSON does not allow; save it as UTF-8 without one")
        }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw error("expected the end of the document after the value, found \(describeHere())") }
        return value
    }

    func error(_ problem: String, at offset: Int? = nil) -> JSONSyntaxError {
        let (line, column) = JSONDocument.position(of: offset ?? index, in: bytes)
        return JSONSyntaxError(line: line, column: column, problem: problem)
    }

    /// What is at the current position, for messages: `'x'`, `byte 0xFF`, or `the end of the file`.
    func describeHere() -> String {
        guard index < bytes.count else { return "the end of the file" }
        let byte = bytes[index]
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONSyntaxError) -> JSON {
        guard index < bytes.count else { throw error("expected a value, found the end of the file") }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "{"): return JSON(kind: try parseObject(), offset: start)
        case UInt8(ascii: "["): return JSON(kind: try parseArray(), offset: start)
        case UInt8(ascii: "\""): return JSON(kind: .string(try parseString()), offset: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return JSON(kind: .number(try parseNumber()), offset: start)
        case UInt8(ascii: "t"): try expectWord("true"); return JSON(kind: .bool(true), offset: start)
        case UInt8(ascii: "f"): try expectWord("false"); return JSON(kind: .bool(false), offset: start)
        case UInt8(ascii: "n"): try expectWord("null"); return JSON(kind: .null, offset: start)
        case UInt8(ascii: "'"): throw error("strings take double quotes in JSON, not single quotes")
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw error("expected a value, found \(describeHere()): NaN and Infinity are not JSON numbers")
        default: throw error("expected a value (an object, list, string, number, true, false or null), found \(describeHere())")
        }
    }

    mutating func expectWord(_ word: String) throws(JSONSyntaxError) {
        let utf8 = Array(word.utf8)
        guard bytes.count - index >= utf8.count, Array(bytes[index..<index + utf8.count]) == utf8 else {
            throw error("expected a value, found \(describeHere()) (not true, false or null)")
        }
        index += utf8.count
    }

    mutating func enter() throws(JSONSyntaxError) {
        depth += 1
        if depth > Self.maxDepth { throw error("lists and objects are nested more than \(Self.maxDepth) deep") }
    }

    mutating func parseObject() throws(JSONSyntaxError) -> JSON.Kind {
        try enter()
        defer { depth -= 1 }
        index += 1                                                       // {
        var members: [(key: String, value: JSON)] = []
        var seen: [[UInt8]: Int] = [:]                                   // by bytes: é and e + U+0301 are two keys
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
                    throw error("a trailing comma before '}': JSON does not allow one")
                }
                throw error("expected a key in double quotes, found \(describeHere())")
            }
            let keyStart = index
            let key = try parseString()
            if let first = seen[Array(key.utf8)] {
                let (line, column) = JSONDocument.position(of: first, in: bytes)
                throw error("the key \(jsonQuoted(key)) is given twice in one object (first at line \(line), column \(column))",
                            at: keyStart)
            }
            seen[Array(key.utf8)] = keyStart
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after the key \(jsonQuoted(key)), found \(describeHere())")
            }
            index += 1
            skipWhitespace()
            members.append((key, try parseValue()))
            skipWhitespace()
            guard index < bytes.count else { throw error("expected ',' or '}', found the end of the file (the object is not closed)") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("expected ',' or '}' after the value of \(jsonQuoted(key)), found \(describeHere())")
        }
    }

    mutating func parseArray() throws(JSONSyntaxError) -> JSON.Kind {
        try enter()
        defer { depth -= 1 }
        index += 1                                                       // [
        var items: [JSON] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
                throw error("a trailing comma before ']': JSON does not allow one")
            }
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("expected ',' or ']', found the end of the file (the list is not closed)") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            throw error("expected ',' or ']' after item \(items.count - 1) of the list, found \(describeHere())")
        }
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`, whose value must be finite as a Double.
    mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let start = index
        func digits(_ parser: inout JSONParser) -> Int {
            let from = parser.index
            while parser.index < parser.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.index]) {
                parser.index += 1
            }
            return parser.index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
            throw error("expected a digit after '-', found \(describeHere())")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                throw error("a number cannot start with 0 followed by digits (JSON has no octal)", at: start)
            }
        } else {
            _ = digits(&self)
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            if digits(&self) == 0 { throw error("expected a digit after the decimal point, found \(describeHere())") }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            if digits(&self) == 0 { throw error("expected a digit in the exponent, found \(describeHere())") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw error("the number \(text.prefix(40)) is beyond the range of a Double", at: start)
        }
        return text
    }

    /// A string in double quotes, with its escapes, as valid UTF-8.
    mutating func parseString() throws(JSONSyntaxError) -> String {
        let start = index
        index += 1                                                       // "
        var scalars = String.UnicodeScalarView()
        var runStart = index                                             // bytes copied as they are
        func flush(_ parser: JSONParser, upTo end: Int, into scalars: inout String.UnicodeScalarView) throws(JSONSyntaxError) {
            guard runStart < end else { return }
            guard let text = String(validating: parser.bytes[runStart..<end], as: UTF8.self) else {
                throw parser.error("the string holds bytes that are not UTF-8", at: runStart)
            }
            scalars.append(contentsOf: text.unicodeScalars)
        }
        while true {
            guard index < bytes.count else { throw error("the string is not closed before the end of the file", at: start) }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                try flush(self, upTo: index, into: &scalars)
                index += 1
                return String(scalars)
            }
            if byte < 0x20 {
                throw error("a control character (0x\(String(byte, radix: 16, uppercase: true))) inside a string must be escaped")
            }
            if byte != UInt8(ascii: "\\") { index += 1; continue }
            try flush(self, upTo: index, into: &scalars)
            index += 1
            guard index < bytes.count else { throw error("the string is not closed before the end of the file", at: start) }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                let high = try hex4()
                var value = UInt32(high)
                if (0xD800..<0xDC00).contains(high) {                    // a surrogate pair: \uD83D\uDE00
                    guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("a lone surrogate \\u\(String(high, radix: 16, uppercase: true)) (a high surrogate must be followed by a low one)", at: index - 6)
                    }
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else {
                        throw error("\\u\(String(low, radix: 16, uppercase: true)) does not complete the surrogate pair", at: index - 6)
                    }
                    value = 0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                } else if (0xDC00..<0xE000).contains(high) {
                    throw error("a lone surrogate \\u\(String(high, radix: 16, uppercase: true))", at: index - 6)
                }
                scalars.append(Unicode.Scalar(value)!)
            default:
                throw error("an unknown escape '\\\(describeByte(escape))' in a string", at: index - 2)
            }
            runStart = index
        }
    }

    func describeByte(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(Character(Unicode.Scalar(byte))) : "0x" + String(byte, radix: 16)
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt16 {
        guard bytes.count - index >= 4 else { throw error("expected four hex digits after \\u") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("expected four hex digits after \\u, found \(describeHere())")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }
}
