// BlockBackward.swift — the gradients of the transformer blocks: residual adds and norms around the sublayers.
//
//   pre-norm forward:   y = x + attn(ln1(x))          out = y + ffn(ln2(y))
//   pre-norm backward:  dY = dOut + ln2ᵀ(ffnᵀ(dOut))   dX = dY + ln1ᵀ(attnᵀ(dY))
//
//   post-norm forward:  y = ln1(x + attn(x))          out = ln2(y + ffn(y))
//   post-norm backward: dZ = ln2ᵀ(dOut)               dY = dZ + ffnᵀ(dZ)
//                       dW = ln1ᵀ(dY)                 dX = dW + attnᵀ(dW)
//
// A residual add copies its gradient to both branches (d(x + f(x)) = dY + f′ᵀdY):
// the identity path carries the gradient straight down through every block,
// which is why deep pre-norm stacks train. ("ᵀ" marks each sublayer's backward.)
// The decoder block adds a cross-attention sublayer between the two; its
// memory's gradient is returned for the encoder.
//
// Depends on: NN (TransformerBlock, DecoderBlock), AttentionBackward.swift,
// FeedForwardBackward.swift, LayerNormBackward.swift, NumericsCheck.swift (the opt-in NaN trace).

import NDArray
import NN

extension TransformerBlock {
    /// What `backward` needs: each sublayer's saved arrays.
    public struct Saved {
        /// The two norms' saved arrays (ln1, ln2).
        public let ln1: LayerNorm<Scalar>.Saved, ln2: LayerNorm<Scalar>.Saved
        /// The attention's.
        public let attn: MultiHeadAttention<Scalar>.Saved
        /// The feed-forward network's.
        public let ffn: FeedForward<Scalar>.Saved
    }

    /// `forward(x, mask:)` for training (no cache), keeping what the backward needs.
    /// - Parameters:
    ///   - x: [B, T, C]
    ///   - mask: additive, broadcasting to [B, NH, T, T]
    ///   - positions: rotary positions [B, T] or [T] (default 0..<T)
    ///   - prefix: the block's name (e.g. "blocks.3."), for `NumericsCheck`'s report
    /// - Returns: the output [B, T, C], the attention weights [B, NH, T, T] and the saved arrays
    @_specialize(where Scalar == Float)
    public func forwardSaving(_ x: NDArray<Scalar>, mask: NDArray<Scalar>? = nil, positions: NDArray<Int>? = nil,
                              prefix: String = "") -> (output: NDArray<Scalar>, weights: NDArray<Scalar>, saved: Saved) {
        // The block's own wiring (NormPlacement.residual), with each sublayer's saving forward.
        var s1, s2: LayerNorm<Scalar>.Saved?, sa: MultiHeadAttention<Scalar>.Saved?, sf: FeedForward<Scalar>.Saved?
        var weights: NDArray<Scalar>?
        let y = normPlacement.residual(x, norm: { h in
            let (n, s) = ln1.forwardSaving(h)
            NumericsCheck.check(n, prefix + "ln1 forward")
            s1 = s
            return n
        }) { h in
            let (a, w, s) = attn.forwardSaving(h, mask: mask, positions: positions)
            NumericsCheck.check(a, prefix + "attn forward")
            (weights, sa) = (w, s)
            return a
        }
        let out = normPlacement.residual(y, norm: { h in
            let (n, s) = ln2.forwardSaving(h)
            NumericsCheck.check(n, prefix + "ln2 forward")
            s2 = s
            return n
        }) { h in
            let (f, s) = ffn.forwardSaving(h)
            NumericsCheck.check(f, prefix + "ffn forward")
            sf = s
            return f
        }
        return (out, weights!, Saved(ln1: s1!, ln2: s2!, attn: sa!, ffn: sf!))
    }

    /// Adds every parameter's gradient under `prefix` (e.g. "blocks.3."); returns dX [B, T, C].
    @_specialize(where Scalar == Float)
    public func backward(_ dOut: NDArray<Scalar>, _ saved: Saved, prefix: String = "",
                         into gradients: inout Gradients<Scalar>) -> NDArray<Scalar> {
        checkGradientShape("TransformerBlock.backward", dOut: dOut.shape, output: saved.ln1.input.shape)
        switch normPlacement {
        case .pre:
            let dH2 = ffn.backward(dOut, saved.ffn, prefix: prefix + "ffn.", into: &gradients)
            NumericsCheck.check(dH2, prefix + "ffn backward")
            var dY = ln2.backward(dH2, saved.ln2, prefix: prefix + "ln2.", into: &gradients)
            NumericsCheck.check(dY, prefix + "ln2 backward")
            dY += dOut                                                            // out = y + …: dOut reaches y directly
            let dH1 = attn.backward(dY, saved.attn, prefix: prefix + "attn.", into: &gradients).dInput
            NumericsCheck.check(dH1, prefix + "attn backward")
            var dX = ln1.backward(dH1, saved.ln1, prefix: prefix + "ln1.", into: &gradients)
            NumericsCheck.check(dX, prefix + "ln1 backward")
            dX += dY                                                              // y = x + …
            return dX
        case .post:
            let dF = ln2.backward(dOut, saved.ln2, prefix: prefix + "ln2.", into: &gradients)
            NumericsCheck.check(dF, prefix + "ln2 backward")
            var dY = ffn.backward(dF, saved.ffn, prefix: prefix + "ffn.", into: &gradients)
            NumericsCheck.check(dY, prefix + "ffn backward")
            dY += dF
            let dA = ln1.backward(dY, saved.ln1, prefix: prefix + "ln1.", into: &gradients)
            NumericsCheck.check(dA, prefix + "ln1 backward")
            var dX = attn.backward(dA, saved.attn, prefix: prefix + "attn.", into: &gradients).dInput
            NumericsCheck.check(dX, prefix + "attn backward")
            dX += dA
            return dX
        }
    }
}

