// MultiHeadAttention.swift — NH attention heads side by side, each on its own
// HS-sized slice of the channels, then mixed back together.
//
//   q, k, v = x_q·W_qᵀ, x_kv·W_kᵀ, x_kv·W_vᵀ       [B, T, C] → [B, T, C] each (one [3C, C] matrix: `qkv`)
//   split   [B, T, C] → [B, T, NH, HS] → [B, NH, T, HS]     views: no copy
//   heads   softmax(q·kᵀ/√HS + mask)·v             ScaledDotProductAttention.swift
//   merge   [B, NH, Tq, HS] → [B, Tq, NH, HS] → [B, Tq, C], then `proj`: y = merged·W_oᵀ (+ b)
//
// Biases are optional (`bias:`): LiteTorch's attention has none, and so does this layer built with
// LiteTorch's signature; PyTorch's `nn.MultiheadAttention` and GPT-2 have them (`bias: true`).
// Self-attention passes the same x as query, key and value: one [B·T, C]·[C, 3C]
// product makes q, k and v at once. Cross-attention (a decoder reading an
// encoder) passes its own x as the query and the encoder's output as key and
// value, whose length Tk may differ from Tq; the rows of `qkv.weight` are then
// used in two products, [0, C) for the query and [C, 3C) for key and value.
// PyTorch's `nn.MultiheadAttention` stores its `in_proj_weight` the same way.
// Heads are strided views of that product; the only copy is the merge, which
// the layout needs (heads must sit side by side again for `proj`).
//
// With a KeyValueCache, the new tokens' keys and values are appended and the
// queries attend to all of them: token by token generation costs O(T) per
// token. With a RotaryEmbedding, q and k are rotated by their positions first
// (the cache's count is the first new position). Dropout, while training, is
// on the attention weights and after `proj` (nanoGPT's attn and resid dropout).
//
// Depends on: NDArray, Layer.swift, Linear.swift, Dropout.swift,
// ScaledDotProductAttention.swift, KeyValueCache.swift, RotaryEmbedding.swift (even without
// rotary positions: its type is named here).
// Not here: grouped-query attention, separate key/value head counts, flash attention.

import NDArray

/// Multi-head attention, for self- and cross-attention. LiteTorch: `MultiHeadAttention(hidden_dim, num_heads, dropout)`;
/// PyTorch: `nn.MultiheadAttention(embed_dim, num_heads, dropout, batch_first=True)`.
///
/// ```swift
/// let attn = MultiHeadAttention<Float>(hiddenDim: 768, numHeads: 12, dropout: 0, bias: true, using: &rng)
/// let y = attn(query: x, key: x, value: x, mask: createCausalMask(seqLen: x.shape[1]))   // [B, T, 768]
/// let (_, weights) = attn.forwardWithWeights(query: x, key: x, value: x)               // [B, 12, T, T]
/// ```
public final class MultiHeadAttention<Scalar: NDFloatingPoint>: Layer {
    /// W_q, W_k, W_v stacked: weight [3C, C], bias [3C] (with `bias: true`).
    public let qkv: Linear<Scalar>
    /// W_o: weight [C, C], bias [C] (with `bias: true`).
    public let proj: Linear<Scalar>
    /// The heads' attention, with dropout on its weights.
    public let attention: ScaledDotProductAttention<Scalar>
    /// After `proj`, while training.
    public let residualDropout: Dropout<Scalar>
    /// Rotates q and k by position, if the model uses rotary positions.
    public let rotary: RotaryEmbedding<Scalar>?
    /// C.
    public let hiddenDim: Int
    /// NH.
    public let numHeads: Int
    /// HS = C / NH.
    public let headDim: Int

    /// Whether dropout is active (PyTorch: `training`); setting it sets every layer inside.
    public var isTraining = true {
        didSet {
            qkv.isTraining = isTraining; proj.isTraining = isTraining; rotary?.isTraining = isTraining
            attention.isTraining = isTraining; residualDropout.isTraining = isTraining
        }
    }

