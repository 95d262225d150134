// RowKernels.swift — softmax, logSoftmax, logSumExp and layer norm, one row
// at a time, on SIMD vectors, rows spread over threads; and the vectorised runs
// behind `max`, `min` and `sum` along a contiguous axis.
//
//   softmax(x)    = exp(x − m) / Σ exp(x − m)          m = max(x)
//   logSoftmax(x) = (x − m) − log Σ exp(x − m)
//   layerNorm(x)  = (x − μ)·rstd·w + b                  μ = mean(x), rstd = 1/√(var(x) + eps)
//
// Each row is read a vector at a time (8 floats, 4 doubles); the last partial
// vector is padded (with −∞ for exponentials, 0 for sums) so every element
// goes through the same vectorised exp. Sums keep one vector of partial sums
// and add its lanes at the end: a fixed order, so a row gives the same bits
// on any thread. Rows are independent and are split among threads.
//
// `sum` keeps NumPy's pairwise order exactly: its eight partial sums are the
// eight lanes of one vector, so the vectorised block gives the same bits.
//
// The reference twins (`softmaxReference`, … in NDArray+Softmax.swift and
// NDArray+LayerNorm.swift) compose the same results from whole-array
// operations with Foundation's exp; the tests hold the kernels to them.

import Foundation

/// What to compute for each row.
@usableFromInline
enum RowKernel<S> {
    case softmax
    case logSoftmax
    /// Writes one value per row.
    case logSumExp
    /// Normalises the row; `weight` and `bias` (length of the row) are optional;
    /// `mean` and `rstd` receive one value per row when given.
    case layerNorm(eps: S, weight: UnsafePointer<S>?, bias: UnsafePointer<S>?,
                   mean: UnsafeMutablePointer<S>?, rstd: UnsafeMutablePointer<S>?)
    /// Only the statistics: writes mean and rstd, no output rows.
    case layerNormStatistics(eps: S, mean: UnsafeMutablePointer<S>, rstd: UnsafeMutablePointer<S>)
}

/// Rows of an array: row r starts at `input + offsets[r]`, its elements `step` apart;
/// its result goes to `output + r·outputStep` (contiguous).
@usableFromInline
struct RowBatch<S> {
    @usableFromInline let input: UnsafePointer<S>
    @usableFromInline let offsets: [Int]
    @usableFromInline let length: Int
    @usableFromInline let step: Int
    @usableFromInline let output: UnsafeMutablePointer<S>
    @usableFromInline let outputStep: Int

    @inlinable
    init(input: UnsafePointer<S>, offsets: [Int], length: Int, step: Int,
         output: UnsafeMutablePointer<S>, outputStep: Int) {
        self.input = input
        self.offsets = offsets
        self.length = length
        self.step = step
        self.output = output
        self.outputStep = outputStep
    }
}

/// Elements a thread should have before a row kernel is split: about 64 KB of floats.
let rowParallelElements = 1 << 14

@usableFromInline
func runRowKernel(_ kernel: RowKernel<Float>, _ rows: RowBatch<Float>) { runRows(kernel, rows) }

@usableFromInline
func runRowKernel(_ kernel: RowKernel<Double>, _ rows: RowBatch<Double>) { runRows(kernel, rows) }

@inline(__always)
func runRows<S: VectorizedScalar>(_ kernel: RowKernel<S>, _ rows: RowBatch<S>) {
    let n = rows.length
    parallelFor(rows.offsets.count, grain: Swift.max(1, rowParallelElements / Swift.max(n, 1))) { range in
        // A strided row is first gathered into contiguous memory.
        let scratch = rows.step == 1 ? nil : UnsafeMutablePointer<S>.allocate(capacity: n)
        defer { scratch?.deallocate() }
        for r in range {
            var x = rows.input + rows.offsets[r]
            if let scratch {
                for i in 0..<n { scratch[i] = x[i * rows.step] }
                x = UnsafePointer(scratch)
            }
            let out = rows.output + r * rows.outputStep
            switch kernel {
            case .softmax:
                softmaxRow(x, n, out)
            case .logSoftmax:
                logSoftmaxRow(x, n, out)
            case .logSumExp:
                out[0] = logSumExpRow(x, n)
            case let .layerNorm(eps, weight, bias, mean, rstd):
                let (mu, inverse) = layerNormStatisticsRow(x, n, eps: eps)
                mean?[r] = mu
                rstd?[r] = inverse
                layerNormRow(x, n, mean: mu, rstd: inverse, weight: weight, bias: bias, out)
            case let .layerNormStatistics(eps, mean, rstd):
                (mean[r], rstd[r]) = layerNormStatisticsRow(x, n, eps: eps)
            }
        }
    }
}

