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
        switch normPlacement {
        case .pre:
            let (h1, s1) = ln1.forwardSaving(x)
            NumericsCheck.check(h1, prefix + "ln1 forward")
            var (y, weights, sa) = attn.forwardSaving(h1, mask: mask, positions: positions)
            NumericsCheck.check(y, prefix + "attn forward")
            y += x                                                                // x + attn(ln1(x))
            let (h2, s2) = ln2.forwardSaving(y)
            NumericsCheck.check(h2, prefix + "ln2 forward")
            var (out, sf) = ffn.forwardSaving(h2)
            NumericsCheck.check(out, prefix + "ffn forward")
            out += y                                                              // y + ffn(ln2(y))
            return (out, weights, Saved(ln1: s1, ln2: s2, attn: sa, ffn: sf))
        case .post:
            var (a, weights, sa) = attn.forwardSaving(x, mask: mask, positions: positions)
            NumericsCheck.check(a, prefix + "attn forward")
            a += x
            let (y, s1) = ln1.forwardSaving(a)                                    // ln1(x + attn(x))
            NumericsCheck.check(y, prefix + "ln1 forward")
            var (f, sf) = ffn.forwardSaving(y)
            NumericsCheck.check(f, prefix + "ffn forward")
            f += y
            let (out, s2) = ln2.forwardSaving(f)                                  // ln2(y + ffn(y))
            NumericsCheck.check(out, prefix + "ln2 forward")
            return (out, weights, Saved(ln1: s1, ln2: s2, attn: sa, ffn: sf))
        }
    }

    /// Adds every parameter's gradient under `prefix` (e.g. "blocks.3."); returns dX [B, T, C].
    @_specialize(where Scalar == Float)
    public func backward(_ dOut: NDArray<Scalar>, _ saved: Saved, prefix: String = "",
                         into gradients: inout Gradients<Scalar>) -> NDArray<Scalar> {
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
        switch normPlacement {
        case .pre:
            let (h1, s1) = ln1.forwardSaving(x)
            var (y, _, sa) = selfAttn.forwardSaving(h1, mask: mask)
            y += x
            let (h2, s2) = ln2.forwardSaving(y)
            var (z, _, sc) = crossAttn.forwardSaving(h2, memory: memory, mask: memoryMask)
            z += y
            let (h3, s3) = ln3.forwardSaving(z)
            var (out, sf) = ffn.forwardSaving(h3)
            out += z
            return (out, Saved(ln1: s1, ln2: s2, ln3: s3, selfAttn: sa, crossAttn: sc, ffn: sf))
        case .post:
            var (a, _, sa) = selfAttn.forwardSaving(x, mask: mask)
            a += x
            let (y, s1) = ln1.forwardSaving(a)
            var (b, _, sc) = crossAttn.forwardSaving(y, memory: memory, mask: memoryMask)
            b += y
            let (z, s2) = ln2.forwardSaving(b)
            var (f, sf) = ffn.forwardSaving(z)
            f += z
            let (out, s3) = ln3.forwardSaving(f)
            return (out, Saved(ln1: s1, ln2: s2, ln3: s3, selfAttn: sa, crossAttn: sc, ffn: sf))
        }
    }

    /// Adds every parameter's gradient under `prefix`; returns dX [B, T, C] and dMemory [B, S, C].
    @_specialize(where Scalar == Float)
    public func backward(_ dOut: NDArray<Scalar>, _ saved: Saved, prefix: String = "",
                         into gradients: inout Gradients<Scalar>) -> (dInput: NDArray<Scalar>, dMemory: NDArray<Scalar>) {
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
            return (dX, dMemory!)
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
            return (dX, dMemory!)
        }
    }
}
