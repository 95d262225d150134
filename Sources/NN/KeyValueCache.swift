// KeyValueCache.swift — the keys and values of the tokens already seen, kept so
// that generating one more token costs one token's work, not the whole prompt's.
//
//   append(k, v)   k, v: [B, NH, T, HS]  →  all keys and values so far: [B, NH, count + T, HS]
//
// During generation each new token's query attends to every earlier key and
// value; those never change, so each attention layer keeps them here. Storage
// grows by doubling (like Swift's Array): each append copies only the new
// tokens, and what is returned are views of the storage, no copies.
//
// Depends on: NDArray, Layer.swift (`layerFailure`).
// Not here: paged or quantised caches; choosing which beams survive (the GPT module's beam search does).

import NDArray

/// One attention layer's cached keys and values. Hugging Face: `past_key_values` for one layer.
public final class KeyValueCache<Scalar: NDFloatingPoint> {
    /// [B, NH, capacity, HS]: positions 0..<count hold keys.
    @usableFromInline var keyStorage: NDArray<Scalar>?
    /// [B, NH, capacity, HS]: positions 0..<count hold values.
    @usableFromInline var valueStorage: NDArray<Scalar>?
    /// The number of tokens cached.
    @usableFromInline var storedCount = 0
    /// The number of tokens cached.
    @inlinable public var count: Int { storedCount }

    /// An empty cache.
    public init() {}

    /// The cached keys: [B, NH, count, HS], or nil before the first append.
    public var keys: NDArray<Scalar>? { keyStorage.map { $0[.all, .all, 0..<count] } }
    /// The cached values: [B, NH, count, HS], or nil before the first append.
    public var values: NDArray<Scalar>? { valueStorage.map { $0[.all, .all, 0..<count] } }

    /// Appends the keys and values of T new tokens.
    /// - Parameters:
    ///   - keys: [B, NH, T, HS]
    ///   - values: [B, NH, T, HS]
    /// - Returns: every key and value so far, [B, NH, count, HS] each (views of the storage)
    @inlinable
    public func append(keys: NDArray<Scalar>, values: NDArray<Scalar>) -> (keys: NDArray<Scalar>, values: NDArray<Scalar>) {
        if keys.ndim != 4 || keys.shape != values.shape {
            layerFailure("KeyValueCache.append", "keys \(keys.shape) and values \(values.shape) must both be [B, NH, T, HS]")
        }
        let (b, heads, t, size) = (keys.shape[0], keys.shape[1], keys.shape[2], keys.shape[3])
        if let stored = keyStorage, [stored.shape[0], stored.shape[1], stored.shape[3]] != [b, heads, size] {
            if count == 0 {                                      // a new sequence of another shape
                keyStorage = nil
                valueStorage = nil
            } else {
            layerFailure("KeyValueCache.append", "keys \(keys.shape) do not match the cached [B, NH, count, HS] = "
                            + "\([stored.shape[0], stored.shape[1], count, stored.shape[3]])")
            }
        }
        let needed = count + t
        if needed > (keyStorage?.shape[2] ?? 0) {
            let capacity = Swift.max(needed, 2 * (keyStorage?.shape[2] ?? 0), 16)
            keyStorage = grown(keyStorage, to: [b, heads, capacity, size])
            valueStorage = grown(valueStorage, to: [b, heads, capacity, size])
        }
        keyStorage![.all, .all, count..<needed] = keys           // writes in place: the storage is not shared
        valueStorage![.all, .all, count..<needed] = values
        storedCount = needed
        return (keyStorage![.all, .all, 0..<count], valueStorage![.all, .all, 0..<count])
    }

    /// Forgets every token (the storage is kept for the next sequence, which may have another B or NH).
    public func removeAll() { storedCount = 0 }

    /// Keeps the first `newCount` tokens.
    public func truncate(to newCount: Int) {
        if newCount < 0 || newCount > count {
            layerFailure("KeyValueCache.truncate", "cannot keep \(newCount) of \(count) cached tokens")
        }
        storedCount = newCount
    }

    /// Keeps, as batch row i, the row `rows[i]` of what is cached: beam search calls this after each
    /// step to follow the surviving beams (a row may be kept twice, another dropped).
    /// - Parameter rows: B' indices in 0..<B; the cache becomes [B', NH, count, HS]
    @inlinable
    public func reorder(rows: [Int]) {
        guard let keys = keyStorage, let values = valueStorage else { return }
        if let bad = rows.first(where: { $0 < 0 || $0 >= keys.shape[0] }) {
            layerFailure("KeyValueCache.reorder", "row \(bad) is not in 0..<\(keys.shape[0]) (the cached batch size)")
        }
        let index = NDArray<Int>(rows)
        keyStorage = keys.take(index, axis: 0)                                  // [B', NH, capacity, HS]: room kept
        valueStorage = values.take(index, axis: 0)
    }

    /// A new storage of `shape` holding the first `count` positions of `old`.
    @inlinable
    func grown(_ old: NDArray<Scalar>?, to shape: [Int]) -> NDArray<Scalar> {
        var storage = NDArray<Scalar>.zeros(shape)
        if let old, count > 0 { storage[.all, .all, 0..<count] = old[.all, .all, 0..<count] }
        return storage
    }
}
