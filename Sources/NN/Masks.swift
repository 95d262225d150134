// Masks.swift — additive attention masks: 0 where a query may look, −∞ where it may not.
//
//   causal   [T, T]            mask[i, j] = 0 if j ≤ i, else −∞     (no looking ahead)
//   padding  [B, 1, 1, T]      mask[b, 0, 0, j] = −∞ for j ≥ seqLengths[b]
//   both     causal + padding  broadcasts to [B, 1, T, T]
//
// Attention adds the mask to its scores before the softmax, so a masked key
// gets weight e^−∞ = 0 exactly: no finite score can out-score it (LiteTorch's
// −1e9 can be, by a score below −1e9, and leaves 1e-9-sized leaks in Float).
// A query that may see no key at all (a fully padded row) gets all-zero
// weights from NDArray's softmax, never NaN. The padding mask has its two
// singleton axes so that it broadcasts over the heads and the queries of
// [B, NH, Tq, Tk] scores, as masks from `createPaddingMask` must.
//
// Depends on: NDArray, Layer.swift (`layerFailure`).
// Not here: boolean masks (build one with `NDArray.where(allowed, 0, -.infinity)`).

import NDArray

/// The causal mask for T tokens: 0 on and below the diagonal, −∞ above it.
/// LiteTorch: `create_causal_mask(seq_len)`. Shape: [T, T].
///
/// ```swift
/// let mask = createCausalMask(seqLen: 3)     // NDArray<Float> unless the context asks for another type
/// // [[0, -inf, -inf],
/// //  [0,    0, -inf],
/// //  [0,    0,    0]]
/// ```
@inlinable
public func createCausalMask<Scalar: NDFloatingPoint>(seqLen: Int) -> NDArray<Scalar> {
    createCausalMask(queryLength: seqLen, keyLength: seqLen)
}

/// The causal mask for T tokens in Float, the type a mask has when nothing else says: so that
/// `let mask = createCausalMask(seqLen: 4)` compiles as LiteTorch's `create_causal_mask(4)` reads.
/// Where the context wants another type (`let mask: NDArray<Double> = …`), the generic form answers.
/// Shape: [T, T].
@inlinable
public func createCausalMask(seqLen: Int) -> NDArray<Float> {
    createCausalMask(queryLength: seqLen, keyLength: seqLen)
}

/// The padding mask in Float, when nothing else names the type (see `createCausalMask(seqLen:)`).
/// Shape: [B, 1, 1, maxLen].
@inlinable
public func createPaddingMask(seqLengths: [Int], maxLen: Int) -> NDArray<Float> {
    paddingMask(seqLengths: seqLengths, maxLen: maxLen)
}

/// The causal mask for Tq new queries that follow Tk − Tq cached keys: query i sits at
/// position Tk − Tq + i and sees keys 0…Tk − Tq + i. Shape: [Tq, Tk].
@inlinable
public func createCausalMask<Scalar: NDFloatingPoint>(queryLength: Int, keyLength: Int) -> NDArray<Scalar> {
    if queryLength < 0 || keyLength < queryLength {
        layerFailure("createCausalMask", "queryLength \(queryLength) and keyLength \(keyLength): "
                        + "need 0 ≤ queryLength ≤ keyLength")
    }
    let past = keyLength - queryLength
    var values = [Scalar](repeating: 0, count: queryLength * keyLength)
    for i in 0..<queryLength {
        for j in (past + i + 1)..<keyLength { values[i * keyLength + j] = -.infinity }   // keys after query i
    }
    return NDArray(shape: [queryLength, keyLength], scalars: values)
}

/// The padding mask of a batch: sequence b has `seqLengths[b]` real tokens, then padding up to
/// `maxLen`. LiteTorch: `create_padding_mask(seq_lengths, max_len)` (which is [B, maxLen]).
/// Shape: [B, 1, 1, maxLen], broadcasting over heads and queries.
@inlinable
public func createPaddingMask<Scalar: NDFloatingPoint>(seqLengths: [Int], maxLen: Int) -> NDArray<Scalar> {
    paddingMask(seqLengths: seqLengths, maxLen: maxLen)
}

/// `createPaddingMask`'s body, once for both its spellings.
@inlinable
func paddingMask<Scalar: NDFloatingPoint>(seqLengths: [Int], maxLen: Int) -> NDArray<Scalar> {
    if maxLen < 0 { layerFailure("createPaddingMask", "maxLen (\(maxLen)) must not be negative") }
    var values = [Scalar](repeating: 0, count: seqLengths.count * maxLen)
    for (b, length) in seqLengths.enumerated() {
        if length < 0 || length > maxLen {
            layerFailure("createPaddingMask", "seqLengths[\(b)] = \(length) is outside 0...maxLen (\(maxLen))")
        }
        for j in length..<maxLen { values[b * maxLen + j] = -.infinity }
    }
    return NDArray(shape: [seqLengths.count, 1, 1, maxLen], scalars: values)
}

/// The padding mask of a batch of token ids: −∞ wherever `ids` holds `padId`.
/// Shape: `ids` [B, T] → [B, 1, 1, T].
@inlinable
public func createPaddingMask<Scalar: NDFloatingPoint>(tokenIds ids: NDArray<Int>, padId: Int) -> NDArray<Scalar> {
    if ids.ndim != 2 { layerFailure("createPaddingMask", "tokenIds must be [B, T], got shape \(ids.shape)") }
    let mask = NDArray<Scalar>.where(ids .== padId, -.infinity, NDArray<Scalar>.zeros(ids.shape))
    return mask.reshaped(ids.shape[0], 1, 1, ids.shape[1])
}
