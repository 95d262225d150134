// AttentionBackward.swift — the gradients of attention: scaled dot-product, rotary positions, multi-head.
//
//   forward:   S = q·kᵀ/√HS + mask     W = softmax(S)     D = dropout(W)     O = D·v
//   backward:  dD = dO·vᵀ              dv = Dᵀ·dO
//              dW = dropout.backward(dD)                   dS = softmaxBackward(dW, W)   (0 where masked)
//              dq = dS·k/√HS           dk = dSᵀ·q/√HS
//
//   rotary:    q′ = R(pos)·q (a rotation in each pair of channels)  →  dq = R(pos)ᵀ·dq′ = R(−pos)·dq′
//   heads:     q, k, v are [B, T, C] split into NH heads of HS; their gradients merge back the same way,
//              then flow through the one qkv projection (q, k, v are its three row blocks) and proj.
//
// A masked score got weight 0, so no gradient reaches it: −∞ masks need no
// special case. Self-attention reads q, k and v from one input, so that
// input's gradient is the sum of the three; cross-attention sends dq to the
// decoder's input and dk + dv to the encoder's memory.
//
// Depends on: NDArray, NN (ScaledDotProductAttention, RotaryEmbedding, MultiHeadAttention),
// LinearBackward.swift, SoftmaxBackward.swift, DropoutBackward.swift.
// Not here: a KV cache (training reads whole sequences), ALiBi's bias (it has no parameters
// and adds to the scores: its gradient stops there).

import NDArray
import NN

extension ScaledDotProductAttention {
    /// What `backward` needs: q, k, v, the weights and the dropout mask on them.
    public struct Saved {
        /// [B, NH, Tq, HS], [B, NH, Tk, HS], [B, NH, Tk, HSv].
        public let query: NDArray<Scalar>, key: NDArray<Scalar>, value: NDArray<Scalar>
        /// softmax of the scores, [B, NH, Tq, Tk].
        public let weights: NDArray<Scalar>
        /// The weights after dropout (what multiplied v), and the dropout's mask.
        public let dropped: NDArray<Scalar>, dropout: Dropout<Scalar>.Saved
    }

    /// `forward`, keeping what the backward needs.
    /// - Returns: the output [B, NH, Tq, HSv], the weights [B, NH, Tq, Tk] and the saved arrays
    @_specialize(where Scalar == Float)
    public func forwardSaving(query: NDArray<Scalar>, key: NDArray<Scalar>, value: NDArray<Scalar>,
                              mask: NDArray<Scalar>? = nil)
        -> (output: NDArray<Scalar>, weights: NDArray<Scalar>, saved: Saved) {
        checkValue(value, key: key)
        let weights = self.weights(query: query, key: key, mask: mask)       // the forward's own step: [B, NH, Tq, Tk]
        let (dropped, mask) = dropout.forwardSaving(weights)
        let output = matmul(dropped, value)                                   // [B, NH, Tq, HSv]
        return (output, weights, Saved(query: query, key: key, value: value, weights: weights, dropped: dropped,
                                       dropout: mask))
    }

    /// The gradients of q, k and v.
    /// - Parameter dOut: dO, [B, NH, Tq, HSv]
    /// - Returns: dq [B, NH, Tq, HS], dk [B, NH, Tk, HS], dv [B, NH, Tk, HSv]
    @_specialize(where Scalar == Float)
    public func backward(_ dOut: NDArray<Scalar>, _ saved: Saved)
        -> (dQuery: NDArray<Scalar>, dKey: NDArray<Scalar>, dValue: NDArray<Scalar>) {
        checkGradientShape("ScaledDotProductAttention.backward", dOut: dOut.shape,
                           output: saved.dropped.shape.dropLast() + [saved.value.shape[saved.value.ndim - 1]])
        let scale = Scalar(1 / Double(saved.query.shape[saved.query.ndim - 1]).squareRoot())
        let dDropped = matmul(dOut, saved.value.swappedAxes(-1, -2))           // dD = dO·vᵀ
        let dValue = matmul(saved.dropped.swappedAxes(-1, -2), dOut)           // dv = Dᵀ·dO
        // The forward's 1/√HS, applied inside softmax's backward row loop: no extra pass over [T, T].
        let dScores = softmaxBackward(dOut: dropout.backward(dDropped, saved.dropout), output: saved.weights, scale: scale)
        let dQuery = matmul(dScores, saved.key)                                // dq = dS·k/√HS
        let dKey = matmul(dScores.swappedAxes(-1, -2), saved.query)            // dk = dSᵀ·q/√HS
        return (dQuery, dKey, dValue)
    }
}

extension RotaryEmbedding {
    /// The gradient through `forward(_:offset:)`: the rotation run backwards (by −pos).
    /// - Parameter dOut: [B, NH, T, HS]
    /// - Returns: [B, NH, T, HS]
    @_specialize(where Scalar == Float)
    public func backward(_ dOut: NDArray<Scalar>, offset: Int = 0) -> NDArray<Scalar> {
        let t = dOut.shape[dOut.ndim - 2]
        return rotateBack(dOut, cos: cosines[offset..<(offset + t)], sin: sines[offset..<(offset + t)])
    }

    /// The gradient through `forward(_:positions:)`.
    /// - Parameter positions: [B, T] or [T]
    @_specialize(where Scalar == Float)
    public func backward(_ dOut: NDArray<Scalar>, positions: NDArray<Int>) -> NDArray<Scalar> {
        var c = cosines.take(positions, axis: 0), s = sines.take(positions, axis: 0)
        if positions.ndim == 2 { (c, s) = (c.expandedDims(axis: 1), s.expandedDims(axis: 1)) }
        return rotateBack(dOut, cos: c, sin: s)
    }

