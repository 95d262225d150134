// TransformerBlock.swift — one layer of a transformer: attention to mix
// information between tokens, then a feed-forward network on each token, each
// added back to its input (the residual stream).
//
//   pre-norm  (GPT-2, default):   x = x + attn(ln1(x));   x = x + ffn(ln2(x))
//   post-norm ("Add & Norm"):     x = ln1(x + attn(x));   x = ln2(x + ffn(x))
//   x: [B, T, C]  →  [B, T, C]
//
// Post-norm is the original transformer's order, as its diagram draws it: add
// the sublayer's output to its input, then normalise. Pre-norm normalises
// each sublayer's input instead and leaves the residual stream untouched,
// which trains deep stacks without warmup tricks; GPT-2 and almost every model
// since use it. With a causal mask this is a decoder-only (GPT) block; with a
// padding mask, an encoder block (EncoderBlock.swift).
//
// Parameters, in this order: `ln1.*`, `attn.qkv.*`, `attn.proj.*`, `ln2.*`,
// (`ffn.gate.*`), `ffn.up.*`, `ffn.down.*`.
//
// Depends on: NDArray, Layer.swift, LayerNorm.swift, MultiHeadAttention.swift, Linear.swift,
// Dropout.swift, ScaledDotProductAttention.swift, KeyValueCache.swift, RotaryEmbedding.swift,
// FeedForward.swift.
// Not here: parallel attention + FFN (GPT-J), layer scale, RMSNorm as the norm.

import NDArray

/// Where a block normalises: before each sublayer, or after each residual add.
public enum NormPlacement: String, Sendable, CaseIterable, Codable {
    /// x + f(LN(x)): GPT-2, LiteTorch.
    case pre
    /// LN(x + f(x)): the original transformer ("Add & Norm").
    case post

    /// One residual sublayer, wired as this placement says: pre-norm x + f(norm(x)), post-norm
    /// norm(x + f(x)). Every block's forward is a chain of these (and Backprop's saving forward runs
    /// the same chain with saving closures), so the wiring is written once.
    /// - Parameters:
    ///   - x: [B, T, C]
    ///   - norm: the sublayer's norm, [B, T, C] → [B, T, C]
    ///   - sublayer: attention or the feed-forward network, [B, T, C] → [B, T, C]
    /// - Returns: [B, T, C]
    @inlinable
    public func residual<S: NDFloatingPoint>(_ x: NDArray<S>, norm: (NDArray<S>) -> NDArray<S>,
                                              _ sublayer: (NDArray<S>) -> NDArray<S>) -> NDArray<S> {
        switch self {
        case .pre:
            var y = sublayer(norm(x))
            y += x                                                                 // x + f(norm(x))
            return y
        case .post:
            var y = sublayer(x)
            y += x
            return norm(y)                                                         // norm(x + f(x))
        }
    }
}

/// A transformer block: self-attention and a feed-forward network with residual
/// connections. LiteTorch: `TransformerBlock(hidden_dim, num_heads, ffn_dim, dropout)`.
///
/// ```swift
/// let block = TransformerBlock<Float>(hiddenDim: 768, numHeads: 12, ffnDim: 3072, dropout: 0, using: &rng)
/// let y = block(x, mask: createCausalMask(seqLen: x.shape[1]))    // [B, T, 768] → [B, T, 768]
/// ```
public final class TransformerBlock<Scalar: NDFloatingPoint>: Layer {
    /// Before attention (pre-norm) or after its residual add (post-norm).
    public let ln1: LayerNorm<Scalar>
    /// Self-attention.
    public let attn: MultiHeadAttention<Scalar>
    /// Before the feed-forward network (pre-norm) or after its residual add (post-norm).
    public let ln2: LayerNorm<Scalar>
    /// The position-wise network.
    public let ffn: FeedForward<Scalar>
    /// `.pre` or `.post`.
    public let normPlacement: NormPlacement

    /// Whether dropout is active (PyTorch: `training`); setting it sets every layer inside.
    public var isTraining = true {
        didSet { for layer in [ln1, ln2] { layer.isTraining = isTraining }; attn.isTraining = isTraining; ffn.isTraining = isTraining }
    }

