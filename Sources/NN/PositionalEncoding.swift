// PositionalEncoding.swift — the fixed sinusoidal position table of "Attention Is All You Need".
//
//   PE[pos, 2i] = sin(pos / 10000^(2i/C))      PE[pos, 2i+1] = cos(pos / 10000^(2i/C))
//   positions 0..<T  →  [T, C]   (added to the token embeddings [B, T, C] by the caller)
//
// Each pair of columns is a clock turning at its own speed, from once every
// 2π tokens to once every 10000·2π: nearby positions get similar vectors, and
// PE[pos + k] is a fixed rotation of PE[pos]. The table is computed once, in
// Double, then rounded; it has no parameters. An odd C gets one more sine
// column than cosine columns.
//
// Depends on: NDArray, Layer.swift.
// Not here: adding it to the embeddings (the model does), dropout.

import Foundation
import NDArray

/// The sinusoidal position table. LiteTorch: `PositionalEncoding(max_seq_len, embedding_dim)`.
///
/// ```swift
/// let pe = PositionalEncoding<Float>(maxSeqLen: 1024, embeddingDim: 768)
/// let x = tokens + pe(seqLen: 128)     // [B, 128, 768] + [128, 768]
/// ```
public final class PositionalEncoding<Scalar: NDFloatingPoint>: Layer {
    /// The precomputed table: [maxSeqLen, C].
    public let encoding: NDArray<Scalar>
    /// The table has no parameters and no dropout; the flag is kept for the protocol.
    public var isTraining = true

    /// The number of positions in the table.
    @inlinable public var maxSeqLen: Int { encoding.shape[0] }

    /// The table for positions 0..<maxSeqLen; `base` is 10000 in the paper.
    public init(maxSeqLen: Int, embeddingDim: Int, base: Double = 10000) {
        if maxSeqLen <= 0 || embeddingDim <= 0 {
            layerFailure("PositionalEncoding", "maxSeqLen (\(maxSeqLen)) and embeddingDim (\(embeddingDim)) must be positive")
        }
        var table = [Scalar](repeating: 0, count: maxSeqLen * embeddingDim)
        for pos in 0..<maxSeqLen {
            for column in stride(from: 0, to: embeddingDim, by: 2) {
                let angle = Double(pos) / Foundation.pow(base, Double(column) / Double(embeddingDim))
                table[pos * embeddingDim + column] = Scalar(Foundation.sin(angle))
                if column + 1 < embeddingDim { table[pos * embeddingDim + column + 1] = Scalar(Foundation.cos(angle)) }
            }
        }
        encoding = NDArray(shape: [maxSeqLen, embeddingDim], scalars: table)
    }

    /// None: this layer has no parameters.
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {}

    /// The rows for positions `offset..<offset + seqLen` (a view of the table).
    /// - Returns: [T, C]
    @inlinable
    public func forward(seqLen: Int, offset: Int = 0) -> NDArray<Scalar> {
        checkPositions(offset: offset, seqLen: seqLen, maxSeqLen: maxSeqLen, "PositionalEncoding")
        return encoding[offset..<(offset + seqLen)]
    }

    /// The rows for the given positions (a batch whose positions differ, such as left-padded prompts).
    /// - Parameter positions: [B, T] (any shape) positions in 0..<maxSeqLen
    /// - Returns: [B, T, C]
    @inlinable
    public func forward(positions: NDArray<Int>) -> NDArray<Scalar> {
        checkPositions(positions, maxSeqLen: maxSeqLen, "PositionalEncoding")
        return encoding.take(positions, axis: 0)
    }

    /// The same as `forward(seqLen:offset:)`.
    @inlinable
    public func callAsFunction(seqLen: Int, offset: Int = 0) -> NDArray<Scalar> { forward(seqLen: seqLen, offset: offset) }

    /// The same as `forward(positions:)`: [B, T] → [B, T, C].
    @inlinable
    public func callAsFunction(positions: NDArray<Int>) -> NDArray<Scalar> { forward(positions: positions) }
}