extension DecoderBlock {
    /// What `backward` needs: each sublayer's saved arrays.
    public struct Saved {
        /// The three norms'.
        public let ln1: LayerNorm<Scalar>.Saved, ln2: LayerNorm<Scalar>.Saved, ln3: LayerNorm<Scalar>.Saved
        /// The self- and cross-attention's.
        public let selfAttn: MultiHeadAttention<Scalar>.Saved, crossAttn: MultiHeadAttention<Scalar>.Saved
        /// The feed-forward network's.
        public let ffn: FeedForward<Scalar>.Saved
    }

    /// `forward(x, memory:, mask:, memoryMask:)` for training, keeping what the backward needs.
    /// - Parameters:
    ///   - x: [B, T, C]
    ///   - memory: the encoder's output [B, S, C]
    ///   - mask: causal (+ target padding), broadcasting to [B, NH, T, T]
    ///   - memoryMask: source padding, broadcasting to [B, NH, T, S]
    /// - Returns: [B, T, C] and the saved arrays
    @_specialize(where Scalar == Float)
    public func forwardSaving(_ x: NDArray<Scalar>, memory: NDArray<Scalar>, mask: NDArray<Scalar>? = nil,
                              memoryMask: NDArray<Scalar>? = nil) -> (output: NDArray<Scalar>, saved: Saved) {
        // The block's own wiring (NormPlacement.residual), with each sublayer's saving forward.
        var s1, s2, s3: LayerNorm<Scalar>.Saved?, sa, sc: MultiHeadAttention<Scalar>.Saved?
        var sf: FeedForward<Scalar>.Saved?
        let y = normPlacement.residual(x, norm: { let (n, s) = ln1.forwardSaving($0); s1 = s; return n }) { h in
            let (a, _, s) = selfAttn.forwardSaving(h, mask: mask)
            sa = s
            return a
        }
        let z = normPlacement.residual(y, norm: { let (n, s) = ln2.forwardSaving($0); s2 = s; return n }) { h in
            let (a, _, s) = crossAttn.forwardSaving(h, memory: memory, mask: memoryMask)
            sc = s
            return a
        }
        let out = normPlacement.residual(z, norm: { let (n, s) = ln3.forwardSaving($0); s3 = s; return n }) { h in
            let (f, s) = ffn.forwardSaving(h)
            sf = s
            return f
        }
        return (out, Saved(ln1: s1!, ln2: s2!, ln3: s3!, selfAttn: sa!, crossAttn: sc!, ffn: sf!))
    }

    /// Adds every parameter's gradient under `prefix`; returns dX [B, T, C] and dMemory [B, S, C].
    @_specialize(where Scalar == Float)
    public func backward(_ dOut: NDArray<Scalar>, _ saved: Saved, prefix: String = "",
                         into gradients: inout Gradients<Scalar>) -> (dInput: NDArray<Scalar>, dMemory: NDArray<Scalar>) {
        checkGradientShape("DecoderBlock.backward", dOut: dOut.shape, output: saved.ln1.input.shape)
        switch normPlacement {
        case .pre:
            var dZ = ln3.backward(ffn.backward(dOut, saved.ffn, prefix: prefix + "ffn.", into: &gradients),
                                  saved.ln3, prefix: prefix + "ln3.", into: &gradients)
            dZ += dOut
            let (dH2, dMemory) = crossAttn.backward(dZ, saved.crossAttn, prefix: prefix + "crossAttn.", into: &gradients)
            var dY = ln2.backward(dH2, saved.ln2, prefix: prefix + "ln2.", into: &gradients)
            dY += dZ
            var dX = ln1.backward(selfAttn.backward(dY, saved.selfAttn, prefix: prefix + "selfAttn.", into: &gradients).dInput,
                                  saved.ln1, prefix: prefix + "ln1.", into: &gradients)
            dX += dY
            return (dX, memoryGradient(dMemory))
        case .post:
            let dF = ln3.backward(dOut, saved.ln3, prefix: prefix + "ln3.", into: &gradients)
            var dZ = ffn.backward(dF, saved.ffn, prefix: prefix + "ffn.", into: &gradients)
            dZ += dF
            let dB = ln2.backward(dZ, saved.ln2, prefix: prefix + "ln2.", into: &gradients)
            var (dY, dMemory) = crossAttn.backward(dB, saved.crossAttn, prefix: prefix + "crossAttn.", into: &gradients)
            dY += dB
            let dA = ln1.backward(dY, saved.ln1, prefix: prefix + "ln1.", into: &gradients)
            var dX = selfAttn.backward(dA, saved.selfAttn, prefix: prefix + "selfAttn.", into: &gradients).dInput
            dX += dA
            return (dX, memoryGradient(dMemory))
        }
    }
}

/// Cross-attention's dMemory, which it always returns (its saved arrays hold a memory).
private func memoryGradient<S>(_ dMemory: NDArray<S>?) -> NDArray<S> {
    guard let dMemory else {
        backpropFailure("DecoderBlock.backward", "the cross-attention's saved arrays hold no memory: they come from "
                        + "a self-attention forwardSaving")
    }
    return dMemory
}
