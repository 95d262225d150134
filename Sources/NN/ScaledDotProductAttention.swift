// ScaledDotProductAttention.swift — each query takes a weighted average of the
// values, weighted by how well it matches each key.
//
//   scores  = Q·Kᵀ / √HS + mask               [B, NH, Tq, HS]·[B, NH, HS, Tk] → [B, NH, Tq, Tk]
//   weights = softmax(scores) over the keys    each row sums to 1 (or is all 0 if fully masked)
//   output  = dropout(weights)·V               [B, NH, Tq, Tk]·[B, NH, Tk, HS] → [B, NH, Tq, HS]
//
// Dividing by √HS keeps the scores' variance near 1 whatever the head size,
// so the softmax does not saturate. The mask is additive (Masks.swift): 0 to
// keep, −∞ to hide, or any bias such as ALiBi's; it broadcasts against the
// scores. Kᵀ is a transposed view: the matmul reads K where it lies.
//
// Depends on: NDArray, Layer.swift, Dropout.swift.
// Not here: flash attention's tiling (the scores are formed whole, which is
// what lets them be returned and drawn).

import NDArray

/// softmax(Q·Kᵀ/√HS + mask)·V. LiteTorch: `ScaledDotProductAttention(dropout)`;
/// PyTorch: `F.scaled_dot_product_attention(q, k, v, attn_mask)`.
public final class ScaledDotProductAttention<Scalar: NDFloatingPoint>: Layer {
    /// On the weights, while training.
    public let dropout: Dropout<Scalar>

    /// Whether dropout is active (PyTorch: `training`); setting it sets every layer inside.
    public var isTraining = true { didSet { dropout.isTraining = isTraining } }

    /// Attention with dropout `dropout` on its weights while training.
    public init(dropout: Double = 0.1, using generator: inout SeededGenerator) {
        self.dropout = Dropout(p: dropout, using: &generator)
    }

    /// Attention without dropout.
    public convenience init() {
        var unused = SeededGenerator(seed: 0)
        self.init(dropout: 0, using: &unused)
    }

    /// None: this layer has no parameters.
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {}

    /// - Parameters:
    ///   - query: [B, NH, Tq, HS] (any leading axes)
    ///   - key: [B, NH, Tk, HS]
    ///   - value: [B, NH, Tk, HSv]
    ///   - mask: additive, broadcasting to [B, NH, Tq, Tk] (e.g. [Tq, Tk] or [B, 1, 1, Tk])
    /// - Returns: the output [B, NH, Tq, HSv] and the weights [B, NH, Tq, Tk] (before dropout: rows sum to 1)
    @inlinable
    public func forward(query: NDArray<Scalar>, key: NDArray<Scalar>, value: NDArray<Scalar>,
                        mask: NDArray<Scalar>? = nil) -> (output: NDArray<Scalar>, weights: NDArray<Scalar>) {
        checkValue(value, key: key)
        let weights = self.weights(query: query, key: key, mask: mask)     // [B, NH, Tq, Tk]
        let output = matmul(dropout(weights), value)             // [B, NH, Tq, Tk]·[B, NH, Tk, HSv] → [B, NH, Tq, HSv]
        return (output, weights)
    }

    // MARK: The steps of `forward`, each public so that a backward pass, the tour and a learner call these, not a copy

    /// The scores Q·Kᵀ/√HS + mask: how well each query matches each key.
    /// - Parameters:
    ///   - query: [B, NH, Tq, HS]
    ///   - key: [B, NH, Tk, HS]
    ///   - mask: additive, broadcasting to [B, NH, Tq, Tk]
    /// - Returns: [B, NH, Tq, Tk]
    @inlinable
    public func scores(query: NDArray<Scalar>, key: NDArray<Scalar>, mask: NDArray<Scalar>? = nil) -> NDArray<Scalar> {
        if query.ndim < 2 || key.ndim < 2 || query.shape.last != key.shape.last {
            layerFailure("ScaledDotProductAttention", "query \(query.shape) and key \(key.shape) must be [.., Tq, HS] "
                            + "and [.., Tk, HS]: \(query.shape.last ?? 0) (axis -1) != \(key.shape.last ?? 0)")
        }
        let headSize = query.shape[query.ndim - 1]
        var scores = matmul(query, key.swappedAxes(-1, -2))      // [B, NH, Tq, HS]·[B, NH, HS, Tk] → [B, NH, Tq, Tk]
        scores *= Scalar(1 / Double(headSize).squareRoot())     // in place
        if let mask {
            checkMask(mask, scores: scores.shape)
            scores += mask                                       // in place: [B, NH, Tq, Tk] + mask
        }
        return scores
    }

    /// The weights softmax(Q·Kᵀ/√HS + mask) over the keys: each row sums to 1 (or is all 0 when its
    /// every key is masked). Before dropout.
    /// - Parameters: as `scores(query:key:mask:)`
    /// - Returns: [B, NH, Tq, Tk]
    @inlinable
    public func weights(query: NDArray<Scalar>, key: NDArray<Scalar>, mask: NDArray<Scalar>? = nil) -> NDArray<Scalar> {
        scores(query: query, key: key, mask: mask).softmax(axis: -1)
    }

    /// Stops, naming both shapes, unless `value` has one row per key: value [.., Tk, HSv], key [.., Tk, HS].
    @inlinable
    public func checkValue(_ value: NDArray<Scalar>, key: NDArray<Scalar>) {
        if value.ndim < 2 || key.ndim < 2 || key.shape[key.ndim - 2] != value.shape[value.ndim - 2] {
            layerFailure("ScaledDotProductAttention", "key \(key.shape) and value \(value.shape) must be [.., Tk, HS] "
                            + "and [.., Tk, HSv] (axis -2 the same)")
        }
    }

    /// The same as `forward(query:key:value:mask:)`.
    @inlinable
    public func callAsFunction(query: NDArray<Scalar>, key: NDArray<Scalar>, value: NDArray<Scalar>,
                               mask: NDArray<Scalar>? = nil) -> (output: NDArray<Scalar>, weights: NDArray<Scalar>) {
        forward(query: query, key: key, value: value, mask: mask)
    }
}

/// Traps unless `mask` broadcasts to exactly the scores' shape: a mask that would enlarge the
/// scores (a [B, 1, 1, Tk] padding mask on [B, Tq, Tk] scores without heads) is a mistake.
@inlinable
func checkMask<S>(_ mask: NDArray<S>, scores shape: [Int]) {
    if (try? broadcastShapes(shape, mask.shape, operation: "attention mask")) != shape {
        layerFailure("attention", "mask of shape \(mask.shape) does not broadcast to scores of shape \(shape) "
                        + "([B, NH, Tq, Tk])")
    }
}
