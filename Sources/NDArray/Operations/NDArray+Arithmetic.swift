// NDArray+Arithmetic.swift — + − × ÷ and the element-wise math functions,
// all with NumPy's broadcasting.
//
//   x + y     arrays of shapes that broadcast ([B, T, C] + [C])
//   x * 2     an array and a scalar, on either side
//   -x, exp(x), log(x), sqrt(x), tanh(x), abs(x), round(x, decimals:), pow(x, y),
//   maximum(x, y), minimum(x, y), clip(x, min: a, max: b)
//
// An array and a scalar go through the arrays' operators, the scalar as a 0-d
// array broadcast to every element, so a large `x * s` takes the same threaded
// kernel as `x * y` (a literal, `x * 2`, is a 0-d array already). Every result
// is a new contiguous array; `+=` and friends write in place when
// the left side is contiguous and its storage is not shared (else they build a
// new array and assign it). Integer arithmetic wraps on overflow,
// as in NumPy. `/` is defined for Float and Double only: convert integers
// with `asType(Float.self)` first (NumPy would promote them silently).
//
// Not here: type promotion between element types, integer division, bitwise
// operators on integers.

// MARK: - + − ×

extension NDArray where Scalar: NDNumeric {
    /// Element-wise sum with broadcasting. NumPy: `a + b`.
    @inlinable
    public static func + (lhs: NDArray, rhs: NDArray) -> NDArray {
        zipMap("add", lhs, rhs) { Scalar.wrappingSum($0, $1) }
    }
    /// Adds `rhs` to every element. NumPy: `a + 2`.
    @_disfavoredOverload @inlinable public static func + (lhs: NDArray, rhs: Scalar) -> NDArray { lhs + NDArray(rhs) }
    /// Adds `lhs` to every element. NumPy: `2 + a`.
    @_disfavoredOverload @inlinable public static func + (lhs: Scalar, rhs: NDArray) -> NDArray { NDArray(lhs) + rhs }

    /// Element-wise difference with broadcasting. NumPy: `a - b`.
    @inlinable
    public static func - (lhs: NDArray, rhs: NDArray) -> NDArray {
        zipMap("subtract", lhs, rhs) { Scalar.wrappingDifference($0, $1) }
    }
    /// Subtracts `rhs` from every element. NumPy: `a - 2`.
    @_disfavoredOverload @inlinable public static func - (lhs: NDArray, rhs: Scalar) -> NDArray { lhs - NDArray(rhs) }
    /// Subtracts every element from `lhs`. NumPy: `2 - a`.
    @_disfavoredOverload @inlinable public static func - (lhs: Scalar, rhs: NDArray) -> NDArray { NDArray(lhs) - rhs }

    /// Element-wise product with broadcasting (not the matrix product: see `matmul`). NumPy: `a * b`.
    @inlinable
    public static func * (lhs: NDArray, rhs: NDArray) -> NDArray {
        zipMap("multiply", lhs, rhs) { Scalar.wrappingProduct($0, $1) }
    }
    /// Multiplies every element by `rhs`. NumPy: `a * 2`.
    @_disfavoredOverload @inlinable public static func * (lhs: NDArray, rhs: Scalar) -> NDArray { lhs * NDArray(rhs) }
    /// Multiplies every element by `lhs`. NumPy: `2 * a`.
    @_disfavoredOverload @inlinable public static func * (lhs: Scalar, rhs: NDArray) -> NDArray { NDArray(lhs) * rhs }

    /// Adds `rhs`, broadcast to the shape of `lhs`, in place. NumPy: `a += b`.
    @inlinable
    public static func += (lhs: inout NDArray, rhs: NDArray) { lhs.formElementwise("add", rhs) { Scalar.wrappingSum($0, $1) } }
    /// Adds `rhs` to every element in place.
    @_disfavoredOverload @inlinable public static func += (lhs: inout NDArray, rhs: Scalar) { lhs.formElementwise("add", NDArray(rhs)) { Scalar.wrappingSum($0, $1) } }
    /// Subtracts `rhs`, broadcast to the shape of `lhs`, in place. NumPy: `a -= b`.
    @inlinable
    public static func -= (lhs: inout NDArray, rhs: NDArray) { lhs.formElementwise("subtract", rhs) { Scalar.wrappingDifference($0, $1) } }
    /// Subtracts `rhs` from every element in place.
    @_disfavoredOverload @inlinable public static func -= (lhs: inout NDArray, rhs: Scalar) { lhs.formElementwise("subtract", NDArray(rhs)) { Scalar.wrappingDifference($0, $1) } }
    /// Multiplies by `rhs`, broadcast to the shape of `lhs`, in place. NumPy: `a *= b`.
    @inlinable
    public static func *= (lhs: inout NDArray, rhs: NDArray) { lhs.formElementwise("multiply", rhs) { Scalar.wrappingProduct($0, $1) } }
    /// Multiplies every element by `rhs` in place.
    @_disfavoredOverload @inlinable public static func *= (lhs: inout NDArray, rhs: Scalar) { lhs.formElementwise("multiply", NDArray(rhs)) { Scalar.wrappingProduct($0, $1) } }

