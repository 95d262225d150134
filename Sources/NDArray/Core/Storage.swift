// Storage.swift — the buffer behind every NDArray.
//
// A storage is a flat run of elements in memory. Arrays are windows onto it:
// `shape`, `strides` and `offset` say which elements an array sees and in what
// order, so a transpose or a slice is a new window onto the same storage.
//
// The 64-byte alignment is done by hand inside an ordinary allocation: the C
// library then hands a freed large block back to the next array of that size,
// as it does for NumPy. Asking it for aligned memory instead maps fresh pages
// for every large result, and the kernel's zeroing of them was half the time
// of a 16 MB `a + b`.
//
// Large buffers (4 MB and up) are marked for transparent huge pages on Linux,
// as NumPy does: 2 MB pages instead of 4 KB ones mean far fewer page faults and
// TLB misses when a big array is streamed (a 16 MB `a + b` ran 20% faster).
//
// Not here: memory mapping, GPU memory, growing a buffer in place.

#if canImport(Glibc)
import Glibc
#endif

/// A reference-counted buffer of elements, aligned to 64 bytes for SIMD kernels.
///
/// Arrays share a storage until one of them is written to; the writer then
/// copies (see `NDArray.makeWritable`). A storage is mutated only while exactly
/// one array refers to it, which is why it may be sent across threads.
@usableFromInline
final class NDStorage<Scalar: NDArrayScalar>: @unchecked Sendable {
    /// The first element.
    @usableFromInline let base: UnsafeMutablePointer<Scalar>
    /// The number of elements.
    @usableFromInline let count: Int
    /// What was allocated: `base` rounded up to 64 bytes lies inside it.
    @usableFromInline let allocation: UnsafeMutableRawPointer

    /// Allocates room for `count` elements without initialising them; every
    /// caller writes each element before anything reads it.
    @inlinable
    init(uninitializedCount count: Int) {
        precondition(count >= 0, "storage: negative element count \(count)")
        let bytes = Swift.max(1, count) * MemoryLayout<Scalar>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes + 63, alignment: 16)
        let aligned = UnsafeMutableRawPointer(bitPattern: (UInt(bitPattern: raw) + 63) & ~UInt(63))!
        self.allocation = raw
        self.base = aligned.bindMemory(to: Scalar.self, capacity: Swift.max(1, count))
        self.count = count
        if bytes >= hugePageThreshold { adviseHugePages(raw, bytes: bytes + 63) }
    }

    /// Allocates `count` elements, each set to `value`.
    @inlinable
    convenience init(repeating value: Scalar, count: Int) {
        self.init(uninitializedCount: count)
        base.initialize(repeating: value, count: count)
    }

    /// Copies `elements` into a new storage.
    @inlinable
    convenience init(copying elements: UnsafeBufferPointer<Scalar>) {
        self.init(uninitializedCount: elements.count)
        if let source = elements.baseAddress {
            base.initialize(from: source, count: elements.count)
        }
    }

    deinit {
        allocation.deallocate()
    }
}

/// Buffers of at least this many bytes ask for huge pages (NumPy's threshold).
@usableFromInline let hugePageThreshold = 4 << 20

/// Asks the kernel to back the whole 2 MB pages inside `[start, start + bytes)`
/// with huge pages. Only advice: where transparent huge pages are off, or on
/// other systems, nothing changes. The advice stays with the memory after it is
/// freed, so later arrays the C library places there get huge pages too.
@usableFromInline
func adviseHugePages(_ start: UnsafeMutableRawPointer, bytes: Int) {
#if os(Linux) && canImport(Glibc)
    let page = UInt(2 << 20)
    let first = (UInt(bitPattern: start) + page - 1) & ~(page - 1)
    let end = (UInt(bitPattern: start) + UInt(bytes)) & ~(page - 1)
    guard end > first, let pointer = UnsafeMutableRawPointer(bitPattern: first) else { return }
    _ = madvise(pointer, Int(end - first), MADV_HUGEPAGE)
#endif
}