    /// `qkv` [3C, C] and `proj` [C, C] drawn by `weightInit` (Xavier uniform by default); with
    /// `bias: true`, zero biases [3C] and [C]. `rotary` must have headDim = HS = C / NH.
    /// LiteTorch's signature builds LiteTorch's layer, whose W_q, W_k, W_v, W_o have no biases (4C²
    /// parameters); PyTorch's `nn.MultiheadAttention` and GPT-2 have them: pass `bias: true`.
    public init(hiddenDim: Int, numHeads: Int, dropout: Double = 0.1, bias: Bool = false,
                rotary: RotaryEmbedding<Scalar>? = nil, weightInit: Initialization<Scalar> = .xavierUniform,
                using generator: inout SeededGenerator) {
        if numHeads <= 0 || hiddenDim % numHeads != 0 {
            layerFailure("MultiHeadAttention", "hiddenDim (\(hiddenDim)) must be divisible by numHeads (\(numHeads))")
        }
        self.hiddenDim = hiddenDim
        self.numHeads = numHeads
        headDim = hiddenDim / numHeads
        if let rotary, rotary.headDim != headDim {
            layerFailure("MultiHeadAttention", "rotary headDim \(rotary.headDim) != hiddenDim / numHeads (\(headDim))")
        }
        self.rotary = rotary
        qkv = Linear(inFeatures: hiddenDim, outFeatures: 3 * hiddenDim, bias: bias, weightInit: weightInit,
                     using: &generator)
        proj = Linear(inFeatures: hiddenDim, outFeatures: hiddenDim, bias: bias, weightInit: weightInit,
                      using: &generator)
        attention = ScaledDotProductAttention(dropout: dropout, using: &generator)
        residualDropout = Dropout(p: dropout, using: &generator)
    }

    /// Each parameter under `prefix`, in the order listed here (see Layer.swift).
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {
        try qkv.visitParameters(prefix: prefix + "qkv.", body)
        try proj.visitParameters(prefix: prefix + "proj.", body)
    }

    /// Attention of `query` over `key` and `value`.
    /// - Parameters:
    ///   - query: [B, Tq, C]
    ///   - key: [B, Tk, C] (the same array as `query` for self-attention)
    ///   - value: [B, Tk, C]
    ///   - mask: additive, broadcasting to [B, NH, Tq, Tk] (with a cache, Tk counts the cached tokens)
    ///   - cache: the keys and values of earlier tokens; the new ones are appended
    ///   - positions: [B, Tq] or [Tq], the rotary positions of the new tokens (default: the cache's
    ///     count onwards); a left-padded batch passes the positions its attention mask gives
    /// - Returns: [B, Tq, C]
    @inlinable
    public func forward(query: NDArray<Scalar>, key: NDArray<Scalar>, value: NDArray<Scalar>,
                        mask: NDArray<Scalar>? = nil, cache: KeyValueCache<Scalar>? = nil,
                        positions: NDArray<Int>? = nil) -> NDArray<Scalar> {
        forwardWithWeights(query: query, key: key, value: value, mask: mask, cache: cache, positions: positions).output
    }

    /// The same as `forward(query:key:value:mask:cache:positions:)`.
    @inlinable
    public func callAsFunction(query: NDArray<Scalar>, key: NDArray<Scalar>, value: NDArray<Scalar>,
                               mask: NDArray<Scalar>? = nil, cache: KeyValueCache<Scalar>? = nil,
                               positions: NDArray<Int>? = nil) -> NDArray<Scalar> {
        forward(query: query, key: key, value: value, mask: mask, cache: cache, positions: positions)
    }

    /// `forward`, also returning every head's attention weights.
    /// - Returns: the output [B, Tq, C] and the weights [B, NH, Tq, Tk] (each row sums to 1 over the keys)
    @inlinable
    public func forwardWithWeights(query: NDArray<Scalar>, key: NDArray<Scalar>, value: NDArray<Scalar>,
                                   mask: NDArray<Scalar>? = nil, cache: KeyValueCache<Scalar>? = nil,
                                   positions: NDArray<Int>? = nil)
        -> (output: NDArray<Scalar>, weights: NDArray<Scalar>) {
        checkInputs(query, key, value)
        var (q, k, v) = heads(query: query, key: key, value: value, positions: positions,
                              offset: cache?.count ?? 0)                  // [B, NH, Tq, HS], [B, NH, Tk, HS] × 2
        if let cache { (k, v) = cache.append(keys: k, values: v) }            // [B, NH, past + Tk, HS]
        let (heads, weights) = attention(query: q, key: k, value: v, mask: mask)   // [B, NH, Tq, HS], [B, NH, Tq, Tk]
        return (residualDropout(proj(mergeHeads(heads))), weights)           // [B, NH, Tq, HS] → [B, Tq, C]
    }

    // MARK: The steps of `forward`, each public so that a backward pass, the tour and a learner call these, not a copy