// MARK: One row

/// The largest element; −∞ for an empty row, NaN if the row holds a NaN.
@inline(__always)
func rowMaximum<S: VectorizedScalar>(_ x: UnsafePointer<S>, _ n: Int) -> S {
    rowExtreme(x, n, largest: true)
}

/// The largest (or smallest) element; ∓∞ for an empty row, NaN if the row holds a NaN.
@inline(__always)
func rowExtreme<S: VectorizedScalar>(_ x: UnsafePointer<S>, _ n: Int, largest: Bool) -> S {
    typealias V = S.Vector
    let w = V.scalarCount
    var best = V(repeating: largest ? -S.infinity : S.infinity)
    var probe = V()  // stays 0 unless a NaN or an infinity passes: then look closer
    var i = 0
    if largest {
        while i + w <= n {
            let v = load(x + i, as: V.self)
            best = lanewiseMax(best, v)
            probe += v * 0
            i += w
        }
    } else {
        while i + w <= n {
            let v = load(x + i, as: V.self)
            best = lanewiseMin(best, v)
            probe += v * 0
            i += w
        }
    }
    var m = largest ? best.max() : best.min()
    while i < n {
        if largest ? x[i] > m : x[i] < m { m = x[i] }
        probe[0] += x[i] * 0
        i += 1
    }
    if probe.sum().isNaN {
        for j in 0..<n where x[j].isNaN { return x[j] }
    }
    return m
}

/// The extreme of a contiguous run, for the max and min reductions.
@usableFromInline
func runExtreme(_ x: UnsafePointer<Float>, _ n: Int, largest: Bool) -> Float { rowExtreme(x, n, largest: largest) }

@usableFromInline
func runExtreme(_ x: UnsafePointer<Double>, _ n: Int, largest: Bool) -> Double { rowExtreme(x, n, largest: largest) }

/// NumPy's pairwise block (8 ≤ n ≤ 128): eight partial sums over stride-8 elements,
/// combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the remainder in order.
@usableFromInline
func pairwiseBlock(_ x: UnsafePointer<Float>, _ n: Int) -> Float { pairwiseBlockSum(x, n, SIMD8<Float>.self) }

@usableFromInline
func pairwiseBlock(_ x: UnsafePointer<Double>, _ n: Int) -> Double { pairwiseBlockSum(x, n, SIMD8<Double>.self) }

@inline(__always)
func pairwiseBlockSum<V: SIMD>(_ x: UnsafePointer<V.Scalar>, _ n: Int, _: V.Type) -> V.Scalar
where V.Scalar: BinaryFloatingPoint {
    var r = load(x, as: V.self)
    var i = 8
    while i + 8 <= n {
        r += load(x + i, as: V.self)
        i += 8
    }
    var sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n {
        sum += x[i]
        i += 1
    }
    return sum
}

/// Writes exp(x − shift) to `out` (when given) and returns the sum, in a fixed order.
@inline(__always)
func exponentialsAndSum<S: VectorizedScalar>(_ x: UnsafePointer<S>, _ n: Int, shift: S,
                                             into out: UnsafeMutablePointer<S>?) -> S {
    typealias V = S.Vector
    let w = V.scalarCount
    let m = V(repeating: shift)
    var sum = V()
    var i = 0
    while i + w <= n {
        let e = S.vectorExp(load(x + i, as: V.self) - m)
        if let out { store(e, out + i) }
        sum += e
        i += w
    }
    if i < n {
        // The tail, padded with −∞ (which contributes e^−∞ = 0).
        var v = V(repeating: -S.infinity)
        for j in 0..<(n - i) { v[j] = x[i + j] }
        let e = S.vectorExp(v - m)
        if let out { for j in 0..<(n - i) { out[i + j] = e[j] } }
        sum += e
    }
    return sum.sum()
}

@inline(__always)
func softmaxRow<S: VectorizedScalar>(_ x: UnsafePointer<S>, _ n: Int, _ out: UnsafeMutablePointer<S>) {
    let m = rowMaximum(x, n)
    if m == -S.infinity {
        out.update(repeating: 0, count: n)  // a fully masked row attends to nothing
        return
    }
    let total = exponentialsAndSum(x, n, shift: m, into: out)
    scaleRow(out, n, by: 1 / total)
}

