// Optimizers.swift — turning gradients into better weights: SGD with momentum, Adam, AdamW.
//
//   SGD:    v = μ·v + g (+ λ·p)                  p −= lr·v
//   Adam:   g += λ·p (L2)    m = β₁m + (1 − β₁)g,  v = β₂v + (1 − β₂)g²
//           p −= lr · m̂ / (√v̂ + ε)              m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)
//   AdamW:  p −= lr·λ·p   (decoupled: the decay does not pass through m and v), then Adam's step
//
// Each optimizer keeps its state (velocities, moments, the step count) per
// parameter name, and changes the layer's parameters in place through
// `updateParameters`. Adam divides each gradient by a running estimate of its
// own size, so every weight moves about lr per step whatever its scale; the
// bias corrections m̂, v̂ undo the zero start of m and v. AdamW, by default,
// decays only the matrices of linear layers: not biases, norms or embeddings
// (`decays`). The formulas are PyTorch's (`torch.optim.SGD`, `Adam`, `AdamW`).
//
// Depends on: NDArray, NN (Layer), Gradients.swift.
// Not here: learning-rate schedules and clipping (Schedules.swift), writing the state to disk (GPT's
// training checkpoints).

import Foundation
import NDArray
import NN

/// Stochastic gradient descent with momentum. PyTorch: `torch.optim.SGD(lr, momentum, weight_decay)`.
public struct SGD<Scalar: NDFloatingPoint> {
    /// The step size; a schedule sets it before each step.
    public var learningRate: Double
    /// μ: how much of the last step carries over (0: plain SGD).
    public var momentum: Double
    /// λ: L2 weight decay, added to the gradient.
    public var weightDecay: Double
    /// Each parameter's velocity.
    public private(set) var velocities: [String: NDArray<Scalar>] = [:]

    /// An optimizer with no state yet.
    public init(learningRate: Double, momentum: Double = 0, weightDecay: Double = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    /// One step on every parameter of `layer` that has a gradient.
    public mutating func step<L: Layer>(_ layer: L, _ gradients: Gradients<Scalar>) where L.Scalar == Scalar {
        layer.updateParameters { name, p in
            if let g = gradients[name] { update(name, &p, g) }
        }
    }

    /// Puts back saved velocities (resuming a run): the next step continues as if it never stopped.
    public mutating func restore(velocities: [String: NDArray<Scalar>]) {
        self.velocities = velocities
    }

    /// One parameter's step (specialised for Float: it runs over every weight).
    @_specialize(where Scalar == Float)
    mutating func update(_ name: String, _ p: inout NDArray<Scalar>, _ gradient: NDArray<Scalar>) {
        let (lr, mu, decay) = (Scalar(learningRate), Scalar(momentum), Scalar(weightDecay))
        var g = gradient
        if decay != 0 { g = g + decay * p }
        if mu != 0 {
            let v = velocities[name].map { mu * $0 + g } ?? g                   // PyTorch: the first v is g
            velocities[name] = v
            g = v
        }
        p -= lr * g
    }
}

/// Adam, or AdamW with `decoupled` weight decay. PyTorch: `torch.optim.Adam` / `torch.optim.AdamW`.
public struct Adam<Scalar: NDFloatingPoint> {
    /// The step size; a schedule sets it before each step.
    public var learningRate: Double
    /// β₁, β₂: the decay rates of the moment estimates.
    public var beta1: Double, beta2: Double
    /// ε: added to √v̂.
    public var eps: Double
    /// λ.
    public var weightDecay: Double
    /// AdamW (true: p −= lr·λ·p before the step) or Adam's L2 (false: g += λ·p).
    public var decoupled: Bool
    /// Which parameters are decayed, by name and shape. By default (AdamW's) the matrices of linear
    /// layers: not biases, norms (1-D) or the embeddings (wte, wpe, and any `…Embedding.weight`).
    public var decays: @Sendable (String, [Int]) -> Bool
    /// The steps taken (t).
    public private(set) var stepCount = 0
    /// Each parameter's first and second moments.
    public private(set) var moments: [String: (m: NDArray<Scalar>, v: NDArray<Scalar>)] = [:]