    /// A block with LiteTorch's defaults, so LiteTorch's signature builds LiteTorch's block (4C² + 2CF +
    /// F + 5C parameters): pre-norm, GELU in its tanh form, biases in the norms and the feed-forward
    /// network (`bias`) but not in attention (`attentionBias`; GPT-2's and PyTorch's layers have them).
    public init(hiddenDim: Int, numHeads: Int, ffnDim: Int, dropout: Double = 0.1,
                normPlacement: NormPlacement = .pre, activation: Activation = .geluTanh,
                ffnVariant: FeedForwardVariant = .standard, bias: Bool = true, attentionBias: Bool = false,
                eps: Scalar = 1e-5, rotary: RotaryEmbedding<Scalar>? = nil,
                weightInit: Initialization<Scalar> = .xavierUniform, using generator: inout SeededGenerator) {
        self.normPlacement = normPlacement
        ln1 = LayerNorm(normalizedShape: hiddenDim, eps: eps, bias: bias)
        attn = MultiHeadAttention(hiddenDim: hiddenDim, numHeads: numHeads, dropout: dropout, bias: attentionBias,
                                  rotary: rotary, weightInit: weightInit, using: &generator)
        ln2 = LayerNorm(normalizedShape: hiddenDim, eps: eps, bias: bias)
        ffn = FeedForward(hiddenDim: hiddenDim, ffnDim: ffnDim, dropout: dropout, activation: activation,
                          variant: ffnVariant, bias: bias, weightInit: weightInit, using: &generator)
    }

    /// Each parameter under `prefix`, in the order listed here (see Layer.swift).
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {
        try ln1.visitParameters(prefix: prefix + "ln1.", body)
        try attn.visitParameters(prefix: prefix + "attn.", body)
        try ln2.visitParameters(prefix: prefix + "ln2.", body)
        try ffn.visitParameters(prefix: prefix + "ffn.", body)
    }

    /// - Parameters:
    ///   - x: [B, T, C]
    ///   - mask: additive, broadcasting to [B, NH, T, Tk]: causal for a decoder, padding for an encoder
    ///   - cache: the attention's keys and values of earlier tokens
    ///   - positions: [B, T] or [T], the rotary positions of these tokens (default: the cache's count onwards)
    /// - Returns: [B, T, C]
    @inlinable
    public func forward(_ x: NDArray<Scalar>, mask: NDArray<Scalar>? = nil,
                        cache: KeyValueCache<Scalar>? = nil, positions: NDArray<Int>? = nil) -> NDArray<Scalar> {
        forwardWithWeights(x, mask: mask, cache: cache, positions: positions).output
    }

    /// The same as `forward(_:mask:cache:positions:)`.
    @inlinable
    public func callAsFunction(_ x: NDArray<Scalar>, mask: NDArray<Scalar>? = nil,
                               cache: KeyValueCache<Scalar>? = nil, positions: NDArray<Int>? = nil) -> NDArray<Scalar> {
        forward(x, mask: mask, cache: cache, positions: positions)
    }

    /// `forward`, also returning the attention weights.
    /// - Returns: the output [B, T, C] and the weights [B, NH, T, Tk]
    @inlinable
    public func forwardWithWeights(_ x: NDArray<Scalar>, mask: NDArray<Scalar>? = nil,
                                   cache: KeyValueCache<Scalar>? = nil, positions: NDArray<Int>? = nil)
        -> (output: NDArray<Scalar>, weights: NDArray<Scalar>) {
        var weights: NDArray<Scalar>?                                               // [B, NH, T, Tk]
        let y = normPlacement.residual(x, norm: ln1.forward) { h in                 // [B, T, C]
            let (a, w) = attn.forwardWithWeights(query: h, key: h, value: h, mask: mask, cache: cache,
                                                 positions: positions)
            weights = w
            return a
        }
        return (normPlacement.residual(y, norm: ln2.forward, ffn.forward), weights!)
    }
}
