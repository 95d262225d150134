// DecoderBlock.swift — the decoder layer of an encoder-decoder transformer:
// causal self-attention over the target, cross-attention to the encoder's
// output ("memory"), then a feed-forward network.
//
//   pre-norm:   x = x + selfAttn(ln1(x), causal);  x = x + crossAttn(ln2(x), memory);  x = x + ffn(ln3(x))
//   post-norm:  x = ln1(x + selfAttn(x));           x = ln2(x + crossAttn(x, memory));  x = ln3(x + ffn(x))
//   x: [B, T, C], memory: [B, S, C]  →  [B, T, C]      (T and S may differ)
//
// In cross-attention the queries come from the target and the keys and values
// from the memory, so its weights are [B, NH, T, S]: for each target token, how
// much it reads from each source token. The memory mask hides the source's
// padding. The self mask is the caller's to give, as in PyTorch: pass
// `createCausalMask(seqLen: T)` (plus the target's padding) for a decoder;
// without it the target attends both ways.
//
// Parameters: `ln1.*`, `selfAttn.*`, `ln2.*`, `crossAttn.*`, `ln3.*`, `ffn.*`.
//
// Depends on: NDArray, Layer.swift, LayerNorm.swift, MultiHeadAttention.swift, Linear.swift,
// Dropout.swift, ScaledDotProductAttention.swift, KeyValueCache.swift, RotaryEmbedding.swift,
// FeedForward.swift, TransformerBlock.swift (NormPlacement).
// Not here: caching the memory's keys and values across generation steps.

import NDArray

/// A transformer decoder layer with cross-attention.
/// PyTorch: `nn.TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, batch_first=True, norm_first=…)`.
public final class DecoderBlock<Scalar: NDFloatingPoint>: Layer {
    /// Before (pre-norm) or after (post-norm) self-attention.
    public let ln1: LayerNorm<Scalar>
    /// Causal self-attention over the target.
    public let selfAttn: MultiHeadAttention<Scalar>
    /// Before (pre-norm) or after (post-norm) cross-attention.
    public let ln2: LayerNorm<Scalar>
    /// Attention from the target to the memory.
    public let crossAttn: MultiHeadAttention<Scalar>
    /// Before (pre-norm) or after (post-norm) the feed-forward network.
    public let ln3: LayerNorm<Scalar>
    /// The position-wise network.
    public let ffn: FeedForward<Scalar>
    /// `.pre` or `.post`.
    public let normPlacement: NormPlacement

    /// Whether dropout is active (PyTorch: `training`); setting it sets every layer inside.
    public var isTraining = true {
        didSet {
            for layer in [ln1, ln2, ln3] { layer.isTraining = isTraining }
            for layer in [selfAttn, crossAttn] { layer.isTraining = isTraining }
            ffn.isTraining = isTraining
        }
    }

    /// A decoder layer, PyTorch's `nn.TransformerDecoderLayer` (LiteTorch has none): biases in its
    /// attention too, unless `attentionBias: false`; the other defaults are TransformerBlock's.
    public init(hiddenDim: Int, numHeads: Int, ffnDim: Int, dropout: Double = 0.1,
                normPlacement: NormPlacement = .pre, activation: Activation = .geluTanh,
                ffnVariant: FeedForwardVariant = .standard, bias: Bool = true, attentionBias: Bool = true,
                eps: Scalar = 1e-5,
                weightInit: Initialization<Scalar> = .xavierUniform, using generator: inout SeededGenerator) {
        self.normPlacement = normPlacement
        ln1 = LayerNorm(normalizedShape: hiddenDim, eps: eps, bias: bias)
        selfAttn = MultiHeadAttention(hiddenDim: hiddenDim, numHeads: numHeads, dropout: dropout, bias: attentionBias,
                                      weightInit: weightInit, using: &generator)
        ln2 = LayerNorm(normalizedShape: hiddenDim, eps: eps, bias: bias)
        crossAttn = MultiHeadAttention(hiddenDim: hiddenDim, numHeads: numHeads, dropout: dropout, bias: attentionBias,
                                       weightInit: weightInit, using: &generator)
        ln3 = LayerNorm(normalizedShape: hiddenDim, eps: eps, bias: bias)
        ffn = FeedForward(hiddenDim: hiddenDim, ffnDim: ffnDim, dropout: dropout, activation: activation,
                          variant: ffnVariant, bias: bias, weightInit: weightInit, using: &generator)
    }

    /// Each parameter under `prefix`, in the order listed here (see Layer.swift).
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {
        try ln1.visitParameters(prefix: prefix + "ln1.", body)
        try selfAttn.visitParameters(prefix: prefix + "selfAttn.", body)
        try ln2.visitParameters(prefix: prefix + "ln2.", body)
        try crossAttn.visitParameters(prefix: prefix + "crossAttn.", body)
        try ln3.visitParameters(prefix: prefix + "ln3.", body)
        try ffn.visitParameters(prefix: prefix + "ffn.", body)
    }

    /// - Parameters:
    ///   - x: the target [B, T, C]
    ///   - memory: the encoder's output [B, S, C]
    ///   - mask: additive self-attention mask, broadcasting to [B, NH, T, T] (causal, plus target padding)
    ///   - memoryMask: additive cross-attention mask, broadcasting to [B, NH, T, S] (source padding)
    ///   - cache: the self-attention's keys and values of earlier target tokens
    /// - Returns: [B, T, C]
    @inlinable
    public func forward(_ x: NDArray<Scalar>, memory: NDArray<Scalar>, mask: NDArray<Scalar>? = nil,
                        memoryMask: NDArray<Scalar>? = nil, cache: KeyValueCache<Scalar>? = nil) -> NDArray<Scalar> {
        forwardWithWeights(x, memory: memory, mask: mask, memoryMask: memoryMask, cache: cache).output
    }

    /// The same as `forward(_:memory:mask:memoryMask:cache:)`.
    @inlinable
    public func callAsFunction(_ x: NDArray<Scalar>, memory: NDArray<Scalar>, mask: NDArray<Scalar>? = nil,
                               memoryMask: NDArray<Scalar>? = nil, cache: KeyValueCache<Scalar>? = nil) -> NDArray<Scalar> {
        forward(x, memory: memory, mask: mask, memoryMask: memoryMask, cache: cache)
    }

    /// `forward`, also returning both attentions' weights.
    /// - Returns: the output [B, T, C], self-attention weights [B, NH, T, T] and cross-attention weights [B, NH, T, S]
    @inlinable
    public func forwardWithWeights(_ x: NDArray<Scalar>, memory: NDArray<Scalar>, mask: NDArray<Scalar>? = nil,
                                   memoryMask: NDArray<Scalar>? = nil, cache: KeyValueCache<Scalar>? = nil)
        -> (output: NDArray<Scalar>, selfWeights: NDArray<Scalar>, crossWeights: NDArray<Scalar>) {
        var selfWeights, crossWeights: NDArray<Scalar>?                             // [B, NH, T, T], [B, NH, T, S]
        let y = normPlacement.residual(x, norm: ln1.forward) { h in                 // [B, T, C]
            let (a, w) = selfAttn.forwardWithWeights(query: h, key: h, value: h, mask: mask, cache: cache)
            selfWeights = w
            return a
        }
        let z = normPlacement.residual(y, norm: ln2.forward) { h in
            let (a, w) = crossAttn.forwardWithWeights(query: h, key: memory, value: memory, mask: memoryMask)
            crossWeights = w
            return a
        }
        return (normPlacement.residual(z, norm: ln3.forward, ffn.forward), selfWeights!, crossWeights!)
    }
}
