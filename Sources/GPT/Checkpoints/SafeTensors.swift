// SafeTensors.swift — Hugging Face's tensor file: a JSON table of contents, then raw bytes.
//
//   [8 bytes: N, little-endian u64][N bytes: JSON header][data: every tensor's bytes, back to back]
//   header: {"wte.weight": {"dtype": "F32", "shape": [50257, 768], "data_offsets": [begin, end]},
//            ..., "__metadata__": {"format": "pt"}}
//
// Offsets count from the start of the data. The format has no code in it (unlike
// pickle), so reading an untrusted file is safe once every field is checked:
// the header must fit in the file, each tensor's bytes must be exactly
// shape × dtype size, lie inside the data, and the tensors must tile the data
// with no gap or overlap. Any failure throws a `SafeTensorsError` naming the
// tensor and the field. The header is read by the strict JSON reader
// (JSON.swift), so a name given twice, a byte-order mark or a shape of 2.0 is
// refused, as the safetensors library refuses them. The file is memory-mapped,
// so a tensor's bytes are read only when asked for.
//
// Depends on: NDArray, JSON.swift, Foundation (Data).
// Not here: which names a model uses (Checkpoint.swift, GPT2Checkpoint.swift).

import Foundation
import NDArray

/// What is wrong with a safetensors file.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read or written.
    case io(path: String, reason: String)
    /// Fewer than the 8 bytes that give the header's length.
    case truncatedLength(byteCount: Int)
    /// The header's length runs past the end of the file (or is absurd).
    case headerOutOfBounds(headerLength: UInt64, fileSize: Int)
    /// The header is not a JSON object, or a field has the wrong type.
    case invalidHeader(reason: String)
    /// A tensor's entry lacks a field or has a malformed one.
    case invalidEntry(tensor: String, field: String, reason: String)
    /// A dtype this reader does not know.
    case unsupportedDtype(tensor: String, dtype: String)
    /// A tensor's byte range does not match its shape and dtype, or falls outside the data.
    case badOffsets(tensor: String, begin: Int, end: Int, reason: String)
    /// The tensors do not tile the data: a gap, an overlap, or bytes left over.
    case badLayout(reason: String)
    /// No tensor of this name.
    case missingTensor(name: String)
    /// The tensor holds integers, booleans or floats where the other kind was asked for.
    case wrongKind(tensor: String, dtype: String, wanted: String)

    /// One line naming the tensor or field and what is wrong.
    public var description: String {
        switch self {
        case .io(let path, let reason): return "safetensors: \(path): \(reason)"
        case .truncatedLength(let n): return "safetensors: the file has \(n) bytes, fewer than the 8 of the header length"
        case .headerOutOfBounds(let length, let size):
            return "safetensors: the header length \(length) runs past the end of a \(size)-byte file"
        case .invalidHeader(let reason): return "safetensors: invalid header: \(reason)"
        case .invalidEntry(let tensor, let field, let reason): return "safetensors: tensor \"\(tensor)\": \(field): \(reason)"
        case .unsupportedDtype(let tensor, let dtype): return "safetensors: tensor \"\(tensor)\": unsupported dtype \(dtype)"
        case .badOffsets(let tensor, let begin, let end, let reason):
            return "safetensors: tensor \"\(tensor)\": data_offsets [\(begin), \(end)]: \(reason)"
        case .badLayout(let reason): return "safetensors: \(reason)"
        case .missingTensor(let name): return "safetensors: no tensor named \"\(name)\""
        case .wrongKind(let tensor, let dtype, let wanted):
            return "safetensors: tensor \"\(tensor)\" is \(dtype), not \(wanted)"
        }
    }
}

