// MultiplyAdd.swift — the one line every fast kernel's inner loop is made of,
// and the build setting that decides which instruction it becomes.
//
//   multiplyAdd(c, a, b) = c + a·b        lane by lane, on SIMD vectors
//
// With FMA instructions this is one fused multiply-add (one rounding). The
// default x86-64 target has no FMA: there Swift's `addingProduct` becomes a
// call to the C library's fma per lane, 100 times slower, so the default
// build multiplies and adds separately (two roundings) instead. arm64 always
// has FMA.
//
//   swift build -c release                              this machine's CPU, fused
//   swift build -c release --disable-default-traits     portable: c + a * b on x86-64
//
// The NativeCPU trait (Package.swift, on by default) compiles for the
// building machine's CPU (`-target-cpu native`, which must have FMA: Intel
// Haswell / AMD Zen or later) and defines NDARRAY_NATIVE_FMA. The two builds
// round differently in the last bits; each is deterministic and identical for
// every thread count.
//
// Not here: run-time CPU detection of FMA (Swift cannot compile one function
// for two targets in one module); the vector width is chosen at run time
// within a build (VectorWidth.swift).

/// `c + a * b` lane by lane: fused where the build has FMA, separate otherwise (never a
/// software fma call). Shapes: any SIMD vector, lane by lane.
@inlinable @inline(__always)
public func multiplyAdd<V: SIMD>(_ c: V, _ a: V, _ b: V) -> V where V.Scalar: FloatingPoint {
#if arch(arm64) || NDARRAY_NATIVE_FMA
    return c.addingProduct(a, b)
#else
    return c + a * b
#endif
}

/// Whether this build fuses multiply-adds (FMA instructions).
public let buildUsesFusedMultiplyAdd: Bool = {
#if arch(arm64) || NDARRAY_NATIVE_FMA
    return true
#else
    return false
#endif
}()
