// LearnedPositionalEncoding.swift — one trained vector per position, as GPT-2 has (`wpe`).
//
//   P[pos, :] = W[pos, :]
//   positions 0..<T  →  [T, C]   (added to the token embeddings [B, T, C] by the caller)
//
// An embedding table indexed by position instead of token id. Unlike the
// sinusoidal table it cannot extend past maxSeqLen: a longer sequence stops
// with a message naming the positions asked for.
//
// Depends on: NDArray, Layer.swift (`checkPositions`).
// Not here: interpolating to longer contexts.

import NDArray

/// A learned table of position vectors. LiteTorch: `LearnedPositionalEncoding(max_seq_len, embedding_dim)`.
public final class LearnedPositionalEncoding<Scalar: NDFloatingPoint>: Layer {
    /// W: [maxSeqLen, C].
    public var weight: NDArray<Scalar>
    /// The table has no dropout; the flag is kept for the protocol.
    public var isTraining = true

    /// The number of positions in the table.
    @inlinable public var maxSeqLen: Int { weight.shape[0] }

    /// A table drawn from N(0, 0.02²) by default (GPT-2's initialisation).
    public init(maxSeqLen: Int, embeddingDim: Int, weightInit: Initialization<Scalar> = .normal(std: 0.02),
                using generator: inout SeededGenerator) {
        if maxSeqLen <= 0 || embeddingDim <= 0 {
            layerFailure("LearnedPositionalEncoding",
                         "maxSeqLen (\(maxSeqLen)) and embeddingDim (\(embeddingDim)) must be positive")
        }
        weight = weightInit.makeArray([maxSeqLen, embeddingDim], using: &generator)
    }

    /// Each parameter under `prefix`, in the order listed here (see Layer.swift).
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {
        try body(prefix + "weight", &weight)
    }

    /// The rows for positions `offset..<offset + seqLen` (a view of the table).
    /// - Returns: [T, C]
    @inlinable
    public func forward(seqLen: Int, offset: Int = 0) -> NDArray<Scalar> {
        checkPositions(offset: offset, seqLen: seqLen, maxSeqLen: maxSeqLen, "LearnedPositionalEncoding")
        return weight[offset..<(offset + seqLen)]
    }

    /// The rows for the given positions.
    /// - Parameter positions: [B, T] (any shape) positions in 0..<maxSeqLen
    /// - Returns: [B, T, C]
    @inlinable
    public func forward(positions: NDArray<Int>) -> NDArray<Scalar> {
        checkPositions(positions, maxSeqLen: maxSeqLen, "LearnedPositionalEncoding")
        return weight.take(positions, axis: 0)
    }

    /// The same as `forward(seqLen:offset:)`.
    @inlinable
    public func callAsFunction(seqLen: Int, offset: Int = 0) -> NDArray<Scalar> { forward(seqLen: seqLen, offset: offset) }

    /// The same as `forward(positions:)`: [B, T] → [B, T, C].
    @inlinable
    public func callAsFunction(positions: NDArray<Int>) -> NDArray<Scalar> { forward(positions: positions) }
}
