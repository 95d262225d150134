// NDArray+Comparison.swift — element-wise comparisons that give masks, and
// choosing with a mask.
//
//   x .> 0                        NDArray<Bool>, same shape as x
//   x .== y                       broadcast, element by element
//   NDArray.where(m, x, 0.1 * x)  m ? x : 0.1·x, element by element
//   x == y                        one Bool: same shape and same elements
//
// NaN compares unequal to everything, itself included, as in NumPy.
//
// Not here: boolean-mask indexing (`x[m]`); use `where`.

// MARK: - Comparisons giving masks

extension NDArray {
    /// Element-wise equality with broadcasting. NumPy: `a == b`.
    @inlinable
    public static func .== (lhs: NDArray, rhs: NDArray) -> NDArray<Bool> { zipMap("equal", lhs, rhs) { $0 == $1 } }
    /// Element-wise inequality with broadcasting. NumPy: `a != b`.
    @inlinable
    public static func .!= (lhs: NDArray, rhs: NDArray) -> NDArray<Bool> { zipMap("not_equal", lhs, rhs) { $0 != $1 } }
    /// Whether each element equals `rhs`. NumPy: `a == 2`.
    @_disfavoredOverload @inlinable public static func .== (lhs: NDArray, rhs: Scalar) -> NDArray<Bool> { lhs.map { $0 == rhs } }
    /// Whether each element differs from `rhs`. NumPy: `a != 2`.
    @_disfavoredOverload @inlinable public static func .!= (lhs: NDArray, rhs: Scalar) -> NDArray<Bool> { lhs.map { $0 != rhs } }
}

extension NDArray where Scalar: NDNumeric {
    /// Element-wise `<` with broadcasting. NumPy: `a < b`.
    @inlinable
    public static func .< (lhs: NDArray, rhs: NDArray) -> NDArray<Bool> { zipMap("less", lhs, rhs) { $0 < $1 } }
    /// Element-wise `<=` with broadcasting. NumPy: `a <= b`.
    @inlinable
    public static func .<= (lhs: NDArray, rhs: NDArray) -> NDArray<Bool> { zipMap("less_equal", lhs, rhs) { $0 <= $1 } }
    /// Element-wise `>` with broadcasting. NumPy: `a > b`.
    @inlinable
    public static func .> (lhs: NDArray, rhs: NDArray) -> NDArray<Bool> { zipMap("greater", lhs, rhs) { $0 > $1 } }
    /// Element-wise `>=` with broadcasting. NumPy: `a >= b`.
    @inlinable
    public static func .>= (lhs: NDArray, rhs: NDArray) -> NDArray<Bool> { zipMap("greater_equal", lhs, rhs) { $0 >= $1 } }

    /// Whether each element is below `rhs`. NumPy: `a < 2`.
    @_disfavoredOverload @inlinable public static func .< (lhs: NDArray, rhs: Scalar) -> NDArray<Bool> { lhs.map { $0 < rhs } }
    /// Whether each element is at most `rhs`. NumPy: `a <= 2`.
    @_disfavoredOverload @inlinable public static func .<= (lhs: NDArray, rhs: Scalar) -> NDArray<Bool> { lhs.map { $0 <= rhs } }
    /// Whether each element is above `rhs`. NumPy: `a > 2`.
    @_disfavoredOverload @inlinable public static func .> (lhs: NDArray, rhs: Scalar) -> NDArray<Bool> { lhs.map { $0 > rhs } }
    /// Whether each element is at least `rhs`. NumPy: `a >= 2`.
    @_disfavoredOverload @inlinable public static func .>= (lhs: NDArray, rhs: Scalar) -> NDArray<Bool> { lhs.map { $0 >= rhs } }
    /// Whether `lhs` is below each element. NumPy: `2 < a`.
    @_disfavoredOverload @inlinable public static func .< (lhs: Scalar, rhs: NDArray) -> NDArray<Bool> { rhs.map { lhs < $0 } }
    /// Whether `lhs` is at most each element. NumPy: `2 <= a`.
    @_disfavoredOverload @inlinable public static func .<= (lhs: Scalar, rhs: NDArray) -> NDArray<Bool> { rhs.map { lhs <= $0 } }
    /// Whether `lhs` is above each element. NumPy: `2 > a`.
    @_disfavoredOverload @inlinable public static func .> (lhs: Scalar, rhs: NDArray) -> NDArray<Bool> { rhs.map { lhs > $0 } }
    /// Whether `lhs` is at least each element. NumPy: `2 >= a`.
    @_disfavoredOverload @inlinable public static func .>= (lhs: Scalar, rhs: NDArray) -> NDArray<Bool> { rhs.map { lhs >= $0 } }
}

