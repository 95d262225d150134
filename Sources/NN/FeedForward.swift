// FeedForward.swift — the position-wise MLP of a transformer block, in three variants.
//
//   standard:  y = down(act(up(x)))                    act ∈ ReLU, GELU (exact or tanh), SiLU
//   GLU:       y = down(sigmoid(gate(x)) ⊙ up(x))      (Dauphin et al.; Shazeer 2020)
//   SwiGLU:    y = down(silu(gate(x)) ⊙ up(x))         (PaLM, LLaMA)
//   x: [B, T, C] → up, gate: [B, T, F] → y: [B, T, C]        F = ffnDim, usually 4C (or ⅔·4C gated)
//
// Each position is transformed alone: no information moves between tokens
// here (that is attention's job). Dropout, when training, follows `down`, as in
// nanoGPT. Parameters, in this order: `gate.weight` [F, C] (gated variants
// only), `up.weight` [F, C], `down.weight` [C, F], and their biases.
//
// Depends on: NDArray (its `Activation` enum), Layer.swift, Linear.swift, Dropout.swift.
// Not here: mixture of experts; dropout after the activation (LiteTorch has one).

import NDArray

/// Which feed-forward network: one activation, or a gated pair of projections.
public enum FeedForwardVariant: String, Sendable, CaseIterable, Codable {
    /// down(act(up(x))).
    case standard
    /// down(sigmoid(gate(x)) ⊙ up(x)).
    case glu
    /// down(silu(gate(x)) ⊙ up(x)).
    case swiglu
}

/// A transformer's position-wise feed-forward network. LiteTorch: `FeedForward(hidden_dim, ffn_dim, dropout, activation)`.
///
/// ```swift
/// let mlp = FeedForward<Float>(hiddenDim: 768, ffnDim: 3072, dropout: 0, activation: .geluTanh, using: &rng)
/// let y = mlp(x)       // [B, T, 768] → [B, T, 768]
/// ```
public final class FeedForward<Scalar: NDFloatingPoint>: Layer {
    /// C → F.
    public let up: Linear<Scalar>
    /// C → F, the gate (GLU and SwiGLU only).
    public let gate: Linear<Scalar>?
    /// F → C.
    public let down: Linear<Scalar>
    /// After `down`, while training.
    public let dropout: Dropout<Scalar>
    /// Standard, GLU or SwiGLU.
    public let variant: FeedForwardVariant
    /// The activation of the standard variant (the gated ones use sigmoid and SiLU).
    public let activation: Activation

    /// Whether dropout is active (PyTorch: `training`); setting it sets every layer inside.
    public var isTraining = true {
        didSet { for layer in [gate, up, down].compactMap({ $0 }) { layer.isTraining = isTraining }; dropout.isTraining = isTraining }
    }

    /// `gate` and `up` [F, C], `down` [C, F] (F = ffnDim, C = hiddenDim) drawn by `weightInit` (Xavier
    /// uniform by default), biases zero; created in the order gate, up, down.
    public init(hiddenDim: Int, ffnDim: Int, dropout: Double = 0.1, activation: Activation = .relu,
                variant: FeedForwardVariant = .standard, bias: Bool = true,
                weightInit: Initialization<Scalar> = .xavierUniform, using generator: inout SeededGenerator) {
        self.variant = variant
        self.activation = activation
        gate = variant == .standard ? nil
            : Linear(inFeatures: hiddenDim, outFeatures: ffnDim, bias: bias, weightInit: weightInit, using: &generator)
        up = Linear(inFeatures: hiddenDim, outFeatures: ffnDim, bias: bias, weightInit: weightInit, using: &generator)
        down = Linear(inFeatures: ffnDim, outFeatures: hiddenDim, bias: bias, weightInit: weightInit, using: &generator)
        self.dropout = Dropout(p: dropout, using: &generator)
    }

    /// Each parameter under `prefix`, in the order listed here (see Layer.swift).
    public func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {
        if let gate { try gate.visitParameters(prefix: prefix + "gate.", body) }
        try up.visitParameters(prefix: prefix + "up.", body)
        try down.visitParameters(prefix: prefix + "down.", body)
    }

    /// - Parameter x: [B, T, C]
    /// - Returns: [B, T, C]
    @inlinable
    public func forward(_ x: NDArray<Scalar>) -> NDArray<Scalar> {
        let hidden = self.hidden(up: up(x), gate: gate?(x))      // [B, T, C] → [B, T, F]
        return dropout(down(hidden))                              // [B, T, F] → [B, T, C]
    }

    /// The step between the two products: act(up) for the standard variant, σ(gate)·up for GLU,
    /// silu(gate)·up for SwiGLU (public so that a backward pass calls it rather than a copy).
    /// - Parameters:
    ///   - up: up(x), [B, T, F]
    ///   - gate: gate(x), [B, T, F] (gated variants only; nil for the standard one)
    /// - Returns: h, down's input, [B, T, F]
    @inlinable
    public func hidden(up u: NDArray<Scalar>, gate g: NDArray<Scalar>?) -> NDArray<Scalar> {
        if variant != .standard && g == nil {
            layerFailure("FeedForward.hidden", "the \(variant) variant needs gate(x) [B, T, F] beside up(x) \(u.shape)")
        }
        switch variant {
        case .standard: return activation.apply(u)
        case .glu: return sigmoid(g!) * u
        case .swiglu: return silu(g!) * u
        }
    }

    /// The same as `forward(_:)`.
    @inlinable public func callAsFunction(_ x: NDArray<Scalar>) -> NDArray<Scalar> { forward(x) }
}
