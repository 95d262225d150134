// RotaryEmbedding.swift — rotary position embeddings (RoPE): rotate each pair of
// query and key channels by an angle proportional to the token's position.
//
//   θ_i = base^(−2i/HS),  i < HS/2          (x1, x2) = (x[..., :HS/2], x[..., HS/2:])
//   rope(x, pos) = [x1·cos(pos·θ) − x2·sin(pos·θ),  x2·cos(pos·θ) + x1·sin(pos·θ)]
//   q, k: [B, NH, T, HS]  →  the same shape
//
// Rotating q at position m and k at position n by mθ and nθ makes their dot
// product depend on m − n only: attention sees relative positions. The pairs
// are (i, i + HS/2), the "rotate half" layout of GPT-NeoX, LLaMA in Hugging Face
// and PyTorch's torchtune (the original RoFormer pairs neighbours (2i, 2i+1);
// the two are the same model with the channels permuted). `offset` is the
// position of the first token: with a KV cache, the number of tokens cached.
// Tables of cos and sin are computed once, in Double.
//
// Depends on: NDArray, Layer.swift (`checkPositions`).
// Not here: scaling for longer contexts (NTK, YaRN); partial rotation.

import Foundation
import NDArray

/// Rotary position embeddings for queries and keys. PyTorch (torchtune): `RotaryPositionalEmbeddings(dim, max_seq_len, base)`.
///
/// ```swift
/// let rope = RotaryEmbedding<Float>(headDim: 64, maxSeqLen: 1024)
/// let q2 = rope(q, offset: cache.count)    // [B, NH, T, 64] → [B, NH, T, 64]
/// ```
public final class RotaryEmbedding<Scalar: NDFloatingPoint>: Layer {
    /// cos(pos·θ_i): [maxSeqLen, HS/2].
    public let cosines: NDArray<Scalar>
    /// sin(pos·θ_i): [maxSeqLen, HS/2].
    public let sines: NDArray<Scalar>
    /// HS, the size of each head (even).
    public let headDim: Int
    /// No parameters, no dropout; the flag is kept for the protocol.
    public var isTraining = true

    /// The number of positions in the tables.
    @inlinable public var maxSeqLen: Int { cosines.shape[0] }

    /// Tables for positions 0..<maxSeqLen; `base` is 10000 in RoFormer and LLaMA.
    public init(headDim: Int, maxSeqLen: Int, base: Double = 10000) {
        if headDim <= 0 || headDim % 2 != 0 || maxSeqLen <= 0 {
            layerFailure("RotaryEmbedding", "headDim (\(headDim)) must be positive and even, maxSeqLen (\(maxSeqLen)) positive")
        }
        self.headDim = headDim
        let half = headDim / 2
        var c = [Scalar](repeating: 0, count: maxSeqLen * half), s = c
        for pos in 0..<maxSeqLen {
            for i in 0..<half {
                let angle = Double(pos) * Foundation.pow(base, -2 * Double(i) / Double(headDim))
                c[pos * half + i] = Scalar(Foundation.cos(angle))
                s[pos * half + i] = Scalar(Foundation.sin(angle))
            }
        }
        cosines = NDArray(shape: [maxSeqLen, half], scalars: c)
        sines = NDArray(shape: [maxSeqLen, half], scalars: s)
    }

    /// None: this layer has no parameters.
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {}

    /// Rotates `x`, whose tokens are at positions `offset..<offset + T`.
    /// - Parameter x: [B, NH, T, HS] (any leading axes before T)
    /// - Returns: [B, NH, T, HS]
    @inlinable
    public func forward(_ x: NDArray<Scalar>, offset: Int = 0) -> NDArray<Scalar> {
        checkInput(x)
        let t = x.shape[x.ndim - 2]
        checkPositions(offset: offset, seqLen: t, maxSeqLen: maxSeqLen, "RotaryEmbedding")
        return rotate(x, cos: cosines[offset..<(offset + t)], sin: sines[offset..<(offset + t)])  // tables [T, HS/2]
    }

    /// Rotates `x` by the positions given for each batch entry and token.
    /// - Parameters:
    ///   - x: [B, NH, T, HS]
    ///   - positions: [B, T] or [T], in 0..<maxSeqLen
    /// - Returns: [B, NH, T, HS]
    @inlinable
    public func forward(_ x: NDArray<Scalar>, positions: NDArray<Int>) -> NDArray<Scalar> {
        checkInput(x)
        checkPositions(positions, maxSeqLen: maxSeqLen, "RotaryEmbedding")
        var c = cosines.take(positions, axis: 0), s = sines.take(positions, axis: 0)   // [B, T, HS/2] or [T, HS/2]
        if positions.ndim == 2 {
            c = c.expandedDims(axis: 1)      // [B, 1, T, HS/2]: the same for every head
            s = s.expandedDims(axis: 1)
        }
        return rotate(x, cos: c, sin: s)
    }

    /// The same as `forward(_:offset:)`.
    @inlinable
    public func callAsFunction(_ x: NDArray<Scalar>, offset: Int = 0) -> NDArray<Scalar> { forward(x, offset: offset) }

    /// The same as `forward(_:positions:)`: [B, NH, T, HS] with positions [B, T] or [T].
    @inlinable
    public func callAsFunction(_ x: NDArray<Scalar>, positions: NDArray<Int>) -> NDArray<Scalar> {
        forward(x, positions: positions)
    }

    /// [x1·cos − x2·sin, x2·cos + x1·sin] along the last axis.
    @inlinable
    func rotate(_ x: NDArray<Scalar>, cos c: NDArray<Scalar>, sin s: NDArray<Scalar>) -> NDArray<Scalar> {
        let half = headDim / 2
        let x1 = x[.ellipsis, 0..<half], x2 = x[.ellipsis, half..<headDim]     // [B, NH, T, HS/2] views
        return concatenate([x1 * c - x2 * s, x2 * c + x1 * s], axis: -1)         // [B, NH, T, HS]
    }

    @inlinable
    func checkInput(_ x: NDArray<Scalar>) {
        if x.ndim < 2 || x.shape.last != headDim {
            layerFailure("RotaryEmbedding", "input of shape \(x.shape) must be [B, NH, T, HS] with HS = headDim (\(headDim))")
        }
    }
}
