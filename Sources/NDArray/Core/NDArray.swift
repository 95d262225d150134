// NDArray.swift — the strided array: storage, shape, strides, offset.
//
//   element [i0, i1, …] lives at  storage[offset + i0·strides[0] + i1·strides[1] + …]
//
// Strides count elements, not bytes (NumPy counts bytes). A fresh array is
// C-contiguous (row-major): the last axis has stride 1, each earlier axis the
// product of the sizes after it. Views change shape, strides and offset and
// share the storage; writes copy first when the storage is shared
// (copy-on-write), so a write through a view never changes its base — the one
// deliberate difference from NumPy.
//
// Not here: the operations themselves (see the NDArray+… files), byte strides,
// read-only flags, memory order other than through strides.

/// An n-dimensional array with NumPy's semantics: a strided view onto a shared,
/// copy-on-write storage.
///
/// ```swift
/// let x: NDArray<Float> = [[1, 2, 3], [4, 5, 6]]   // shape [2, 3], strides [3, 1]
/// let t = x.T                                      // shape [3, 2], strides [1, 3]: a view
/// var y = t                                        // shares storage with x
/// y[0, 1] = 40                                     // y copies first; x is unchanged
/// ```
///
/// Views (O(1), shared storage): reshape when the layout allows, transpose,
/// permute, slicing, integer indexing, new axes, `broadcast(to:)`, squeeze and
/// expandDims. Everything else returns a new, contiguous array.
public struct NDArray<Scalar: NDArrayScalar>: Sendable {
    @usableFromInline var storage: NDStorage<Scalar>
    /// The size of each axis. NumPy: `a.shape`.
    public let shape: [Int]
    /// How many elements to step in storage to move one place along each axis.
    /// NumPy: `a.strides`, divided by the element size.
    public let strides: [Int]
    /// Where element `[0, 0, …]` lives in storage.
    public let offset: Int

    @inlinable
    init(storage: NDStorage<Scalar>, shape: [Int], strides: [Int], offset: Int) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
    }

    /// A contiguous array of `shape` whose elements the caller fills before reading.
    @inlinable
    init(uninitializedShape shape: [Int]) {
        self.init(storage: NDStorage(uninitializedCount: shapeCount(shape)),
                  shape: shape, strides: contiguousStrides(shape), offset: 0)
    }

    /// An array of `shape` holding `scalars` in row-major order.
    ///
    /// Traps when `scalars.count` is not the product of `shape`.
    /// NumPy: `np.array(scalars).reshape(shape)`.
    @inlinable
    public init(shape: [Int], scalars: [Scalar]) {
        checkShape("NDArray(shape:scalars:)", shape)
        let count = shapeCount(shape)
        if scalars.count != count {
            shapeFailure("NDArray(shape:scalars:)",
                         "\(scalars.count) scalars cannot fill shape \(describe(shape)) of \(count) elements")
        }
        let storage = scalars.withUnsafeBufferPointer { NDStorage(copying: $0) }
        self.init(storage: storage, shape: shape, strides: contiguousStrides(shape), offset: 0)
    }

    /// An array of `shape` whose elements `body` writes, in row-major order, into uninitialised
    /// memory: no copy and no zero-filling first (for loaders and kernels). `body` must set every
    /// element. Swift: `Array(unsafeUninitializedCapacity:initializingWith:)`.
    @inlinable
    public init(unsafeUninitializedShape shape: [Int],
                initializingWith body: (UnsafeMutableBufferPointer<Scalar>) throws -> Void) rethrows {
        checkShape("NDArray(unsafeUninitializedShape:)", shape)
        let count = shapeCount(shape)
        let storage = NDStorage<Scalar>(uninitializedCount: count)
        try body(UnsafeMutableBufferPointer(start: storage.base, count: count))
        self.init(storage: storage, shape: shape, strides: contiguousStrides(shape), offset: 0)
    }

    /// An array of `shape` with every element set to `value`. NumPy: `np.full`.
    @inlinable
    public init(shape: [Int], repeating value: Scalar) {
        checkShape("NDArray(shape:repeating:)", shape)
        self.init(storage: NDStorage(repeating: value, count: shapeCount(shape)),
                  shape: shape, strides: contiguousStrides(shape), offset: 0)
    }

    /// A 0-d array (shape `[]`) holding one value. NumPy: `np.array(value)`.
    @inlinable
    public init(_ value: Scalar) {
        self.init(shape: [], repeating: value)
    }

    /// A 1-d array of `values`. NumPy: `np.array([…])`.
    ///
    /// (A literal argument, `NDArray<Float>([1, 2])`, is read as an array literal
    /// instead; this initialiser serves Swift arrays and values such as `.nan`.)
    @_disfavoredOverload @inlinable
    public init(_ values: [Scalar]) {
        self.init(shape: [values.count], scalars: values)
    }

    /// A 2-d array whose rows are `rows`; traps on ragged rows. NumPy: `np.array([[…], […]])`.
    @_disfavoredOverload @inlinable
    public init(_ rows: [[Scalar]]) {
        let columns = rows.first?.count ?? 0
        for (r, row) in rows.enumerated() where row.count != columns {
            shapeFailure("NDArray(rows)", "row \(r) has \(row.count) elements, row 0 has \(columns)")
        }
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }
}