    /// `self[i…] = f(self[i…], other[i…])` with `other` broadcast to this shape;
    /// in place when the storage is not shared.
    @inlinable
    mutating func formElementwise(_ operation: String, _ other: NDArray, _ f: (Scalar, Scalar) -> Scalar) {
        let joint = broadcastShapesOrTrap(shape, other.shape, operation: operation)
        if joint != shape {
            shapeFailure(operation, "in place: the result of shapes \(describe(shape)) and \(describe(other.shape)) "
                            + "would have shape \(describe(joint)), not \(describe(shape)) (the left side cannot grow)")
        }
        if isContiguous && !hasOverlappingElements && isKnownUniquelyReferenced(&storage) {
            zipMap(self, other, shape: shape, into: storage.base + offset, operation: operation, f)
        } else {
            self = zipMap(operation, self, other, f)
        }
    }
}

// MARK: - ÷ and negation

extension NDArray where Scalar: NDFloatingPoint {
    /// Element-wise quotient with broadcasting. NumPy: `a / b`.
    @inlinable
    public static func / (lhs: NDArray, rhs: NDArray) -> NDArray { zipMap("divide", lhs, rhs) { $0 / $1 } }
    /// Divides every element by `rhs`. NumPy: `a / 2`.
    @_disfavoredOverload @inlinable public static func / (lhs: NDArray, rhs: Scalar) -> NDArray { lhs / NDArray(rhs) }
    /// Divides `lhs` by every element. NumPy: `1 / a`.
    @_disfavoredOverload @inlinable public static func / (lhs: Scalar, rhs: NDArray) -> NDArray { NDArray(lhs) / rhs }
    /// Divides by `rhs`, broadcast to the shape of `lhs`, in place. NumPy: `a /= b`.
    @inlinable
    public static func /= (lhs: inout NDArray, rhs: NDArray) { lhs.formElementwise("divide", rhs) { $0 / $1 } }
    /// Divides every element by `rhs` in place.
    @_disfavoredOverload @inlinable public static func /= (lhs: inout NDArray, rhs: Scalar) { lhs.formElementwise("divide", NDArray(rhs)) { $0 / $1 } }

    /// Every element negated. NumPy: `-a`.
    @inlinable public static prefix func - (x: NDArray) -> NDArray { x.map { -$0 } }
}

extension NDArray where Scalar: NDNumeric & SignedInteger & FixedWidthInteger {
    /// Every element negated (wrapping for the most negative value). NumPy: `-a`.
    @inlinable public static prefix func - (x: NDArray) -> NDArray { x.map { 0 &- $0 } }
}

// MARK: - Math functions (NumPy's ufuncs)

/// e raised to each element. NumPy: `np.exp`.
@inlinable public func exp<S: NDFloatingPoint>(_ x: NDArray<S>) -> NDArray<S> { x.map { S.exp($0) } }
/// The natural logarithm of each element (NaN below 0, -inf at 0). NumPy: `np.log`.
@inlinable public func log<S: NDFloatingPoint>(_ x: NDArray<S>) -> NDArray<S> { x.map { S.log($0) } }
/// The square root of each element (NaN below 0). NumPy: `np.sqrt`.
@inlinable public func sqrt<S: NDFloatingPoint>(_ x: NDArray<S>) -> NDArray<S> { x.map { $0.squareRoot() } }
/// The hyperbolic tangent of each element (Float: the vectorised kernel of Kernels/Activations.swift). NumPy: `np.tanh`.
@inlinable public func tanh<S: NDFloatingPoint>(_ x: NDArray<S>) -> NDArray<S> { applyUnary(.tanh, x) }
/// The absolute value of each element. NumPy: `np.abs`.
@inlinable public func abs<S: NDFloatingPoint>(_ x: NDArray<S>) -> NDArray<S> { x.map { Swift.abs($0) } }
/// The absolute value of each element (the most negative value stays as it is, as in NumPy). NumPy: `np.abs`.
@inlinable public func abs<S: NDNumeric & SignedInteger & FixedWidthInteger>(_ x: NDArray<S>) -> NDArray<S> {
    x.map { $0 < 0 ? 0 &- $0 : $0 }
}