    /// [d1·cos + d2·sin, d2·cos − d1·sin]: Rᵀ, the transpose of forward's rotation.
    func rotateBack(_ d: NDArray<Scalar>, cos c: NDArray<Scalar>, sin s: NDArray<Scalar>) -> NDArray<Scalar> {
        let half = headDim / 2
        let d1 = d[.ellipsis, 0..<half], d2 = d[.ellipsis, half..<headDim]
        return concatenate([d1 * c + d2 * s, d2 * c - d1 * s], axis: -1)
    }
}

extension MultiHeadAttention {
    /// What `backward` needs.
    public struct Saved {
        /// The query's input [B, Tq, C], and the key/value input [B, Tk, C] (nil: self-attention).
        public let queryInput: NDArray<Scalar>, memory: NDArray<Scalar>?
        /// The attention's own saved arrays.
        public let attention: ScaledDotProductAttention<Scalar>.Saved
        /// The merged heads [B, Tq, C] (proj's input) and the residual dropout's mask.
        public let merged: NDArray<Scalar>, residual: Dropout<Scalar>.Saved
        /// The rotary positions used (nil: 0..<T).
        public let positions: NDArray<Int>?
    }

    /// Self-attention (`memory` nil: q, k, v all from x) or cross-attention (k, v from `memory`),
    /// keeping what the backward needs. No KV cache: training reads whole sequences.
    /// - Parameters:
    ///   - x: [B, Tq, C]
    ///   - memory: [B, Tk, C], or nil
    ///   - mask: additive, broadcasting to [B, NH, Tq, Tk]
    ///   - positions: rotary positions [B, Tq] or [Tq] (default 0..<Tq)
    /// - Returns: the output [B, Tq, C], the weights [B, NH, Tq, Tk] and the saved arrays
    @_specialize(where Scalar == Float)
    public func forwardSaving(_ x: NDArray<Scalar>, memory: NDArray<Scalar>? = nil, mask: NDArray<Scalar>? = nil,
                              positions: NDArray<Int>? = nil)
        -> (output: NDArray<Scalar>, weights: NDArray<Scalar>, saved: Saved) {
        let source = memory ?? x                                                  // keys and values come from here
        checkInputs(x, source, source)
        let (q, k, v) = heads(query: x, key: source, value: source, positions: positions)   // the forward's own steps
        let (heads, weights, attentionSaved) = attention.forwardSaving(query: q, key: k, value: v, mask: mask)
        let merged = mergeHeads(heads)                                            // [B, Tq, C]
        let (output, residual) = residualDropout.forwardSaving(proj(merged))
        return (output, weights, Saved(queryInput: x, memory: memory, attention: attentionSaved, merged: merged,
                                       residual: residual, positions: positions))
    }

    /// Adds qkv's and proj's gradients under `prefix`.
    /// - Parameter dOut: [B, Tq, C]
    /// - Returns: dX [B, Tq, C] (for self-attention: all of the input's gradient) and, for
    ///   cross-attention, dMemory [B, Tk, C]
    @_specialize(where Scalar == Float)
    public func backward(_ dOut: NDArray<Scalar>, _ saved: Saved, prefix: String = "",
                         into gradients: inout Gradients<Scalar>) -> (dInput: NDArray<Scalar>, dMemory: NDArray<Scalar>?) {
        checkGradientShape("MultiHeadAttention.backward", dOut: dOut.shape, output: saved.merged.shape)
        let c = hiddenDim
        let dProjected = residualDropout.backward(dOut, saved.residual)
        let dMerged = proj.backward(dProjected, Linear.Saved(input: saved.merged), prefix: prefix + "proj.",
                                    into: &gradients)
        let dHeads = splitHeads(dMerged)                                          // [B, NH, Tq, HS]
        var (dq, dk, dv) = attention.backward(dHeads, saved.attention)
        if let rotary {
            dq = saved.positions.map { rotary.backward(dq, positions: $0) } ?? rotary.backward(dq)
            dk = saved.positions.map { rotary.backward(dk, positions: $0) } ?? rotary.backward(dk)
        }
        if let memory = saved.memory {
            let (dQ, dK, dV) = (mergeHeads(dq), mergeHeads(dk), mergeHeads(dv))  // [B, T, C] each
            // q came from rows [0, C) of qkv applied to x; k, v from rows [C, 3C) applied to the memory.
            let (dX, dWq, dBq) = linearBackward(dOut: dQ, input: saved.queryInput, weight: qkv.weight[0..<c],
                                                hasBias: qkv.bias != nil)
            let dKV = concatenate([dK, dV], axis: -1)                             // [B, Tk, 2C]
            let (dMemory, dWkv, dBkv) = linearBackward(dOut: dKV, input: memory, weight: qkv.weight[c..<(3 * c)],
                                                       hasBias: qkv.bias != nil)
            gradients.accumulate(prefix + "qkv.weight", concatenate([dWq, dWkv], axis: 0))
            if let dBq, let dBkv { gradients.accumulate(prefix + "qkv.bias", concatenate([dBq, dBkv], axis: 0)) }
            return (dX, dMemory)
        }
        // [dQ dK dV] side by side as qkv's output was, [B, T, 3C]: each head's gradient copied once into place.
        let (b, t) = (dq.shape[0], dq.shape[2])
        let dAll = stack([dq, dk, dv].map { $0.permuted(0, 2, 1, 3) }, axis: 2)    // [B, T, 3, NH, HS]
            .reshaped(b, t, 3 * c)
        let dX = qkv.backward(dAll, Linear.Saved(input: saved.queryInput), prefix: prefix + "qkv.", into: &gradients)
        return (dX, nil)
    }
}
