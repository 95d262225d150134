// ShapeErrors.swift — the one place trap messages are formatted.
//
// Programmer errors (a shape mismatch, an axis out of range, an index out of
// bounds) stop the program with a message that names the operation, the shapes
// and the axis, in NumPy's words:
//
//   matmul: shapes [2, 3] and [4, 5] not aligned: 3 (axis -1) != 4 (axis -2)
//
// Anything read from outside (a .npy file) throws a typed error instead; see
// NPY.swift. `broadcastShapes` throws `ShapeError` for callers that want to ask
// before they act.

/// A shape problem reported by a function that throws rather than traps
/// (``broadcastShapes(_:_:)``). Its `description` is the message the trapping
/// operations print.
public struct ShapeError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The operation that was asked, such as `add` or `broadcast`.
    public let operation: String
    /// What was wrong, naming the shapes and the axis.
    public let detail: String

    /// An error for `operation`, described by `detail`.
    public init(operation: String, detail: String) {
        self.operation = operation
        self.detail = detail
    }

    public var description: String { "\(operation): \(detail)" }
}

/// Stops the program with `operation: detail`.
@usableFromInline
func shapeFailure(_ operation: String, _ detail: String) -> Never {
    fatalError("\(operation): \(detail)")
}

/// `[2, 3]`: how shapes are written in every message.
@usableFromInline
func describe(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}

/// Traps when a shape has a negative size.
@inlinable
func checkShape(_ operation: String, _ shape: [Int]) {
    for (axis, size) in shape.enumerated() where size < 0 {
        shapeFailure(operation, "negative size \(size) at axis \(axis) of shape \(describe(shape))")
    }
}

/// The axis `axis` counted from the front: -1 is the last axis. Traps when out of range.
@inlinable
func normalizeAxis(_ axis: Int, ndim: Int, shape: [Int], operation: String) -> Int {
    if axis < -ndim || axis >= ndim {
        shapeFailure(operation, "axis \(axis) is out of bounds for array of shape \(describe(shape)) (ndim \(ndim))")
    }
    return axis < 0 ? axis + ndim : axis
}

/// Several axes counted from the front, each checked; traps on a repeated axis.
@inlinable
func normalizeAxes(_ axes: [Int], ndim: Int, shape: [Int], operation: String) -> [Int] {
    var seen = [Bool](repeating: false, count: ndim)
    return axes.map { axis in
        let a = normalizeAxis(axis, ndim: ndim, shape: shape, operation: operation)
        if seen[a] { shapeFailure(operation, "axis \(axis) is repeated in axes \(axes) for shape \(describe(shape))") }
        seen[a] = true
        return a
    }
}

/// The index `index` along an axis of `size`, counted from the front: -1 is the last. Traps when out of range.
@inlinable
func normalizeIndex(_ index: Int, size: Int, axis: Int, shape: [Int], operation: String) -> Int {
    if index < -size || index >= size {
        shapeFailure(operation, "index \(index) is out of bounds for axis \(axis) with size \(size) (shape \(describe(shape)))")
    }
    return index < 0 ? index + size : index
}
