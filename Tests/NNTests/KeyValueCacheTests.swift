// KeyValueCacheTests.swift — keeping the keys and values of the tokens already seen.
//
// After reading this file you should know what a cache returns (every key and
// value so far, [B, NH, count, HS]), that it grows without losing what it had,
// and that it can be emptied and reused (see MultiHeadAttentionTests for the
// cache inside attention: cached decoding equals the full sequence).
//
// Rebuild it yourself: Exercises/Sources/23-kv-cache (docs/Exercises.md).

import NDArray
import NN
import XCTest

final class KeyValueCacheTests: XCTestCase {
    func testCacheGrowsAndKeepsWhatItHad() {
        let cache = KeyValueCache<Float>()
        var all: [NDArray<Float>] = []
        for step in 0..<20 {
            let k = randomArray([1, 2, 1, 3], seed: UInt64(step))
            all.append(k)
            let (keys, values) = cache.append(keys: k, values: k * 2)
            XCTAssertEqual(keys, concatenate(all, axis: 2))
            XCTAssertEqual(values, keys * 2)
        }
        cache.truncate(to: 5)
        XCTAssertEqual(cache.keys, concatenate(Array(all[0..<5]), axis: 2))
        cache.removeAll()
        XCTAssertEqual(cache.count, 0)
        XCTAssertEqual(cache.keys?.shape, [1, 2, 0, 3])
    }

    func testANewSequenceMayHaveAnotherBatchSize() {
        let cache = KeyValueCache<Float>()
        _ = cache.append(keys: .zeros([1, 2, 3, 4]), values: .zeros([1, 2, 3, 4]))
        cache.removeAll()
        let k = randomArray([3, 2, 1, 4], seed: 1)
        let (keys, values) = cache.append(keys: k, values: -k)
        XCTAssertEqual(keys, k)
        XCTAssertEqual(values, -k)
    }
}
