// NDArray+Creation.swift — making arrays: literals, zeros, ones, full, arange,
// linspace, eye, and converting between element types.
//
//   let x: NDArray<Float> = [[1, 2, 3], [4, 5, 6]]     // nested literal, shape [2, 3]
//   NDArray<Float>.zeros([2, 3])                        // NumPy: np.zeros((2, 3), np.float32)
//   NDArray<Float>.arange(0, 1, step: 0.25)             // [0, 0.25, 0.5, 0.75]
//
// Random arrays are in NDArray+Random.swift.

// MARK: - Literals

extension NDArray: ExpressibleByArrayLiteral {
    /// A nested literal: each element is a number or a nested list, all of one
    /// shape, stacked along a new first axis. Traps on ragged rows.
    ///
    /// ```swift
    /// let x: NDArray<Float> = [[1, 2], [3, 4]]   // shape [2, 2]
    /// ```
    ///
    /// Each number of a literal becomes a small array of its own before they are
    /// stacked: right for the literals one types, wasteful for large data — build
    /// those with `init(shape:scalars:)`.
    @inlinable
    public init(arrayLiteral elements: NDArray...) {
        guard let first = elements.first else {
            self.init(shape: [0], scalars: [])
            return
        }
        for (i, element) in elements.enumerated() where element.shape != first.shape {
            shapeFailure("array literal", "element \(i) has shape \(describe(element.shape)), "
                            + "element 0 has shape \(describe(first.shape)): rows must not be ragged")
        }
        var scalars: [Scalar] = []
        scalars.reserveCapacity(elements.count * first.count)
        for element in elements { scalars.append(contentsOf: element.scalars) }
        self.init(shape: [elements.count] + first.shape, scalars: scalars)
    }
}

// A number literal is a 0-d array, so `a[0] = 5`, `x + 1` and `NDArray.where(m, x, 0)`
// read naturally. The operators that take a plain Scalar are marked
// @_disfavoredOverload, so that in generic code `1 / t` (t a number) stays a
// number and never turns into an array.

extension NDArray: ExpressibleByIntegerLiteral where Scalar: NDNumeric {
    /// A 0-d array from an integer literal; traps when the literal does not fit an integer type.
    @inlinable
    public init(integerLiteral value: Int) {
        // A float takes the nearest value; an integer type must hold the literal exactly.
        guard let scalar = Scalar(exactly: value) ?? (Scalar.self is any BinaryFloatingPoint.Type
                                                       ? Scalar(converting: .integer(Int64(value))) : nil) else {
            shapeFailure("integer literal", "\(value) does not fit in \(Scalar.dtypeName)")
        }
        self.init(scalar)
    }
}

extension NDArray: ExpressibleByFloatLiteral where Scalar: NDFloatingPoint {
    /// A 0-d array from a floating-point literal.
    @inlinable
    public init(floatLiteral value: Double) {
        self.init(Scalar(value))
    }

    /// Not a number, as a 0-d array: `[1, .nan]` in a literal.
    @inlinable public static var nan: NDArray { NDArray(Scalar.nan) }
    /// Infinity, as a 0-d array: `[[0, -.infinity], [0, 0]]` (a causal mask) in a literal.
    @inlinable public static var infinity: NDArray { NDArray(Scalar.infinity) }
}

extension NDArray: ExpressibleByBooleanLiteral where Scalar == Bool {
    /// A 0-d mask from `true` or `false`.
    @inlinable
    public init(booleanLiteral value: Bool) {
        self.init(value)
    }
}

// MARK: - Filled arrays

extension NDArray {
    /// An array of `shape` filled with `value`. NumPy: `np.full(shape, value)`.
    @inlinable
    public static func full(_ shape: [Int], _ value: Scalar) -> NDArray {
        NDArray(shape: shape, repeating: value)
    }
}

extension NDArray where Scalar: NDNumeric {
    /// An array of `shape` filled with 0. NumPy: `np.zeros(shape)`.
    @inlinable
    public static func zeros(_ shape: [Int]) -> NDArray {
        NDArray(shape: shape, repeating: 0)
    }

    /// An array of `shape` filled with 1. NumPy: `np.ones(shape)`.
    @inlinable
    public static func ones(_ shape: [Int]) -> NDArray {
        NDArray(shape: shape, repeating: 1)
    }

    /// The `n`×`m` matrix with ones on diagonal `k` (0 the main one, positive
    /// above it, negative below) and zeros elsewhere. NumPy: `np.eye(n, m, k)`.
    @inlinable
    public static func eye(_ n: Int, _ m: Int? = nil, k: Int = 0) -> NDArray {
        let columns = m ?? n
        var result = zeros([n, columns])
        result.withUnsafeMutableBufferPointer { out in
            for row in 0..<n where row + k >= 0 && row + k < columns {
                out[row * columns + row + k] = 1
            }
        }
        return result
    }

    /// The values `start, start + step, …` up to but excluding `stop`, as a 1-d
    /// array. The count is `ceil((stop - start) / step)`, as in NumPy.
    /// Traps when `step` is zero. NumPy: `np.arange(start, stop, step)`.
    ///
    /// ```swift
    /// NDArray<Float>.arange(0, 1, step: 0.25)   // [0, 0.25, 0.5, 0.75]
    /// NDArray<Int>.arange(5)                     // [0, 1, 2, 3, 4]
    /// ```
    @inlinable
    public static func arange(_ start: Scalar, _ stop: Scalar, step: Scalar = 1) -> NDArray {
        if step == 0 { shapeFailure("arange", "step must not be zero") }
        let span = Double(converting: (stop - start).scalarValue) / Double(converting: step.scalarValue)
        let count = Swift.max(0, Int(span.rounded(.up)))
        // NumPy computes each element as start + i * step (not by repeated addition).
        return NDArray(shape: [count], scalars: (0..<count).map { i in
            start + Scalar(converting: .integer(Int64(i))) * step
        })
    }

    /// The values `0, 1, …, stop - 1`. NumPy: `np.arange(stop)`.
    @inlinable
    public static func arange(_ stop: Scalar) -> NDArray {
        arange(0, stop)
    }
}

extension NDArray where Scalar: NDFloatingPoint {
    /// `count` evenly spaced values from `start` to `stop`; `stop` is included
    /// unless `endpoint` is false. NumPy: `np.linspace(start, stop, num, endpoint)`.
    @inlinable
    public static func linspace(_ start: Scalar, _ stop: Scalar, count: Int, endpoint: Bool = true) -> NDArray {
        if count < 0 { shapeFailure("linspace", "count must be non-negative, got \(count)") }
        let divisions = endpoint ? count - 1 : count
        // NumPy computes in float64: start + i * (stop - start) / divisions, and sets the last value to stop.
        let a = Double(start), b = Double(stop)
        let step = divisions > 0 ? (b - a) / Double(divisions) : 0
        var values = (0..<count).map { i in Scalar(a + Double(i) * step) }
        if endpoint && count > 1 { values[count - 1] = stop }
        return NDArray(values)
    }
}

// MARK: - Element type conversion

extension NDArray {
    /// The same values as another element type, as NumPy's `astype` converts them:
    /// floats truncate toward zero when they become integers, nonzero becomes
    /// `true`, `true` becomes 1. Always a new array.
    ///
    /// ```swift
    /// let ids: NDArray<Int32> = [3, 1]
    /// let x = ids.asType(Float.self)   // [3.0, 1.0]
    /// ```
    @inlinable
    public func asType<Target: NDArrayScalar>(_ type: Target.Type) -> NDArray<Target> {
        map { Target(converting: $0.scalarValue) }
    }
}
