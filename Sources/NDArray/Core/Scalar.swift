// Scalar.swift — the element types an NDArray can hold.
//
// Float is the workhorse, Double serves precise checks (gradient checks, golden
// tests), Int / Int32 / Int64 hold token ids and indices, Bool holds masks.
//
//   NDArrayScalar          every element type: Float Double Int Int32 Int64 Bool
//   └ NDNumeric            + - * and comparisons: the numbers
//     └ NDFloatingPoint    / exp log sqrt tanh pow: Float and Double
//
// Not here: float16 / bfloat16, complex numbers, unsigned and 8/16-bit integers.

import Foundation

/// A value of any element type, used to convert between element types.
public enum ScalarValue: Sendable, Equatable, CustomStringConvertible {
    case integer(Int64)
    case floating(Double)
    case boolean(Bool)

    /// The value alone: `nan`, `3`, `true`.
    public var description: String {
        switch self {
        case .integer(let v): "\(v)"
        case .floating(let v): "\(v)"
        case .boolean(let v): "\(v)"
        }
    }
}

/// An element type an ``NDArray`` can hold.
public protocol NDArrayScalar: BitwiseCopyable, Sendable, Equatable, CustomStringConvertible {
    /// NumPy's name for the element type: `float32`, `float64`, `int32`, `int64`, `bool`.
    static var dtypeName: String { get }
    /// The `.npy` type descriptor this type is written with (`<f4`, `<f8`, `<i4`, `<i8`, `|b1`).
    static var npyDescriptor: String { get }
    /// This value, in a form any element type can be built from.
    var scalarValue: ScalarValue { get }
    /// Converts as NumPy's `astype` does: floats truncate toward zero when they
    /// become integers, nonzero becomes `true`, `true` becomes 1; nil when the
    /// value has no counterpart (NaN, infinity or an out-of-range float converted
    /// to an integer type).
    init?(exactlyConverting value: ScalarValue)
    /// Formats the visible elements of an array the way NumPy prints them.
    static func makeElementFormatter(for visible: [Self], style: ElementStyle) -> ElementFormatter<Self>
}

/// Element types with arithmetic and an order: the numbers.
///
/// Integer arithmetic wraps around on overflow, as NumPy's does (Swift's own
/// `+` would trap); that is why the kernels use the `wrapping…` functions.
public protocol NDNumeric: NDArrayScalar, Numeric, Comparable {
    /// `a + b`, wrapping on integer overflow.
    static func wrappingSum(_ a: Self, _ b: Self) -> Self
    /// `a - b`, wrapping on integer overflow.
    static func wrappingDifference(_ a: Self, _ b: Self) -> Self
    /// `a * b`, wrapping on integer overflow.
    static func wrappingProduct(_ a: Self, _ b: Self) -> Self
    /// Whether this value is NaN (always `false` for integers). NaN wins in max, min and argmax, as in NumPy.
    var isNaNValue: Bool { get }
}

/// Float and Double: the element types with division and the transcendental functions.
public protocol NDFloatingPoint: NDNumeric, BinaryFloatingPoint, SignedNumeric, LosslessStringConvertible
where Self.RawSignificand: FixedWidthInteger {
    /// e raised to `x`. NumPy: `np.exp`.
    static func exp(_ x: Self) -> Self
    /// The natural logarithm. NumPy: `np.log`.
    static func log(_ x: Self) -> Self
    /// The hyperbolic tangent. NumPy: `np.tanh`.
    static func tanh(_ x: Self) -> Self
    /// `x` raised to `y`. NumPy: `np.power`.
    static func pow(_ x: Self, _ y: Self) -> Self
    /// Powers of ten below this print positionally as a 0-d array or a scalar
    /// (NumPy: 1e6 for float32, 1e16 for float64).
    static var positionalPrintLimit: Double { get }
    /// Arrays whose largest magnitude reaches this print in scientific notation
    /// (NumPy: 1e6 for float32, 1e8 for float64).
    static var arrayPositionalPrintLimit: Double { get }
}

// MARK: - Defaults shared by the families