/// A safetensors file, opened: its table of contents, read lazily.
///
/// ```swift
/// let file = try SafeTensorsFile(contentsOf: url)
/// let wte: NDArray<Float> = try file.array("wte.weight")       // [V, C], converted from F16/BF16 if need be
/// ```
public struct SafeTensorsFile: @unchecked Sendable {
    /// An element type, by its safetensors name. Every byte-sized type the safetensors library
    /// knows opens; `array` reads the floating-point ones (F8 in both of PyTorch's forms), and
    /// `integerArray` the integers and booleans. C64 opens but has no reader here.
    public enum DType: String, Sendable, CaseIterable {
        case F64, F32, F16, BF16, F8_E4M3, F8_E5M2, I64, I32, I16, I8, U64, U32, U16, U8, BOOL, C64

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .F64, .I64, .U64, .C64: return 8
            case .F32, .I32, .U32: return 4
            case .F16, .BF16, .I16, .U16: return 2
            case .F8_E4M3, .F8_E5M2, .I8, .U8, .BOOL: return 1
            }
        }

        /// Whether it holds (real) floating-point numbers.
        public var isFloatingPoint: Bool { [.F64, .F32, .F16, .BF16, .F8_E4M3, .F8_E5M2].contains(self) }
        /// Whether it holds integers or booleans.
        public var isInteger: Bool { !isFloatingPoint && self != .C64 }
    }

    /// One tensor's entry in the header.
    public struct TensorInfo: Sendable, Equatable {
        /// Its element type.
        public var dtype: DType
        /// Its shape ([] for a scalar).
        public var shape: [Int]
        /// Where its bytes are, counted from the start of the data.
        public var byteRange: Range<Int>
    }

    /// The header's "__metadata__" (string to string), possibly empty.
    public let metadata: [String: String]
    /// Every tensor's entry, by name.
    public let tensors: [String: TensorInfo]
    /// The file's path when it was read from disk (nil for `init(data:)`).
    public private(set) var path: String?
    /// The whole file (memory-mapped when read from disk).
    let bytes: Data
    /// Where the data starts in `bytes`: 8 + N.
    let dataStart: Int

    /// How many bytes of tensor data follow the header.
    public var dataByteCount: Int { bytes.count - dataStart }

    /// The tensor names, in the order their bytes appear.
    public var names: [String] { tensors.sorted { $0.value.byteRange.lowerBound < $1.value.byteRange.lowerBound }.map(\.key) }

    /// Opens the file at `url` (memory-mapped) and checks its header.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SafeTensorsError.io(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        try self.init(data: data)
        path = url.path
    }

    /// Parses a whole file held in memory and checks its header.
    public init(data: Data) throws {
        bytes = data
        guard data.count >= 8 else { throw SafeTensorsError.truncatedLength(byteCount: data.count) }
        let headerLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) }
        guard headerLength <= UInt64(data.count - 8), headerLength <= 100_000_000 else {
            throw SafeTensorsError.headerOutOfBounds(headerLength: headerLength, fileSize: data.count)
        }
        dataStart = 8 + Int(headerLength)
        let document: JSONDocument
        do {
            document = try JSONDocument(parsing: data[data.startIndex + 8 ..< data.startIndex + dataStart])
        } catch {
            throw SafeTensorsError.invalidHeader(reason: "not valid JSON: \(error)")
        }
        guard case .object(let header) = document.root.kind else {
            throw SafeTensorsError.invalidHeader(reason: "expected a JSON object, found \(document.root.found)")
        }
        var metadata: [String: String] = [:]
        var tensors: [String: TensorInfo] = [:]
        let dataSize = data.count - dataStart
        for (name, value) in header {
            if name == "__metadata__" {
                switch value.kind {
                case .null: break                                        // as the safetensors library: no metadata
                case .object(let table):
                    for (key, item) in table {
                        guard case .string(let text) = item.kind else {
                            throw SafeTensorsError.invalidHeader(
                                reason: "__metadata__ value for \(jsonQuoted(key)): expected a string, found \(item.found) "
                                    + "(\(document.place(of: item)))")
                        }
                        metadata[key] = text
                    }
                default:
                    throw SafeTensorsError.invalidHeader(
                        reason: "__metadata__: expected an object of strings or null, found \(value.found) (\(document.place(of: value)))")
                }
                continue
            }
            if tensors[name] != nil {           // the parser refused equal bytes: this is an equal name by Swift's ==
                let other = tensors.keys.first { $0 == name }!                      // (canonical equivalence)
                throw SafeTensorsError.invalidHeader(
                    reason: "the tensor names \(jsonQuoted(other)) and \(jsonQuoted(name)) differ only in Unicode "
                        + "normalization, which this reader cannot tell apart")
            }
            tensors[name] = try Self.parseEntry(name, value, in: document, dataSize: dataSize)
        }
        // The tensors must tile the data exactly: sorted by offset, each begins where the last ended.
        var end = 0
        let byOffset = tensors.sorted {
            ($0.value.byteRange.lowerBound, $0.value.byteRange.upperBound, $0.key)
                < ($1.value.byteRange.lowerBound, $1.value.byteRange.upperBound, $1.key)    // empty tensors first
        }
        for (name, info) in byOffset {
            if info.byteRange.lowerBound != end {
                throw SafeTensorsError.badLayout(reason: "tensor \"\(name)\" starts at byte \(info.byteRange.lowerBound) "
                    + "of the data, but the tensors before it end at \(end) (\(info.byteRange.lowerBound < end ? "overlap" : "gap"))")
            }
            end = info.byteRange.upperBound
        }
        if end != dataSize {
            throw SafeTensorsError.badLayout(reason: "the tensors cover \(end) bytes of data, but the file has \(dataSize)")
        }
        self.metadata = metadata
        self.tensors = tensors
    }

    private static func parseEntry(_ name: String, _ value: JSON, in document: JSONDocument, dataSize: Int) throws -> TensorInfo {
        func refuse(_ field: String, _ expected: String, _ found: JSON) -> SafeTensorsError {
            .invalidEntry(tensor: name, field: field, reason: "expected \(expected), found \(found.found) (\(document.place(of: found)))")
        }
        // Fields other than these three are ignored, as the safetensors library ignores them.
        guard case .object = value.kind else { throw refuse("entry", "an object", value) }
        guard let dtypeValue = value["dtype"] else { throw SafeTensorsError.invalidEntry(tensor: name, field: "dtype", reason: "missing") }
        guard case .string(let dtypeName) = dtypeValue.kind else { throw refuse("dtype", "a string", dtypeValue) }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw SafeTensorsError.unsupportedDtype(tensor: name, dtype: dtypeName)
        }
        /// A list of integers ≥ 0 written as integers (2.0 is not one), each within Int's range.
        func sizes(_ field: String) throws -> [Int] {
            guard let list = value[field] else { throw SafeTensorsError.invalidEntry(tensor: name, field: field, reason: "missing") }
            guard case .array(let items) = list.kind else { throw refuse(field, "a list of integers ≥ 0", list) }
            return try items.enumerated().map { index, item in
                guard let n = item.unsignedInteger else { throw refuse("\(field)[\(index)]", "an integer in 0…\(Int.max)", item) }
                return n
            }
        }
        let shape = try sizes("shape")
        let offsets = try sizes("data_offsets")
        guard offsets.count == 2 else {
            throw SafeTensorsError.invalidEntry(tensor: name, field: "data_offsets",
                                                reason: "expected [begin, end], found a list of \(offsets.count)")
        }
        let (begin, end) = (offsets[0], offsets[1])
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            if overflow { throw SafeTensorsError.invalidEntry(tensor: name, field: "shape", reason: "\(shape) is too large") }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.size)
        if overflow { throw SafeTensorsError.invalidEntry(tensor: name, field: "shape", reason: "\(shape) is too large") }
        if begin < 0 || end < begin {
            throw SafeTensorsError.badOffsets(tensor: name, begin: begin, end: end, reason: "need 0 ≤ begin ≤ end")
        }
        if end > dataSize {
            throw SafeTensorsError.badOffsets(tensor: name, begin: begin, end: end,
                                              reason: "past the end of the data (\(dataSize) bytes): the file is truncated")
        }
        if end - begin != byteCount {
            throw SafeTensorsError.badOffsets(tensor: name, begin: begin, end: end,
                                              reason: "\(end - begin) bytes, but shape \(shape) of \(dtype) needs \(byteCount)")
        }
        return TensorInfo(dtype: dtype, shape: shape, byteRange: begin..<end)
    }

    private func info(_ name: String) throws -> TensorInfo {
        guard let info = tensors[name] else { throw SafeTensorsError.missingTensor(name: name) }
        return info
    }

    /// The floating-point tensor `name`, converted to `S` (F64, F32, F16, BF16, F8_E4M3 and F8_E5M2 are read),
    /// in its stored shape (e.g. [V, C]).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    public func array<S: NDFloatingPoint>(_ name: String, as type: S.Type = S.self) throws -> NDArray<S> {
        let info = try info(name)
        guard info.dtype.isFloatingPoint else {
            throw SafeTensorsError.wrongKind(tensor: name, dtype: info.dtype.rawValue, wanted: "a floating-point type")
        }
        let start = dataStart + info.byteRange.lowerBound
        return bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + start
            return NDArray(unsafeUninitializedShape: info.shape) { out in
                if S.self == Float.self && info.dtype == .F32 {
                    // The common case, one copy: the bytes are little-endian floats (as on every host Swift runs on).
                    if !out.isEmpty { UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: base, byteCount: out.count * 4) }
                } else {
                    for i in out.indices { out[i] = S(Self.readFloat(base, index: i, dtype: info.dtype)) }
                }
            }
        }
    }

    /// The integer or boolean tensor `name` as Int (I64, I32, I16, I8, U64, U32, U16, U8, BOOL are read;
    /// a U64 above Int.max throws), in its stored shape.
    public func integerArray(_ name: String) throws -> NDArray<Int> {
        let info = try info(name)
        guard info.dtype.isInteger else {
            throw SafeTensorsError.wrongKind(tensor: name, dtype: info.dtype.rawValue, wanted: "an integer type")
        }
        let count = info.shape.reduce(1, *)
        let start = dataStart + info.byteRange.lowerBound
        let values = bytes.withUnsafeBytes { raw -> [Int?] in
            (0..<count).map { i in
                let at = start + i * info.dtype.size
                switch info.dtype {
                case .I64: return Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int64.self)))
                case .U64: return Int(exactly: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)))
                case .I32: return Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int32.self)))
                case .U32: return Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                case .I16: return Int(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: Int16.self)))
                case .U16: return Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
                case .I8: return Int(raw.load(fromByteOffset: at, as: Int8.self))
                case .BOOL: return raw.load(fromByteOffset: at, as: UInt8.self) != 0 ? 1 : 0
                default: return Int(raw.load(fromByteOffset: at, as: UInt8.self))
                }
            }
        }
        guard let exact = Optional(values.compactMap { $0 }), exact.count == count else {
            throw SafeTensorsError.wrongKind(tensor: name, dtype: info.dtype.rawValue, wanted: "integers that fit an Int")
        }
        return NDArray(shape: info.shape, scalars: exact)
    }

    /// Element `index` of a floating-point tensor starting at `base`, as a Double.
    private static func readFloat(_ base: UnsafeRawPointer, index i: Int, dtype: DType) -> Double {
        switch dtype {
        case .F64: return Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
        case .F32: return Double(Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))
        case .F16: return halfToDouble(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        case .BF16:   // the top half of a Float's bits
            return Double(Float(bitPattern: UInt32(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16))
        case .F8_E5M2:   // the top byte of a half
            return halfToDouble(UInt16(base.load(fromByteOffset: i, as: UInt8.self)) << 8)
        default:   // F8_E4M3 (PyTorch's float8_e4m3fn): 4 exponent bits (bias 7), 3 fraction bits, no infinities
            let bits = base.load(fromByteOffset: i, as: UInt8.self)
            let sign: Double = bits & 0x80 != 0 ? -1 : 1
            let exponent = Int((bits >> 3) & 0xF), fraction = Double(bits & 0x7)
            if exponent == 15 && bits & 0x7 == 7 { return .nan }
            if exponent == 0 { return sign * fraction * 0x1p-9 }                    // subnormal: f / 2³ · 2⁻⁶
            return sign * (1 + fraction / 8) * Foundation.pow(2, Double(exponent - 7))
        }
    }

    /// IEEE half precision → Double: sign, 5 exponent bits (bias 15), 10 fraction bits.
    static func halfToDouble(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F), fraction = Double(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24                                   // subnormal: f / 2¹⁰ · 2⁻¹⁴
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Foundation.pow(2, Double(exponent - 15))
        }
    }

    /// Writes `tensors` as F32 (or F64 for Double arrays) with `metadata`, atomically: the file
    /// appears whole or not at all. Names must be unique.
    /// - Parameter tensors: (name, array) pairs, written in this order
    public static func write<S: NDFloatingPoint>(_ tensors: [(String, NDArray<S>)], metadata: [String: String] = [:],
                                                 to url: URL) throws {
        let dtype = S.self == Double.self ? "F64" : "F32"
        let size = S.self == Double.self ? 8 : 4
        var entries: [String] = []
        var offset = 0
        var seen: Set<String> = []
        for (name, array) in tensors {
            guard seen.insert(name).inserted else {
                throw SafeTensorsError.invalidEntry(tensor: name, field: "name", reason: "given twice")
            }
            let byteCount = array.count * size
            entries.append("\(jsonQuoted(name)):{\"dtype\":\"\(dtype)\",\"shape\":\(array.shape),"
                           + "\"data_offsets\":[\(offset),\(offset + byteCount)]}")
            offset += byteCount
        }
        if !metadata.isEmpty {
            let items = metadata.sorted { $0.key < $1.key }.map { "\(jsonQuoted($0.key)):\(jsonQuoted($0.value))" }
            entries.insert("\"__metadata__\":{" + items.joined(separator: ",") + "}", at: 0)
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }          // aligns the data, as safetensors does
        var file = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: header)
        for (_, array) in tensors {
            if S.self == Float.self {
                array.contiguous().withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: UInt8.self) { file.append(contentsOf: $0) }   // little-endian hosts
                }
            } else {
                for x in array.scalars as! [Double] { withUnsafeBytes(of: x.bitPattern.littleEndian) { file.append(contentsOf: $0) } }
            }
        }
        do {
            try file.write(to: url, options: .atomic)
        } catch {
            throw SafeTensorsError.io(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
