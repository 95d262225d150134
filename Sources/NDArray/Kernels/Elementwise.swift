// Elementwise.swift — + − × ÷ on large Float and Double arrays, on every thread.
//
//   out[i…] = x[i…] ∘ y[i…]        ∘ ∈ {+, −, ×, ÷}, operands broadcast
//
// The element-wise engine (NDArray+Elementwise.swift) inlines each operator's
// closure into its loop, which the compiler vectorises; that is the path for
// small arrays and every other operation. A closure cannot cross to another
// thread and stay inlined, so the four arithmetic operators also have this
// concrete kernel, which the engine hands large results to (2 × 2^18 elements
// and up, on any thread count). Threads take slices of one long run
// (contiguous operands, a scalar) or whole runs (a row broadcast over a
// matrix). Each element is computed alone: any split gives the same bits, and
// the same bits as the engine's own loop.

/// The operators with a threaded kernel, named as the engine names them.
@usableFromInline
enum BinaryOperation: String {
    case add, subtract, multiply, divide
}

@usableFromInline
func runBinaryKernel(_ op: BinaryOperation, _ walk: StridedWalk, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                     _ out: UnsafeMutablePointer<Float>) {
    binaryKernel(op, walk, x, y, out)
}

@usableFromInline
func runBinaryKernel(_ op: BinaryOperation, _ walk: StridedWalk, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>,
                     _ out: UnsafeMutablePointer<Double>) {
    binaryKernel(op, walk, x, y, out)
}

/// `x` and `y` point at each operand's first element; `walk` holds their strides.
@inline(__always)
func binaryKernel<S: FloatingPoint & SIMDScalar>(_ op: BinaryOperation, _ walk: StridedWalk, _ x: UnsafePointer<S>,
                                    _ y: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>) {
    let length = walk.runLength, sx = walk.runStride(0), sy = walk.runStride(1)
    let runs = walk.runCount
    if runs == 1 {
        parallelFor(length, grain: elementwiseGrain) { range in
            let i = range.lowerBound
            binaryRun(op, x + i * sx, sx, y + i * sy, sy, out + i, range.count)
        }
        return
    }
    parallelFor(runs, grain: Swift.max(1, elementwiseGrain / Swift.max(length, 1))) { range in
        var written = range.lowerBound * length
        walk.forEachRun(runs: range, from: [0, 0]) { position in
            binaryRun(op, x + position[0], sx, y + position[1], sy, out + written, length)
            written += length
        }
    }
}

@inline(__always)
func binaryRun<S: FloatingPoint & SIMDScalar>(_ op: BinaryOperation, _ x: UnsafePointer<S>, _ sx: Int,
                                             _ y: UnsafePointer<S>, _ sy: Int, _ o: UnsafeMutablePointer<S>, _ n: Int) {
    switch op {
    case .add: stridedRun(x, sx, y, sy, o, n, { $0 + $1 }, { $0 + $1 })
    case .subtract: stridedRun(x, sx, y, sy, o, n, { $0 - $1 }, { $0 - $1 })
    case .multiply: stridedRun(x, sx, y, sy, o, n, { $0 * $1 }, { $0 * $1 })
    case .divide: stridedRun(x, sx, y, sy, o, n, { $0 / $1 }, { $0 / $1 })
    }
}

/// One run, with a separate loop for each common pair of strides. The
/// contiguous ones go eight lanes at a time (`g`), then the tail one by one
/// (`f`): + − × ÷ round each lane exactly as alone, so the bits are the same.
/// Eight lanes by hand rather than by the compiler: it would pick 512-bit
/// vectors on an AVX-512 CPU, which streamed a 16 MB `a + b` 20% slower here.
@inline(__always)
func stridedRun<S: SIMDScalar>(_ x: UnsafePointer<S>, _ sx: Int, _ y: UnsafePointer<S>, _ sy: Int,
                               _ o: UnsafeMutablePointer<S>, _ n: Int, _ f: (S, S) -> S,
                               _ g: (SIMD8<S>, SIMD8<S>) -> SIMD8<S>) {
    typealias V = SIMD8<S>
    let px = UnsafeRawPointer(x), py = UnsafeRawPointer(y), po = UnsafeMutableRawPointer(o)
    let size = MemoryLayout<S>.stride, vectors = n / 8 * 8
    if sx == 1 && sy == 1 {
        for i in stride(from: 0, to: vectors, by: 8) {
            po.storeBytes(of: g(px.loadUnaligned(fromByteOffset: i * size, as: V.self),
                                py.loadUnaligned(fromByteOffset: i * size, as: V.self)),
                          toByteOffset: i * size, as: V.self)
        }
        for i in vectors..<n { o[i] = f(x[i], y[i]) }
    } else if sx == 1 && sy == 0 {
        let yv = y[0], yvs = V(repeating: yv)
        for i in stride(from: 0, to: vectors, by: 8) {
            po.storeBytes(of: g(px.loadUnaligned(fromByteOffset: i * size, as: V.self), yvs),
                          toByteOffset: i * size, as: V.self)
        }
        for i in vectors..<n { o[i] = f(x[i], yv) }
    } else if sx == 0 && sy == 1 {
        let xv = x[0], xvs = V(repeating: xv)
        for i in stride(from: 0, to: vectors, by: 8) {
            po.storeBytes(of: g(xvs, py.loadUnaligned(fromByteOffset: i * size, as: V.self)),
                          toByteOffset: i * size, as: V.self)
        }
        for i in vectors..<n { o[i] = f(xv, y[i]) }
    } else {
        for i in 0..<n { o[i] = f(x[i * sx], y[i * sy]) }
    }
}

/// Elements per thread below which element-wise work stays on one thread
/// (1 MB of floats: waking a thread costs more than a smaller loop).
@usableFromInline let elementwiseGrain = 1 << 18
