// NDArray+Elementwise.swift — the element-wise engine every operator is built on.
//
//   map(a, f)           out[i]  = f(a[i])
//   zipMap(a, b, f)     out[i…] = f(a[i…], b[i…])          a and b broadcast
//   zipMap(c, a, b, f)  out[i…] = f(c[i…], a[i…], b[i…])   all three broadcast
//
// Each one broadcasts its operands (stride 0 on stretched axes), merges the
// axes they all walk contiguously, and loops over the last axis with a pointer
// per operand. A contiguous operand walks with stride 1, which the compiler
// vectorises; the output is always a fresh contiguous array.
//
// Large + − × ÷ on Float and Double go to the threaded kernel in
// Kernels/Elementwise.swift instead (a closure cannot cross threads inlined).
//
// Not here: the operators themselves (NDArray+Arithmetic.swift).

extension NDArray {
    /// A new array with `transform` applied to every element; the shape is kept.
    /// NumPy: a ufunc applied to one array (`np.exp(a)`, `-a`, …).
    @inlinable
    public func map<Result: NDArrayScalar>(_ transform: (Scalar) -> Result) -> NDArray<Result> {
        let result = NDArray<Result>(uninitializedShape: shape)
        let out = result.storage.base
        let source = storage.base
        if isContiguous {
            let input = source + offset
            for i in 0..<count { out[i] = transform(input[i]) }
            return result
        }
        let walk = StridedWalk(shape: shape, strides: [strides])
        let length = walk.runLength, step = walk.runStride(0)
        var written = 0
        walk.forEachRun(from: [offset]) { position in
            let input = source + position[0]
            for i in 0..<length { out[written + i] = transform(input[i * step]) }
            written += length
        }
        return result
    }
}

/// `f` applied to each pair of elements of `a` and `b` broadcast together.
/// Traps naming `operation` when the shapes do not broadcast.
@inlinable
func zipMap<A, B, Result: NDArrayScalar>(
    _ operation: String, _ a: NDArray<A>, _ b: NDArray<B>, _ f: (A, B) -> Result
) -> NDArray<Result> {
    let shape = a.shape == b.shape ? a.shape : broadcastShapesOrTrap(a.shape, b.shape, operation: operation)
    let result = NDArray<Result>(uninitializedShape: shape)
    zipMap(a, b, shape: shape, into: result.storage.base, operation: operation, f)
    return result
}

/// Writes `f(a[i…], b[i…])` for every index of `shape`, in row-major order, to `out`.
/// `out` may be the storage of `a` itself when `a` is contiguous with exactly `shape`.
/// `operation` names the operator ("add", …) so large arithmetic can take the threaded kernel.
@inlinable
func zipMap<A, B, Result>(
    _ a: NDArray<A>, _ b: NDArray<B>, shape: [Int], into out: UnsafeMutablePointer<Result>,
    operation: String, _ f: (A, B) -> Result
) {
    let pa = a.storage.base, pb = b.storage.base
    let walk = StridedWalk(shape: shape, strides: [broadcastStrides(a, to: shape), broadcastStrides(b, to: shape)])
    // Large + − × ÷ on Float or Double: the concrete, threaded kernel (Kernels/Elementwise.swift).
    if A.self == B.self && A.self == Result.self && (A.self == Float.self || A.self == Double.self)
        && shapeCount(shape) >= 2 * elementwiseGrain,
       let op = BinaryOperation(rawValue: operation) {
        let x = UnsafeRawPointer(pa + a.offset), y = UnsafeRawPointer(pb + b.offset), o = UnsafeMutableRawPointer(out)
        if A.self == Float.self {
            runBinaryKernel(op, walk, x.assumingMemoryBound(to: Float.self), y.assumingMemoryBound(to: Float.self),
                            o.assumingMemoryBound(to: Float.self))
        } else {
            runBinaryKernel(op, walk, x.assumingMemoryBound(to: Double.self), y.assumingMemoryBound(to: Double.self),
                            o.assumingMemoryBound(to: Double.self))
        }
        return
    }
    let length = walk.runLength, sa = walk.runStride(0), sb = walk.runStride(1)
    var written = 0
    walk.forEachRun(from: [a.offset, b.offset]) { position in
        let x = pa + position[0], y = pb + position[1], o = out + written
        // Separate loops for the common strides, so each one vectorises.
        if sa == 1 && sb == 1 {
            for i in 0..<length { o[i] = f(x[i], y[i]) }
        } else if sa == 1 && sb == 0 {
            let yv = y[0]
            for i in 0..<length { o[i] = f(x[i], yv) }
        } else if sa == 0 && sb == 1 {
            let xv = x[0]
            for i in 0..<length { o[i] = f(xv, y[i]) }
        } else {
            for i in 0..<length { o[i] = f(x[i * sa], y[i * sb]) }
        }
        written += length
    }
}