extension NDArrayScalar {
    /// Converts as NumPy's `astype` does (see `init?(exactlyConverting:)`); traps
    /// when the value has no counterpart, naming it.
    @inlinable
    public init(converting value: ScalarValue) {
        guard let converted = Self(exactlyConverting: value) else {
            shapeFailure("asType", "\(value) cannot be converted to \(Self.dtypeName)")
        }
        self = converted
    }
}

extension NDNumeric where Self: FixedWidthInteger {
    @inlinable public static func wrappingSum(_ a: Self, _ b: Self) -> Self { a &+ b }
    @inlinable public static func wrappingDifference(_ a: Self, _ b: Self) -> Self { a &- b }
    @inlinable public static func wrappingProduct(_ a: Self, _ b: Self) -> Self { a &* b }
    @inlinable public var isNaNValue: Bool { false }
    @inlinable public var scalarValue: ScalarValue { .integer(Int64(self)) }
    @inlinable
    public init?(exactlyConverting value: ScalarValue) {
        switch value {
        case .integer(let v):
            // NumPy wraps an integer that does not fit; so do we.
            self.init(truncatingIfNeeded: v)
        case .floating(let v):
            guard v.isFinite, let exact = Self(exactly: v.rounded(.towardZero)) else { return nil }
            self = exact
        case .boolean(let v):
            self = v ? 1 : 0
        }
    }
    public static func makeElementFormatter(for visible: [Self], style: ElementStyle) -> ElementFormatter<Self> {
        .integers(visible)
    }
}

extension NDNumeric where Self: NDFloatingPoint {
    @inlinable public static func wrappingSum(_ a: Self, _ b: Self) -> Self { a + b }
    @inlinable public static func wrappingDifference(_ a: Self, _ b: Self) -> Self { a - b }
    @inlinable public static func wrappingProduct(_ a: Self, _ b: Self) -> Self { a * b }
    @inlinable public var isNaNValue: Bool { isNaN }
    @inlinable public var scalarValue: ScalarValue { .floating(Double(self)) }
    @inlinable
    public init?(exactlyConverting value: ScalarValue) {
        switch value {
        case .integer(let v): self.init(v)
        case .floating(let v): self.init(v)
        case .boolean(let v): self = v ? 1 : 0
        }
    }
    public static func makeElementFormatter(for visible: [Self], style: ElementStyle) -> ElementFormatter<Self> {
        style == .scalar ? .floatingScalar : .floating(visible)
    }
}

// MARK: - Conformances

extension Float: NDFloatingPoint {
    public static var dtypeName: String { "float32" }
    public static var npyDescriptor: String { "<f4" }
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.log(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
    public static var positionalPrintLimit: Double { 1e6 }
    public static var arrayPositionalPrintLimit: Double { 1e6 }
}

extension Double: NDFloatingPoint {
    public static var dtypeName: String { "float64" }
    public static var npyDescriptor: String { "<f8" }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
    public static var positionalPrintLimit: Double { 1e16 }
    public static var arrayPositionalPrintLimit: Double { 1e8 }
}

extension Int: NDNumeric {
    public static var dtypeName: String { "int64" }
    public static var npyDescriptor: String { "<i8" }
}

extension Int64: NDNumeric {
    public static var dtypeName: String { "int64" }
    public static var npyDescriptor: String { "<i8" }
}

extension Int32: NDNumeric {
    public static var dtypeName: String { "int32" }
    public static var npyDescriptor: String { "<i4" }
}

extension Bool: NDArrayScalar {
    public static var dtypeName: String { "bool" }
    public static var npyDescriptor: String { "|b1" }
    @inlinable public var scalarValue: ScalarValue { .boolean(self) }
    @inlinable
    public init?(exactlyConverting value: ScalarValue) {
        switch value {
        case .integer(let v): self = v != 0
        case .floating(let v): self = v != 0
        case .boolean(let v): self = v
        }
    }
    public static func makeElementFormatter(for visible: [Bool], style: ElementStyle) -> ElementFormatter<Bool> {
        .booleans(padded: style == .array)
    }
}