// MARK: - Describing the layout

extension NDArray {
    /// The number of axes. NumPy: `a.ndim`.
    @inlinable public var ndim: Int { shape.count }

    /// The number of elements: the product of `shape` (1 for a 0-d array). NumPy: `a.size`.
    @inlinable public var count: Int { shapeCount(shape) }

    /// Whether the elements sit in storage in row-major order with no gaps, so
    /// that element `i` of the flattened array is at `offset + i`.
    /// NumPy: `a.flags['C_CONTIGUOUS']`.
    @inlinable
    public var isContiguous: Bool {
        var expected = 1
        for axis in stride(from: ndim - 1, through: 0, by: -1) where shape[axis] != 1 {
            if shape[axis] == 0 { return true }
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// Whether this array and `other` look into the same storage buffer. NumPy: `np.shares_memory`
    /// (which also checks that the windows overlap; this does not).
    @inlinable
    public func sharesStorage(with other: NDArray) -> Bool {
        storage === other.storage
    }

    /// Whether two elements of this array share one storage slot (a broadcast view).
    @inlinable
    var hasOverlappingElements: Bool {
        for axis in 0..<ndim where strides[axis] == 0 && shape[axis] > 1 { return true }
        return false
    }

    /// The storage position of the element at `index` (negative entries count from the end).
    @inlinable
    func storagePosition(of index: [Int], operation: String) -> Int {
        if index.count != ndim {
            shapeFailure(operation, "\(index.count) indices given for an array of shape \(describe(shape)) (ndim \(ndim))")
        }
        var position = offset
        for axis in 0..<ndim {
            position += normalizeIndex(index[axis], size: shape[axis], axis: axis,
                                       shape: shape, operation: operation) * strides[axis]
        }
        return position
    }
}

// MARK: - Copies and elements

extension NDArray {
    /// A new, contiguous array with the same elements, sharing nothing. NumPy: `a.copy()`.
    @inlinable
    public func copy() -> NDArray {
        let result = NDArray(uninitializedShape: shape)
        copyElements(from: self, into: result.storage.base)
        return result
    }

    /// This array if it is already contiguous, else a contiguous copy.
    /// NumPy: `np.ascontiguousarray`.
    @inlinable
    public func contiguous() -> NDArray {
        isContiguous ? self : copy()
    }

    /// The elements in row-major order. NumPy: `a.ravel().tolist()`.
    @inlinable
    public var scalars: [Scalar] {
        let source = contiguous()
        return withExtendedLifetime(source) {  // the copy must outlive the pointer into it
            Array(UnsafeBufferPointer(start: source.storage.base + source.offset, count: count))
        }
    }

    /// The one element of a single-element array. Traps otherwise. NumPy: `a.item()`.
    @inlinable
    public func item() -> Scalar {
        if count != 1 {
            shapeFailure("item", "an array of shape \(describe(shape)) holds \(count) elements, not 1")
        }
        return storage.base[offset]  // every index is 0
    }

    /// Makes sure writes through this array touch nobody else: copies the
    /// elements into a fresh contiguous storage when the storage is shared or when
    /// two elements share a slot (a broadcast view).
    @inlinable
    mutating func makeWritable() {
        if !isKnownUniquelyReferenced(&storage) || hasOverlappingElements {
            self = copy()
        }
    }

    /// Calls `body` with the elements in row-major order, copying only when
    /// this array is not contiguous.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        let source = contiguous()
        return try withExtendedLifetime(source) {  // the copy must outlive the pointer into it
            try body(UnsafeBufferPointer(start: source.storage.base + source.offset, count: count))
        }
    }

    /// Calls `body` with the elements in row-major order for writing. The array
    /// becomes contiguous and unshared first.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        if !isContiguous || !isKnownUniquelyReferenced(&storage) || hasOverlappingElements {
            self = copy()
        }
        return try body(UnsafeMutableBufferPointer(start: storage.base + offset, count: count))
    }
}

// MARK: - Whole-array equality

extension NDArray: Equatable {
    /// Whether both arrays have the same shape and the same elements
    /// (NaN is unequal to itself). For element-wise comparison use `.==`.
    /// NumPy: `np.array_equal(a, b)`.
    @inlinable
    public static func == (lhs: NDArray, rhs: NDArray) -> Bool {
        lhs.shape == rhs.shape && lhs.scalars == rhs.scalars
    }
}