    /// Projections, heads and positions: q from `query`, k and v from `key` and `value` through `qkv`,
    /// split into NH heads, then (with rotary positions) q and k rotated.
    /// - Parameters:
    ///   - query: [B, Tq, C]
    ///   - key: [B, Tk, C] (the same array as `query` for self-attention: then one [C, 3C] product)
    ///   - value: [B, Tk, C]
    ///   - positions: [B, Tq] or [Tq], the rotary positions (nil: `offset`..<`offset` + Tq)
    ///   - offset: the position of the first token when `positions` is nil (a cache's count)
    /// - Returns: q [B, NH, Tq, HS], k and v [B, NH, Tk, HS]
    @inlinable
    public func heads(query: NDArray<Scalar>, key: NDArray<Scalar>, value: NDArray<Scalar>,
                      positions: NDArray<Int>? = nil, offset: Int = 0)
        -> (query: NDArray<Scalar>, key: NDArray<Scalar>, value: NDArray<Scalar>) {
        let c = hiddenDim
        // Project: one product when query, key and value are the same array, two when only key and value are.
        var q, k, v: NDArray<Scalar>                                          // [B, T, C] each
        if isSameArray(query, key) && isSameArray(key, value) {
            let all = qkv(query)                                              // [B, T, C] → [B, T, 3C]
            (q, k, v) = (all[.ellipsis, 0..<c], all[.ellipsis, c..<(2 * c)], all[.ellipsis, (2 * c)..<(3 * c)])
        } else {
            q = project(query, rows: 0..<c)                                   // [B, Tq, C]
            if isSameArray(key, value) {
                let kv = project(key, rows: c..<(3 * c))                      // [B, Tk, 2C]
                (k, v) = (kv[.ellipsis, 0..<c], kv[.ellipsis, c..<(2 * c)])
            } else {
                (k, v) = (project(key, rows: c..<(2 * c)), project(value, rows: (2 * c)..<(3 * c)))
            }
        }
        q = splitHeads(q)                                                     // [B, Tq, C] → [B, NH, Tq, HS]
        k = splitHeads(k)                                                     // [B, Tk, C] → [B, NH, Tk, HS]
        v = splitHeads(v)
        if let rotary, let positions {                                        // [B, Tq] or [Tq]: the caller's
            q = rotary(q, positions: positions)
            k = rotary(k, positions: positions)
        } else if let rotary {
            q = rotary(q, offset: offset)
            k = rotary(k, offset: offset)
        }
        return (q, k, v)
    }

    /// x·W[rows]ᵀ + b[rows]: part of `qkv`, read in place (rows 0..<C give q, C..<2C k, 2C..<3C v).
    /// - Parameter x: [B, T, C]
    /// - Returns: [B, T, rows.count]
    @inlinable
    public func project(_ x: NDArray<Scalar>, rows: Range<Int>) -> NDArray<Scalar> {
        var y = matmul(x, qkv.weight[rows].T)                                 // [B, T, C]·[C, rows] → [B, T, rows]
        if let bias = qkv.bias { y += bias[rows] }
        return y
    }

    /// [B, NH, T, HS] → [B, T, C]: the heads side by side again (a copy).
    @inlinable
    public func mergeHeads(_ x: NDArray<Scalar>) -> NDArray<Scalar> {
        x.permuted(0, 2, 1, 3).reshaped(x.shape[0], x.shape[2], hiddenDim)     // [B, T, NH, HS] → [B, T, C]
    }

    /// [B, T, C] → [B, NH, T, HS]: a view.
    @inlinable
    public func splitHeads(_ x: NDArray<Scalar>) -> NDArray<Scalar> {
        x.reshaped(x.shape[0], x.shape[1], numHeads, headDim).permuted(0, 2, 1, 3)
    }

    /// Stops, naming the layer and the three shapes, unless they are [B, Tq, C], [B, Tk, C], [B, Tk, C].
    @inlinable
    public func checkInputs(_ query: NDArray<Scalar>, _ key: NDArray<Scalar>, _ value: NDArray<Scalar>) {
        if query.ndim != 3 || key.ndim != 3 || value.ndim != 3 || query.shape[2] != hiddenDim
            || key.shape[2] != hiddenDim || value.shape[2] != hiddenDim
            || key.shape[0] != query.shape[0] || value.shape[0] != query.shape[0] || key.shape[1] != value.shape[1] {
            layerFailure("MultiHeadAttention", "query \(query.shape), key \(key.shape) and value \(value.shape) must be "
                            + "[B, Tq, C], [B, Tk, C] and [B, Tk, C] with C = hiddenDim (\(hiddenDim))")
        }
    }
}

/// Whether `a` and `b` are the same elements of the same storage (not merely equal values).
@inlinable
func isSameArray<S>(_ a: NDArray<S>, _ b: NDArray<S>) -> Bool {
    a.sharesStorage(with: b) && a.shape == b.shape && a.strides == b.strides && a.layout.offset == b.layout.offset
}