@inline(__always)
func logSoftmaxRow<S: VectorizedScalar>(_ x: UnsafePointer<S>, _ n: Int, _ out: UnsafeMutablePointer<S>) {
    typealias V = S.Vector
    let m = rowMaximum(x, n)
    if m == -S.infinity {
        out.update(repeating: -S.infinity, count: n)
        return
    }
    let logSum = S.log(exponentialsAndSum(x, n, shift: m, into: nil))
    let w = V.scalarCount
    var i = 0
    let vm = V(repeating: m), vl = V(repeating: logSum)
    while i + w <= n {
        store((load(x + i, as: V.self) - vm) - vl, out + i)
        i += w
    }
    while i < n {
        out[i] = (x[i] - m) - logSum
        i += 1
    }
}

@inline(__always)
func logSumExpRow<S: VectorizedScalar>(_ x: UnsafePointer<S>, _ n: Int) -> S {
    let m = rowMaximum(x, n)
    if !m.isFinite { return m }  // −∞ for an empty or fully masked row; +∞ or NaN as they come
    return m + S.log(exponentialsAndSum(x, n, shift: m, into: nil))
}

/// Mean and 1/√(variance + eps), the variance from a second pass over x − mean.
@inline(__always)
func layerNormStatisticsRow<S: VectorizedScalar>(_ x: UnsafePointer<S>, _ n: Int, eps: S) -> (S, S) {
    typealias V = S.Vector
    let w = V.scalarCount
    var sum = V()
    var i = 0
    while i + w <= n {
        sum += load(x + i, as: V.self)
        i += w
    }
    var total = sum.sum()
    while i < n { total += x[i]; i += 1 }
    let mean = total / S(n)
    let vm = V(repeating: mean)
    var squares = V()
    i = 0
    while i + w <= n {
        let d = load(x + i, as: V.self) - vm
        squares = multiplyAdd(squares, d, d)
        i += w
    }
    var variance = squares.sum()
    while i < n { variance += (x[i] - mean) * (x[i] - mean); i += 1 }
    variance /= S(n)
    return (mean, 1 / (variance + eps).squareRoot())
}

@inline(__always)
func layerNormRow<S: VectorizedScalar>(_ x: UnsafePointer<S>, _ n: Int, mean: S, rstd: S,
                                       weight: UnsafePointer<S>?, bias: UnsafePointer<S>?,
                                       _ out: UnsafeMutablePointer<S>) {
    typealias V = S.Vector
    let w = V.scalarCount
    let vm = V(repeating: mean), vr = V(repeating: rstd)
    var i = 0
    while i + w <= n {
        var y = (load(x + i, as: V.self) - vm) * vr
        if let weight { y *= load(weight + i, as: V.self) }
        if let bias { y += load(bias + i, as: V.self) }
        store(y, out + i)
        i += w
    }
    while i < n {
        var y = (x[i] - mean) * rstd
        if let weight { y *= weight[i] }
        if let bias { y += bias[i] }
        out[i] = y
        i += 1
    }
}

@inline(__always)
func scaleRow<S: VectorizedScalar>(_ x: UnsafeMutablePointer<S>, _ n: Int, by factor: S) {
    typealias V = S.Vector
    let w = V.scalarCount
    let f = V(repeating: factor)
    var i = 0
    while i + w <= n {
        store(load(x + i, as: V.self) * f, x + i)
        i += w
    }
    while i < n {
        x[i] *= factor
        i += 1
    }
}

/// The larger of each pair of lanes. Written lane by lane on purpose: in generic
/// code SIMD's `.>` and `replacing(with:where:)` build the mask one lane at a
/// time, while this loop compiles to one max instruction per register.
@inline(__always)
func lanewiseMax<V: SIMD>(_ a: V, _ b: V) -> V where V.Scalar: Comparable {
    var r = a
    for i in 0..<V.scalarCount { r[i] = b[i] > a[i] ? b[i] : a[i] }
    return r
}

/// The smaller of each pair of lanes (see `lanewiseMax`).
@inline(__always)
func lanewiseMin<V: SIMD>(_ a: V, _ b: V) -> V where V.Scalar: Comparable {
    var r = a
    for i in 0..<V.scalarCount { r[i] = b[i] < a[i] ? b[i] : a[i] }
    return r
}

@inline(__always)
func load<S, V: SIMD>(_ p: UnsafePointer<S>, as: V.Type) -> V where V.Scalar == S {
    UnsafeRawPointer(p).loadUnaligned(as: V.self)
}

@inline(__always)
func load<S, V: SIMD>(_ p: UnsafeMutablePointer<S>, as: V.Type) -> V where V.Scalar == S {
    UnsafeRawPointer(p).loadUnaligned(as: V.self)
}

@inline(__always)
func store<V: SIMD>(_ v: V, _ p: UnsafeMutablePointer<V.Scalar>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
}