/// Whether each pair of elements is equal within `absoluteTolerance + relativeTolerance·|b|`,
/// broadcast; NaN never is. NumPy: `np.isclose(a, b, rtol, atol)`.
@inlinable
public func isClose<S: NDFloatingPoint>(_ a: NDArray<S>, _ b: NDArray<S>, relativeTolerance: S = 1e-5,
                                        absoluteTolerance: S = 1e-8) -> NDArray<Bool> {
    zipMap("isclose", a, b) { x, y in
        x == y || Swift.abs(x - y) <= absoluteTolerance + relativeTolerance * Swift.abs(y)
    }
}

extension NDArray where Scalar: NDFloatingPoint {
    /// Whether every pair of elements is close (see ``isClose(_:_:relativeTolerance:absoluteTolerance:)``).
    /// NumPy: `np.allclose(a, b, rtol, atol)`.
    @inlinable
    public func allClose(to other: NDArray, relativeTolerance: Scalar = 1e-5,
                         absoluteTolerance: Scalar = 1e-8) -> Bool {
        isClose(self, other, relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance).all()
    }
}

// MARK: - Choosing with a mask

extension NDArray {
    /// `a` where `condition` is true and `b` where it is false, all three
    /// broadcast together. NumPy: `np.where(condition, a, b)`.
    ///
    /// ```swift
    /// let leaky = NDArray.where(x .> 0, x, 0.01 * x)
    /// ```
    @inlinable
    public static func `where`(_ condition: NDArray<Bool>, _ a: NDArray, _ b: NDArray) -> NDArray {
        zipMap("where", condition, a, b) { $0 ? $1 : $2 }
    }

    /// `a` where `condition` is true and the number `b` elsewhere. NumPy: `np.where(condition, a, b)`.
    @_disfavoredOverload @inlinable
    public static func `where`(_ condition: NDArray<Bool>, _ a: NDArray, _ b: Scalar) -> NDArray {
        zipMap("where", condition, a, NDArray(b)) { $0 ? $1 : $2 }
    }

    /// The number `a` where `condition` is true and `b` elsewhere. NumPy: `np.where(condition, a, b)`.
    @_disfavoredOverload @inlinable
    public static func `where`(_ condition: NDArray<Bool>, _ a: Scalar, _ b: NDArray) -> NDArray {
        zipMap("where", condition, NDArray(a), b) { $0 ? $1 : $2 }
    }
}

/// Whether each element is NaN. NumPy: `np.isnan`.
@inlinable public func isNaN<S: NDFloatingPoint>(_ x: NDArray<S>) -> NDArray<Bool> { x.map { $0.isNaN } }
/// Whether each element is finite (neither infinite nor NaN). NumPy: `np.isfinite`.
@inlinable public func isFinite<S: NDFloatingPoint>(_ x: NDArray<S>) -> NDArray<Bool> { x.map { $0.isFinite } }

// MARK: - Logic on masks

extension NDArray where Scalar == Bool {
    /// Element-wise and, broadcast. NumPy: `a & b`.
    @inlinable public static func .& (lhs: NDArray, rhs: NDArray) -> NDArray { zipMap("logical_and", lhs, rhs) { $0 && $1 } }
    /// Element-wise or, broadcast. NumPy: `a | b`.
    @inlinable public static func .| (lhs: NDArray, rhs: NDArray) -> NDArray { zipMap("logical_or", lhs, rhs) { $0 || $1 } }
    /// Element-wise exclusive or, broadcast. NumPy: `a ^ b`.
    @inlinable public static func .^ (lhs: NDArray, rhs: NDArray) -> NDArray { zipMap("logical_xor", lhs, rhs) { $0 != $1 } }
    /// Element-wise not. NumPy: `~a`.
    @inlinable public static prefix func .! (x: NDArray) -> NDArray { x.map { !$0 } }

    /// Whether any element is true (false for an empty array). NumPy: `a.any()`.
    @inlinable public func any() -> Bool { scalars.contains(true) }
    /// Whether every element is true (true for an empty array). NumPy: `a.all()`.
    @inlinable public func all() -> Bool { !scalars.contains(false) }
    /// The number of true elements. NumPy: `np.count_nonzero(a)`.
    @inlinable public func countTrue() -> Int { scalars.lazy.filter { $0 }.count }
}
