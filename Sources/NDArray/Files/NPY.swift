// NPY.swift — NumPy's .npy file format, read and written.
//
//   bytes 0–5   "\x93NUMPY"                          the magic string
//   bytes 6–7   major, minor version                 1.0, 2.0 or 3.0
//   then        header length: 2 bytes (v1), 4 bytes (v2, v3), little-endian
//   then        the header: a Python dict literal, padded with spaces and "\n"
//               so the data starts on a 64-byte boundary:
//               {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
//   then        the elements, C order (row-major) or Fortran order (column-major)
//
// Supported element types: float32, float64, int32, int64 in either byte
// order, and bool. A file is outside input: anything wrong with it (a bad
// magic string, a truncated header or body, an unsupported type) throws an
// `NPYError` that says what — it never crashes. Files are written atomically
// (to a temporary file, then renamed), byte-identical to `np.save`.
//
// Not here: .npz archives, memory mapping, object and structured arrays,
// float16, complex numbers.

import Foundation

/// What is wrong with a .npy file.
public enum NPYError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file does not start with `\x93NUMPY`.
    case notNPY
    /// The file ends early: what was being read, how many bytes it needed and how many were left.
    case truncated(part: String, needed: Int, available: Int)
    /// A format version other than 1.0, 2.0 and 3.0.
    case unsupportedVersion(major: Int, minor: Int)
    /// The header dictionary cannot be read.
    case malformedHeader(String)
    /// An element type this library does not hold (float16, complex, strings, …).
    case unsupportedType(String)
    /// The file holds another element type than the one asked for.
    case typeMismatch(expected: String, found: String)
    /// A value that has no counterpart in the requested type (NaN or an out-of-range
    /// float read as an integer with `converting: true`).
    case unconvertible(value: String, to: String)
    /// The file could not be read or written.
    case io(String)

    public var description: String {
        switch self {
        case .notNPY:
            return "not a .npy file: it does not start with the magic string \\x93NUMPY"
        case let .truncated(part, needed, available):
            return "truncated .npy file: the \(part) needs \(needed) bytes but only \(available) remain"
        case let .unsupportedVersion(major, minor):
            return "unsupported .npy format version \(major).\(minor) (1.0, 2.0 and 3.0 are supported)"
        case let .malformedHeader(why):
            return "malformed .npy header: \(why)"
        case let .unsupportedType(descr):
            return "unsupported .npy element type '\(descr)' (supported: float32, float64, int32, int64, bool)"
        case let .typeMismatch(expected, found):
            return ".npy element type mismatch: expected \(expected), the file holds \(found)"
        case let .unconvertible(value, type):
            return "the .npy file holds \(value), which cannot be converted to \(type)"
        case let .io(why):
            return why
        }
    }
}

/// The header of a .npy file.
struct NPYHeader {
    /// The type descriptor: byte order (`<`, `>` or `|`), kind and size, as in `<f4`.
    var descr: String
    /// Whether the elements are stored column-major.
    var fortranOrder: Bool
    /// The array's shape.
    var shape: [Int]
    /// The format version the file was written with.
    var version: (major: Int, minor: Int)
}

/// An array read from a .npy file whose element type is known only at run time.
public enum AnyNDArray: Sendable, Equatable {
    case float32(NDArray<Float>)
    case float64(NDArray<Double>)
    case int32(NDArray<Int32>)
    case int64(NDArray<Int64>)
    case bool(NDArray<Bool>)

    /// The array's shape.
    public var shape: [Int] {
        switch self {
        case .float32(let a): a.shape
        case .float64(let a): a.shape
        case .int32(let a): a.shape
        case .int64(let a): a.shape
        case .bool(let a): a.shape
        }
    }

    /// Reads a .npy file's bytes, whatever element type it holds. NumPy: `np.load`.
    public init(npyData data: Data) throws(NPYError) {
        let (header, body) = try NPY.parse(data)
        switch header.descr.dropFirst() {
        case "f4": self = .float32(try NPY.decode(header, body))
        case "f8": self = .float64(try NPY.decode(header, body))
        case "i4": self = .int32(try NPY.decode(header, body))
        case "i8": self = .int64(try NPY.decode(header, body))
        case "b1": self = .bool(try NPY.decode(header, body))
        default: throw .unsupportedType(header.descr)  // parse() admits only the types above
        }
    }
}

