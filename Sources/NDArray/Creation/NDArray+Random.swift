// NDArray+Random.swift — random arrays drawn from an explicit SeededGenerator.
//
// Every function takes the generator `inout`, so the caller decides the stream:
// one seed gives the same arrays on every platform (see SeededGenerator.swift).
// Elements are drawn in row-major order.

extension NDArray where Scalar: NDFloatingPoint {
    /// Values drawn uniformly from [`low`, `high`), as `low + (high − low)·u` with
    /// `u` in [0, 1); rounding can, rarely, give exactly `high` (as in NumPy).
    /// NumPy: `rng.uniform(low, high, size=shape)` (with a different stream).
    @inlinable
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func uniform(_ shape: [Int], low: Scalar = 0, high: Scalar = 1,
                               using generator: inout SeededGenerator) -> NDArray {
        checkShape("uniform", shape)
        let width = high - low
        let values = (0..<shapeCount(shape)).map { _ in low + width * generator.nextUniform(Scalar.self) }
        return NDArray(shape: shape, scalars: values)
    }

    /// Values drawn from a normal distribution with the given mean and standard
    /// deviation (computed in Double, then rounded to the element type).
    /// NumPy: `rng.normal(mean, std, size=shape)` (with a different stream).
    @inlinable
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func normal(_ shape: [Int], mean: Scalar = 0, std: Scalar = 1,
                              using generator: inout SeededGenerator) -> NDArray {
        checkShape("normal", shape)
        let m = Double(mean), s = Double(std)
        let values = (0..<shapeCount(shape)).map { _ in Scalar(m + s * generator.nextNormal()) }
        return NDArray(shape: shape, scalars: values)
    }
}

extension NDArray where Scalar: NDNumeric & FixedWidthInteger {
    /// Integers drawn uniformly from `low..<high`; traps when the range is empty.
    /// NumPy: `rng.integers(low, high, size=shape)` (with a different stream).
    @inlinable
    public static func randomIntegers(_ shape: [Int], low: Scalar, high: Scalar,
                                      using generator: inout SeededGenerator) -> NDArray {
        checkShape("randomIntegers", shape)
        if low >= high { shapeFailure("randomIntegers", "empty range \(low)..<\(high)") }
        let width = UInt64(truncatingIfNeeded: Int64(high) &- Int64(low))
        let values = (0..<shapeCount(shape)).map { _ in
            Scalar(truncatingIfNeeded: Int64(low) &+ Int64(truncatingIfNeeded: generator.next(below: width)))
        }
        return NDArray(shape: shape, scalars: values)
    }
}
