// Embedding.swift — a lookup table: row `id` of the weight for each token id.
//
//   y[b, t, :] = W[ids[b, t], :]
//   ids: [B, T] (any shape)  →  y: [B, T, C]
//
// The same as multiplying a one-hot vector by W, without forming it. An id
// outside 0..<V is a programmer error (the tokenizer made it) and stops with
// the id, where it was and the vocabulary size.
//
// Depends on: NDArray, Layer.swift (`layerFailure`, `firstOutOfRange`).
// Not here: padding_idx, max_norm, sparse gradients (PyTorch options).

import NDArray

/// A table of V vectors of size C, looked up by token id. PyTorch: `nn.Embedding(num_embeddings, embedding_dim)`.
///
/// ```swift
/// let wte = Embedding<Float>(numEmbeddings: 50257, embeddingDim: 768, using: &rng)
/// let x = wte(ids)             // [B, T] → [B, T, 768]
/// ```
public final class Embedding<Scalar: NDFloatingPoint>: Layer {
    /// W: [V, C].
    public var weight: NDArray<Scalar>
    /// Embedding has no dropout; the flag is kept for the protocol.
    public var isTraining = true

    /// V, the number of rows.
    @inlinable public var numEmbeddings: Int { weight.shape[0] }
    /// C, the size of each row.
    @inlinable public var embeddingDim: Int { weight.shape[1] }

    /// A table drawn from N(0, 0.02²) by default (GPT-2's initialisation; PyTorch's default is N(0, 1)).
    public init(numEmbeddings: Int, embeddingDim: Int, weightInit: Initialization<Scalar> = .normal(std: 0.02),
                using generator: inout SeededGenerator) {
        if numEmbeddings <= 0 || embeddingDim <= 0 {
            layerFailure("Embedding", "numEmbeddings (\(numEmbeddings)) and embeddingDim (\(embeddingDim)) must be positive")
        }
        weight = weightInit.makeArray([numEmbeddings, embeddingDim], using: &generator)
    }

    /// A table with the given weight [V, C].
    public init(weight: NDArray<Scalar>) {
        if weight.ndim != 2 { layerFailure("Embedding", "the weight must be [V, C], got shape \(weight.shape)") }
        self.weight = weight
    }

    /// Each parameter under `prefix`, in the order listed here (see Layer.swift).
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {
        try body(prefix + "weight", &weight)
    }

    /// The rows of the table for each id.
    /// - Parameter ids: [B, T] token ids in 0..<V (any shape)
    /// - Returns: [B, T, C]
    @inlinable
    public func forward(_ ids: NDArray<Int>) -> NDArray<Scalar> {
        let vocabulary = numEmbeddings
        if let (id, index) = firstOutOfRange(ids, count: vocabulary) {
            layerFailure("Embedding", "id \(id) at index \(index) of ids of shape \(ids.shape) is out of range for a "
                            + "vocabulary of \(vocabulary) (ids 0..<\(vocabulary))")
        }
        return weight.take(ids, axis: 0)    // [B, T] → [B, T, C]
    }

    /// The same as `forward(_:)`.
    @inlinable public func callAsFunction(_ ids: NDArray<Int>) -> NDArray<Scalar> { forward(ids) }
}