extension NDArray {
    /// Reads a .npy file's bytes. The file must hold this element type (in either
    /// byte order); with `converting`, any supported type is converted as `asType`
    /// would. Fortran-ordered files come back C-contiguous. NumPy: `np.load`.
    public init(npyData data: Data, converting: Bool = false) throws(NPYError) {
        let (header, body) = try NPY.parse(data)
        if NPY.kindAndSize(header.descr) == NPY.kindAndSize(Scalar.npyDescriptor) {
            self = try NPY.decode(header, body)
            return
        }
        guard converting else { throw .typeMismatch(expected: Scalar.dtypeName, found: header.descr) }
        // Convert element by element, throwing (not trapping) on a value with no counterpart.
        func converted<Source>(_ source: NDArray<Source>) throws(NPYError) -> NDArray<Scalar> {
            var values: [Scalar] = []
            values.reserveCapacity(source.count)
            for element in source.scalars {
                guard let value = Scalar(exactlyConverting: element.scalarValue) else {
                    throw .unconvertible(value: "\(element)", to: Scalar.dtypeName)
                }
                values.append(value)
            }
            return NDArray(shape: source.shape, scalars: values)
        }
        switch try AnyNDArray(npyData: data) {
        case .float32(let a): self = try converted(a)
        case .float64(let a): self = try converted(a)
        case .int32(let a): self = try converted(a)
        case .int64(let a): self = try converted(a)
        case .bool(let a): self = try converted(a)
        }
    }

