// JSONValueDecoder.swift — Codable types from a parsed JSON document, strictly.
//
//   let config = try JSONDocument(parsing: data).decode(GPTConfig.self)
//
//   {"vocabSize": "65", …}    → "vocabSize": expected an integer, found "65" (a string) (line 1, column 15)
//   {"vocabSize": 65.0, …}    → "vocabSize": expected an integer, found 65.0 …
//   {"dropout": null, …}      → "dropout": null is not allowed here; leave the field out or give a value
//   {"vocabSize": 65, "vocab_size": 65, …} → "vocab_size": not a field of this file
//
// Foundation's JSONDecoder reads 65.0 as an integer, treats null as a missing
// optional and ignores keys it does not know, so a typo or a hand edit can load
// a different model without a word. This decoder refuses all three, and every
// error names the field's path, what was expected, what was found and where.
// Our own files never hold a null (optionals are left out when nil).
//
// Depends on: JSON.swift.

import Foundation

/// A field of a JSON file that does not hold what its reader needs.
struct JSONFieldError: Error, Equatable, CustomStringConvertible {
    /// The field's path: `config.vocabSize`, `history[3].loss`.
    var field: String
    /// What was expected and what was found, with where: `expected an integer, found "65" (a string) (line 1, column 15)`.
    var problem: String

    var description: String { "\"\(field)\": \(problem)" }

    /// `a.b[2].c` from a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue == "Index \(index)" || key.stringValue == "\(index)" {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? "(top level)" : text
    }
}

extension JSONDocument {
    /// The root value decoded as `T`, strictly (see this file's header).
    /// - Throws: `JSONFieldError` naming the field, or the type's own error
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        do {
            return try JSONValueDecoder(document: self, node: root, codingPath: []).decodeValue(T.self)
        } catch let error as DecodingError {
            throw JSONFieldError(decodingError: error)                  // a type's own init(from:) refused a value
        }
    }
}

extension JSONFieldError {
    /// A DecodingError thrown by a type's own `init(from:)`, as a field error.
    init(decodingError error: DecodingError) {
        switch error {
        case let .typeMismatch(type, context): self.init(field: Self.path(context.codingPath), problem: "expected \(type): \(context.debugDescription)")
        case let .valueNotFound(type, context): self.init(field: Self.path(context.codingPath), problem: "expected \(type), found nothing")
        case let .keyNotFound(key, context):
            self.init(field: Self.path(context.codingPath + [key]), problem: "missing")
        case let .dataCorrupted(context): self.init(field: Self.path(context.codingPath), problem: context.debugDescription)
        @unknown default: self.init(field: "(top level)", problem: "\(error)")
        }
    }
}

/// A key of any name, or an index in a list.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
}

private struct JSONValueDecoder: Decoder {
    let document: JSONDocument
    let node: JSON
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func fail(_ expected: String) -> JSONFieldError {
        JSONFieldError(field: JSONFieldError.path(codingPath),
                       problem: "expected \(expected), found \(node.found) (\(document.place(of: node)))")
    }

    func refuseNull() throws {
        if case .null = node.kind {
            throw JSONFieldError(field: JSONFieldError.path(codingPath),
                                 problem: "null is not allowed here; leave the field out or give a value (\(document.place(of: node)))")
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = node.kind else { throw fail("an object") }
        for member in members where Key(stringValue: member.key) == nil {
            throw JSONFieldError(field: JSONFieldError.path(codingPath + [AnyKey(stringValue: member.key)]),
                                 problem: "not a field of this file (\(document.place(of: member.value)))")
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(decoder: self, members: members))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = node.kind else { throw fail("a list") }
        return UnkeyedContainer(decoder: self, items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(decoder: self) }

    func child(_ node: JSON, key: any CodingKey) -> JSONValueDecoder {
        JSONValueDecoder(document: document, node: node, codingPath: codingPath + [key])
    }

    /// The node as `T`: numbers, strings and booleans checked here, everything else by `T.init(from:)`.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        try refuseNull()
        switch type {
        case is Bool.Type:
            guard case .bool(let value) = node.kind else { throw fail("true or false") }
            return value as! T
        case is String.Type:
            guard case .string(let value) = node.kind else { throw fail("a string") }
            return value as! T
        case is Double.Type:
            guard let value = node.double else { throw fail("a number") }
            return value as! T
        case is Float.Type:
            guard let value = node.double.map(Float.init), value.isFinite else { throw fail("a number within Float's range") }
            return value as! T
        case is Int.Type: return try integer(Int.self) as! T
        case is Int64.Type: return try integer(Int64.self) as! T
        case is Int32.Type: return try integer(Int32.self) as! T
        case is UInt64.Type: return try integer(UInt64.self) as! T
        case is UInt32.Type: return try integer(UInt32.self) as! T
        case is UInt.Type: return try integer(UInt.self) as! T
        default: return try T(from: self)
        }
    }

    /// An integer written without fraction or exponent, within `I`'s range.
    func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        let range = "\(I.min)…\(I.max)"
        guard node.isIntegerLiteral, case .number(let text) = node.kind else { throw fail("an integer in \(range)") }
        guard let value = I(text) else { throw fail("an integer in \(range)") }
        return value
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: JSONValueDecoder
    let members: [(key: String, value: JSON)]
    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { members.contains { $0.key == key.stringValue } }

    func child(_ key: Key) throws -> JSONValueDecoder {
        guard let node = members.first(where: { $0.key == key.stringValue })?.value else {
            throw JSONFieldError(field: JSONFieldError.path(codingPath + [key]), problem: "missing")
        }
        return decoder.child(node, key: key)
    }

    /// Never true: a null is refused (our files leave a nil optional out), so `decodeIfPresent` reads
    /// a present key as a value.
    func decodeNil(forKey key: Key) throws -> Bool { try child(key).refuseNull(); return false }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeValue(T.self) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decodeValue(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decodeValue(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decodeValue(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).decodeValue(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decodeValue(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).integer(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).integer(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).integer(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).integer(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).integer(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).integer(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).integer(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).integer(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).integer(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: JSONValueDecoder
    let items: [JSON]
    var currentIndex = 0
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func next() throws -> JSONValueDecoder {
        guard !isAtEnd else {
            throw JSONFieldError(field: JSONFieldError.path(codingPath),
                                 problem: "the list has \(items.count) items, fewer than needed")
        }
        defer { currentIndex += 1 }
        return decoder.child(items[currentIndex], key: AnyKey(intValue: currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        try decoder.child(items[currentIndex], key: AnyKey(intValue: currentIndex)).refuseNull()
        return false
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(T.self) }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try next().decodeValue(type) }
    mutating func decode(_ type: String.Type) throws -> String { try next().decodeValue(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next().decodeValue(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try next().decodeValue(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next().decodeValue(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next().integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().integer(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let decoder: JSONValueDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { false }                                   // a null is refused by decodeValue
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(T.self) }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeValue(type) }
    func decode(_ type: String.Type) throws -> String { try decoder.decodeValue(type) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.decodeValue(type) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.decodeValue(type) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.decodeValue(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.integer(type) }
}