/// `f` applied to each triple of elements of `c`, `a` and `b` broadcast together
/// (the engine behind `where`).
@inlinable
func zipMap<C, A, B, Result: NDArrayScalar>(
    _ operation: String, _ c: NDArray<C>, _ a: NDArray<A>, _ b: NDArray<B>, _ f: (C, A, B) -> Result
) -> NDArray<Result> {
    let ab = broadcastShapesOrTrap(a.shape, b.shape, operation: operation)
    let shape = broadcastShapesOrTrap(c.shape, ab, operation: operation)
    let result = NDArray<Result>(uninitializedShape: shape)
    let out = result.storage.base
    let pc = c.storage.base, pa = a.storage.base, pb = b.storage.base
    let walk = StridedWalk(shape: shape, strides: [broadcastStrides(c, to: shape),
                                                   broadcastStrides(a, to: shape),
                                                   broadcastStrides(b, to: shape)])
    let length = walk.runLength
    let sc = walk.runStride(0), sa = walk.runStride(1), sb = walk.runStride(2)
    var written = 0
    walk.forEachRun(from: [c.offset, a.offset, b.offset]) { position in
        let z = pc + position[0], x = pa + position[1], y = pb + position[2], o = out + written
        for i in 0..<length { o[i] = f(z[i * sc], x[i * sa], y[i * sb]) }
        written += length
    }
    return result
}

/// Copies the elements of `source`, in row-major order, to contiguous memory at `out`.
@inlinable
func copyElements<S>(from source: NDArray<S>, into out: UnsafeMutablePointer<S>) {
    if source.isContiguous {
        out.initialize(from: source.storage.base + source.offset, count: source.count)
        return
    }
    let base = source.storage.base
    let walk = StridedWalk(shape: source.shape, strides: [source.strides])
    let length = walk.runLength, step = walk.runStride(0)
    var written = 0
    walk.forEachRun(from: [source.offset]) { position in
        let input = base + position[0], o = out + written
        for i in 0..<length { o[i] = input[i * step] }
        written += length
    }
}

/// Writes `source`, broadcast to the shape of `destination`, into the storage
/// `destination` looks at. The caller has made that storage writable.
@inlinable
func assignElements<S>(_ source: NDArray<S>, to destination: NDArray<S>, operation: String) {
    // Like NumPy, leading size-1 axes of the value may be dropped: a [1, 2] fits into a [2].
    var source = source
    while source.ndim > destination.ndim && source.shape[0] == 1 { source = source.squeezed(axis: 0) }
    let shape = broadcastShapesOrTrap(destination.shape, source.shape, operation: operation)
    if shape != destination.shape {
        shapeFailure(operation, "could not broadcast input of shape \(describe(source.shape)) "
                        + "into shape \(describe(destination.shape))")
    }
    let out = destination.storage.base, input = source.storage.base
    let walk = StridedWalk(shape: shape, strides: [destination.strides, broadcastStrides(source, to: shape)])
    let length = walk.runLength, so = walk.runStride(0), si = walk.runStride(1)
    walk.forEachRun(from: [destination.offset, source.offset]) { position in
        let o = out + position[0], x = input + position[1]
        for i in 0..<length { o[i * so] = x[i * si] }
    }
}