    /// Reads a .npy file. NumPy: `np.load(path)`.
    public init(contentsOfNPY url: URL, converting: Bool = false) throws(NPYError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .io("cannot read \(url.path): \(error.localizedDescription)")
        }
        try self.init(npyData: data, converting: converting)
    }

    /// The bytes of a .npy file holding this array, exactly as `np.save` writes them.
    public func npyData() -> Data {
        var data = NPY.headerBytes(descr: Scalar.npyDescriptor, shape: shape)
        withUnsafeBufferPointer { data.append($0) }
        return data
    }

    /// Writes this array as a .npy file, atomically: a crash mid-write leaves any
    /// earlier file intact. NumPy: `np.save(path, a)`.
    public func writeNPY(to url: URL) throws(NPYError) {
        do {
            try npyData().write(to: url, options: .atomic)
        } catch {
            throw .io("cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}

/// The .npy format's parts: header parsing, decoding, header writing.
enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    /// "f4" from "<f4": what must match between a file and an element type.
    static func kindAndSize(_ descr: String) -> Substring { descr.dropFirst() }

    /// The header and the bytes after it.
    static func parse(_ data: Data) throws(NPYError) -> (NPYHeader, Data) {
        let bytes = [UInt8](data.prefix(12))
        if bytes.count < 8 {
            if !bytes.elementsEqual(magic.prefix(bytes.count)) { throw .notNPY }
            throw .truncated(part: "preamble", needed: 8, available: bytes.count)
        }
        if !bytes[0..<6].elementsEqual(magic) { throw .notNPY }
        let (major, minor) = (Int(bytes[6]), Int(bytes[7]))
        guard [1, 2, 3].contains(major) && minor == 0 else { throw .unsupportedVersion(major: major, minor: minor) }
        let lengthSize = major == 1 ? 2 : 4
        if bytes.count < 8 + lengthSize {
            throw .truncated(part: "header length", needed: lengthSize, available: bytes.count - 8)
        }
        let headerLength = bytes[8..<(8 + lengthSize)].reversed().reduce(0) { $0 << 8 | Int($1) }
        let start = data.startIndex + 8 + lengthSize
        if data.count - 8 - lengthSize < headerLength {
            throw .truncated(part: "header", needed: headerLength, available: data.count - 8 - lengthSize)
        }
        let headerBytes = data[start..<(start + headerLength)]
        guard let text = major == 3 ? String(data: headerBytes, encoding: .utf8)
                                    : String(data: headerBytes, encoding: .isoLatin1) else {
            throw .malformedHeader("the header is not valid text")
        }
        var header = try parseHeaderDictionary(text)
        header.version = (major, minor)
        return (header, data[(start + headerLength)...])
    }

    /// Reads `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
    static func parseHeaderDictionary(_ text: String) throws(NPYError) -> NPYHeader {
        var reader = LiteralReader(text)
        let dictionary = try reader.readDictionary()
        guard Set(dictionary.keys) == ["descr", "fortran_order", "shape"] else {
            throw .malformedHeader("expected the keys descr, fortran_order and shape, found "
                                   + dictionary.keys.sorted().joined(separator: ", "))
        }
        guard case .string(let descr)? = dictionary["descr"] else {
            throw .malformedHeader("descr must be a string")
        }
        guard case .bool(let fortranOrder)? = dictionary["fortran_order"] else {
            throw .malformedHeader("fortran_order must be True or False")
        }
        guard case .tuple(let shape)? = dictionary["shape"] else {
            throw .malformedHeader("shape must be a tuple of integers")
        }
        if let negative = shape.first(where: { $0 < 0 }) {
            throw .malformedHeader("shape \(shape) has a negative size \(negative)")
        }
        if shape.count > maxDimensions {
            throw .malformedHeader("shape has \(shape.count) dimensions; NumPy allows at most \(maxDimensions)")
        }
        return NPYHeader(descr: try canonicalDescriptor(descr), fortranOrder: fortranOrder, shape: shape, version: (0, 0))
    }

    /// NumPy's limit on an array's dimensions (NPY_MAXDIMS).
    static let maxDimensions = 64

    /// A descriptor NumPy reads as one of our types, spelled as we write it: `f4`, `=f4` and
    /// `float32` are `<f4`; `?`, `<b1` and `bool` are `|b1`; `>f4` stays big-endian.
    static func canonicalDescriptor(_ descr: String) throws(NPYError) -> String {
        let names = ["float32": "f4", "float64": "f8", "double": "f8", "int32": "i4", "int64": "i8", "bool": "b1",
                     "f": "f4", "d": "f8", "?": "b1"]
        var order = "<", code = Substring(descr)
        if let first = code.first, "<>|=".contains(first) {
            order = first == ">" ? ">" : "<"
            code = code.dropFirst()
        }
        let kindAndSize = names[String(code)] ?? String(code)
        guard ["f4", "f8", "i4", "i8", "b1"].contains(kindAndSize), descr.count <= 8 else { throw .unsupportedType(descr) }
        return kindAndSize == "b1" ? "|b1" : order + kindAndSize
    }

    /// The elements after the header, as an array of the header's type (`S` must match it).
    static func decode<S: NDArrayScalar>(_ header: NPYHeader, _ body: Data) throws(NPYError) -> NDArray<S> {
        // Both the element count and the strides (which skip size-0 axes) must fit in an Int.
        var count = 1, span = 1
        for size in header.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            let (spanProduct, spanOverflow) = span.multipliedReportingOverflow(by: Swift.max(size, 1))
            if overflow || spanOverflow { throw .malformedHeader("shape \(header.shape) has too many elements") }
            count = product
            span = spanProduct
        }
        let itemSize = MemoryLayout<S>.stride
        let (needed, overflow) = count.multipliedReportingOverflow(by: itemSize)
        // As NumPy: the sizes other than 0, times the item size, must fit, even when an axis is empty.
        if overflow || span.multipliedReportingOverflow(by: itemSize).overflow {
            throw .malformedHeader("shape \(header.shape) has too many elements")
        }
        if body.count < needed { throw .truncated(part: "data", needed: needed, available: body.count) }
        // Trailing bytes after the data are ignored, as NumPy ignores them.
        let storedShape = header.fortranOrder ? Array(header.shape.reversed()) : header.shape
        var array = NDArray<S>(uninitializedShape: storedShape)
        let swap = header.descr.hasPrefix(">")
        body.prefix(needed).withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let out = UnsafeMutableRawPointer(array.storage.base)
            if S.self == Bool.self {
                // Any nonzero byte is true; a Bool must only ever hold 0 or 1.
                for i in 0..<count { out.storeBytes(of: raw[i] != 0 ? 1 : 0, toByteOffset: i, as: UInt8.self) }
                return
            }
            guard needed > 0, let source = raw.baseAddress else { return }
            out.copyMemory(from: source, byteCount: needed)
            if swap {
                let bytes = out.assumingMemoryBound(to: UInt8.self)
                for i in 0..<count {
                    var element = UnsafeMutableBufferPointer(start: bytes + i * itemSize, count: itemSize)
                    element.reverse()
                }
            }
        }
        if header.fortranOrder { array = array.transposed().copy() }  // column-major → row-major
        return array
    }

    /// The preamble and header `np.save` writes: version 1.0 unless the header needs 2.0,
    /// room for the first axis to grow to 21 digits, padded to 64 bytes.
    static func headerBytes(descr: String, shape: [Int]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dictionary = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        if let first = shape.first { dictionary += String(repeating: " ", count: 21 - String(first).count) }
        // Version 1.0 stores the header length in 2 bytes; a longer header needs 2.0 and 4 bytes.
        func paddedLength(lengthBytes: Int) -> Int {
            let unpadded = 6 + 2 + lengthBytes + dictionary.utf8.count + 1
            return dictionary.utf8.count + 1 + (64 - unpadded % 64)
        }
        let lengthBytes = paddedLength(lengthBytes: 2) < 65536 ? 2 : 4
        let headerLength = paddedLength(lengthBytes: lengthBytes)
        let padding = headerLength - dictionary.utf8.count - 1
        var data = Data(magic + [lengthBytes == 2 ? 1 : 2, 0])
        for i in 0..<lengthBytes { data.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
        data.append(contentsOf: Array(dictionary.utf8) + Array(repeating: 0x20, count: padding) + [0x0A])
        return data
    }
}

/// A reader for the small part of Python's literal syntax a .npy header uses:
/// a dict of string keys to strings, True/False, integers and tuples of integers.
struct LiteralReader {
    enum Value: Equatable {
        case string(String)
        case bool(Bool)
        case integer(Int)
        case tuple([Int])
    }

    private let characters: [Character]
    private var position = 0

    init(_ text: String) { characters = Array(text) }

    mutating func readDictionary() throws(NPYError) -> [String: Value] {
        try expect("{")
        var result: [String: Value] = [:]
        while true {
            skipSpaces()
            if peek() == "}" { position += 1; break }
            guard case .string(let key) = try readValue() else { throw .malformedHeader("a key is not a string") }
            try expect(":")
            result[key] = try readValue()
            skipSpaces()
            if peek() == "," { position += 1; continue }
            try expect("}")
            break
        }
        skipSpaces()
        if position != characters.count { throw .malformedHeader("unexpected text after the dictionary") }
        return result
    }

    private mutating func readValue() throws(NPYError) -> Value {
        skipSpaces()
        guard let c = peek() else { throw .malformedHeader("the header ends inside the dictionary") }
        if c == "'" || c == "\"" {
            position += 1
            var text = ""
            while let d = peek(), d != c { text.append(d); position += 1 }
            if peek() == nil { throw .malformedHeader("a string is not closed") }
            position += 1
            return .string(text)
        }
        if c == "(" {
            // A tuple of integers; nothing nests inside it.
            position += 1
            var items: [Int] = [], commas = 0
            while true {
                skipSpaces()
                if peek() == ")" { position += 1; break }
                guard let n = readInteger() else { throw .malformedHeader("shape holds something other than integers") }
                items.append(n)
                skipSpaces()
                if peek() == "," { position += 1; commas += 1; continue }
                try expect(")")
                break
            }
            if items.count == 1 && commas == 0 {                         // (3) is the integer 3 to Python
                throw .malformedHeader("shape (\(items[0])) is an integer, not a tuple: a one-item tuple is (\(items[0]),)")
            }
            return .tuple(items)
        }
        if let n = readInteger() { return .integer(n) }
        var word = ""
        while let d = peek(), d.isLetter { word.append(d); position += 1 }
        switch word {
        case "True": return .bool(true)
        case "False": return .bool(false)
        default: throw .malformedHeader(word.isEmpty ? "unexpected character '\(c)'" : "unexpected value '\(word)'")
        }
    }

    /// An integer such as `3`, `-3` or Python 2's `3L`, or nil (reading nothing) if none starts here.
    private mutating func readInteger() -> Int? {
        let start = position
        var text = ""
        if let sign = peek(), sign == "-" || sign == "+" { text.append(sign); position += 1 }
        while let d = peek(), d.isASCII, d.isNumber { text.append(d); position += 1 }
        if peek() == "L" { position += 1 }
        guard let n = Int(text) else {
            position = start
            return nil
        }
        return n
    }

    private func peek() -> Character? { position < characters.count ? characters[position] : nil }

    /// Skips white space and Python comments (`# …` to the end of the line), as `ast.literal_eval` does.
    private mutating func skipSpaces() {
        while let c = peek() {
            if c == " " || c == "\n" || c == "\t" || c == "\r" || c == "\r\n" {    // "\r\n" is one Character
                position += 1
            } else if c == "#" {
                while let d = peek(), d != "\n" && d != "\r\n" { position += 1 }
            } else {
                return
            }
        }
    }

    private mutating func expect(_ c: Character) throws(NPYError) {
        skipSpaces()
        guard peek() == c else { throw .malformedHeader("expected '\(c)'") }
        position += 1
    }
}