    /// Adam (L2 decay, on every parameter, as PyTorch's Adam).
    public static func adam(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                            weightDecay: Double = 0) -> Adam {
        Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay,
             decoupled: false, decays: { _, _ in true })
    }

    /// AdamW (decoupled decay; by default not on biases, norms and embeddings).
    public static func adamW(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                             weightDecay: Double = 0.01,
                             decays: @escaping @Sendable (String, [Int]) -> Bool = defaultDecays) -> Adam {
        Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay,
             decoupled: true, decays: decays)
    }

    /// AdamW's default: a matrix (2-D or more) that is not an embedding table.
    public static var defaultDecays: @Sendable (String, [Int]) -> Bool {
        { name, shape in
            shape.count >= 2 && !(name.hasPrefix("wte.") || name.hasPrefix("wpe.") || name.contains("Embedding."))
        }
    }

    init(learningRate: Double, beta1: Double, beta2: Double, eps: Double, weightDecay: Double, decoupled: Bool,
         decays: @escaping @Sendable (String, [Int]) -> Bool) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        self.decays = decays
    }

    /// Puts back a saved state (resuming a run): the step count t and each parameter's moments, so
    /// the next step continues bit for bit as if the run never stopped.
    public mutating func restore(stepCount: Int, moments: [String: (m: NDArray<Scalar>, v: NDArray<Scalar>)]) {
        self.stepCount = stepCount
        self.moments = moments
    }

    /// One step on every parameter of `layer` that has a gradient.
    public mutating func step<L: Layer>(_ layer: L, _ gradients: Gradients<Scalar>) where L.Scalar == Scalar {
        stepCount += 1
        layer.updateParameters { name, p in
            if let g = gradients[name] { update(name, &p, g) }
        }
    }

    /// One parameter's step at `stepCount`, in place in one pass over p, g, m and v (split across
    /// threads; each element's arithmetic is the same whatever the thread count).
    @_specialize(where Scalar == Float)
    mutating func update(_ name: String, _ p: inout NDArray<Scalar>, _ gradient: NDArray<Scalar>) {
        let t = Double(stepCount)
        let (b1, b2) = (Scalar(beta1), Scalar(beta2))
        let correction1 = 1 - Foundation.pow(beta1, t), correction2 = 1 - Foundation.pow(beta2, t)
        let decayed = weightDecay != 0 && decays(name, p.shape)
        let l2 = decayed && !decoupled ? Scalar(weightDecay) : 0                    // Adam: g += λ·p
        let shrink = decayed && decoupled ? Scalar(1 - learningRate * weightDecay) : 1   // AdamW: p −= lr·λ·p
        let stepSize = Scalar(learningRate / correction1), root2 = Scalar(correction2.squareRoot())
        let epsilon = Scalar(eps)
        var (m, v) = moments.removeValue(forKey: name) ?? (.zeros(p.shape), .zeros(p.shape))   // held once: written in place
        let g = gradient.contiguous()
        p.withUnsafeMutableBufferPointer { pp in
            m.withUnsafeMutableBufferPointer { mm in
                v.withUnsafeMutableBufferPointer { vv in
                    g.withUnsafeBufferPointer { gg in
                        let (p, m, v, g) = (pp.baseAddress!, mm.baseAddress!, vv.baseAddress!, gg.baseAddress!)
                        ComputeThreads.forEachRange(pp.count, grain: 1 << 13) { range in
                            for i in range {
                                let gi = g[i] + l2 * p[i]
                                p[i] *= shrink
                                m[i] = b1 * m[i] + (1 - b1) * gi
                                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                                // p −= lr · m̂ / (√v̂ + ε), with m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)  (PyTorch's arrangement)
                                p[i] -= stepSize * m[i] / (v[i].squareRoot() / root2 + epsilon)
                            }
                        }
                    }
                }
            }
        }
        moments[name] = (m, v)
    }
}