/// Each element rounded to `decimals` places after the point (negative: before it), halves
/// to the even neighbour, computed as NumPy computes it: scale by 10^decimals, round, scale back.
/// NumPy: `np.round(x, decimals)`. For printing results that should not depend on the last bits.
@inlinable public func round<S: NDFloatingPoint>(_ x: NDArray<S>, decimals: Int = 0) -> NDArray<S> {
    precondition(abs(decimals) <= 300, "round: decimals \(decimals) is out of range (at most ±300)")
    var scale: S = 1
    for _ in 0..<abs(decimals) { scale *= 10 }
    if decimals >= 0 { return x.map { ($0 * scale).rounded(.toNearestOrEven) / scale } }
    return x.map { ($0 / scale).rounded(.toNearestOrEven) * scale }
}

/// Each element of `x` raised to the matching element of `y`, broadcast. NumPy: `np.power(x, y)`.
@inlinable
public func pow<S: NDFloatingPoint>(_ x: NDArray<S>, _ y: NDArray<S>) -> NDArray<S> { zipMap("power", x, y) { S.pow($0, $1) } }
/// Each element raised to `y`. NumPy: `x ** y`.
@_disfavoredOverload @inlinable public func pow<S: NDFloatingPoint>(_ x: NDArray<S>, _ y: S) -> NDArray<S> { x.map { S.pow($0, y) } }
/// `x` raised to each element of `y`. NumPy: `x ** y` with a scalar base.
@_disfavoredOverload @inlinable public func pow<S: NDFloatingPoint>(_ x: S, _ y: NDArray<S>) -> NDArray<S> { y.map { S.pow(x, $0) } }

/// The larger of two values, NaN if either is NaN (NumPy's rule).
@inlinable func propagatingMax<S: NDNumeric>(_ a: S, _ b: S) -> S {
    a.isNaNValue ? a : (b.isNaNValue ? b : (a >= b ? a : b))
}

/// The smaller of two values, NaN if either is NaN (NumPy's rule).
@inlinable func propagatingMin<S: NDNumeric>(_ a: S, _ b: S) -> S {
    a.isNaNValue ? a : (b.isNaNValue ? b : (a <= b ? a : b))
}

/// The element-wise larger of two arrays, broadcast; NaN wins. NumPy: `np.maximum`.
@inlinable
public func maximum<S: NDNumeric>(_ x: NDArray<S>, _ y: NDArray<S>) -> NDArray<S> { zipMap("maximum", x, y, propagatingMax) }
/// Each element or `y`, whichever is larger (`maximum(x, 0)` is ReLU). NumPy: `np.maximum(x, y)`.
@_disfavoredOverload @inlinable public func maximum<S: NDNumeric>(_ x: NDArray<S>, _ y: S) -> NDArray<S> { x.map { propagatingMax($0, y) } }
/// The element-wise smaller of two arrays, broadcast; NaN wins. NumPy: `np.minimum`.
@inlinable
public func minimum<S: NDNumeric>(_ x: NDArray<S>, _ y: NDArray<S>) -> NDArray<S> { zipMap("minimum", x, y, propagatingMin) }
/// Each element or `y`, whichever is smaller. NumPy: `np.minimum(x, y)`.
@_disfavoredOverload @inlinable public func minimum<S: NDNumeric>(_ x: NDArray<S>, _ y: S) -> NDArray<S> { x.map { propagatingMin($0, y) } }

/// Each element limited to [`min`, `max`]; NaN stays NaN. NumPy: `np.clip(x, min, max)`.
@inlinable
public func clip<S: NDNumeric>(_ x: NDArray<S>, min low: S, max high: S) -> NDArray<S> {
    x.map { propagatingMin(propagatingMax($0, low), high) }
}
