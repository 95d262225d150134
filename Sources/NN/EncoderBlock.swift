// EncoderBlock.swift — the encoder layer of an encoder-decoder transformer.
//
//   x = x + attn(ln1(x), mask: padding);   x = x + ffn(ln2(x))      (pre-norm; post-norm as an option)
//   x: [B, S, C]  →  [B, S, C]
//
// An encoder block is a TransformerBlock whose attention may look both ways:
// it is called with a padding mask (createPaddingMask) instead of a causal
// one, so every source token sees every real source token. The two are the
// same code; this name says how it is used.
//
// Depends on: NDArray, TransformerBlock.swift, Layer.swift, LayerNorm.swift, MultiHeadAttention.swift,
// Linear.swift, Dropout.swift, ScaledDotProductAttention.swift, KeyValueCache.swift,
// RotaryEmbedding.swift, FeedForward.swift.
// Not here: a separate implementation (there is nothing to add to TransformerBlock).

import NDArray

/// A transformer encoder layer: bidirectional self-attention and a feed-forward network.
/// PyTorch: `nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, batch_first=True, norm_first=…)`.
///
/// ```swift
/// let encoder = EncoderBlock<Float>(hiddenDim: 64, numHeads: 4, ffnDim: 256, dropout: 0, using: &rng)
/// let memory = encoder(source, mask: createPaddingMask(seqLengths: [5, 3], maxLen: 5))   // [2, 5, 64]
/// ```
public typealias EncoderBlock<Scalar: NDFloatingPoint> = TransformerBlock<Scalar>
