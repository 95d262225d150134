// FeedForwardBackward.swift — the gradients of the position-wise feed-forward network.
//
//   forward (FeedForward.swift):  h = act(up(x))                  standard
//                                 h = σ(gate(x)) · up(x)          GLU
//                                 h = silu(gate(x)) · up(x)       SwiGLU
//                                 y = dropout(down(h))
//   backward:  dH = down.backward(dropout.backward(dY))
//              standard:  dUp = dH · act′(up(x))
//              gated:     dUp = dH · g(gate(x)),   dGate = dH · up(x) · g′(gate(x))     (product rule)
//              dX = up.backward(dUp) + gate.backward(dGate)                         (x feeds both)
//
// Depends on: NDArray, NN (FeedForward), LinearBackward.swift, ActivationBackward.swift,
// DropoutBackward.swift.

import NDArray
import NN

extension FeedForward {
    /// What `backward` needs: every linear's input, the pre-activations and the dropout mask.
    public struct Saved {
        /// x, [B, T, C].
        public let input: NDArray<Scalar>
        /// up(x), [B, T, F].
        public let up: NDArray<Scalar>
        /// gate(x), [B, T, F] (gated variants only).
        public let gate: NDArray<Scalar>?
        /// h, [B, T, F]: down's input.
        public let hidden: NDArray<Scalar>
        /// The output dropout's mask.
        public let dropout: Dropout<Scalar>.Saved
    }

    /// `forward(x)`, keeping what the backward needs.
    /// - Parameter x: [B, T, C]
    /// - Returns: y [B, T, C] and the saved arrays
    @_specialize(where Scalar == Float)
    public func forwardSaving(_ x: NDArray<Scalar>) -> (output: NDArray<Scalar>, saved: Saved) {
        let u = up(x), g = gate?(x)                                               // [B, T, F] each
        let hidden = self.hidden(up: u, gate: g)                                  // FeedForward's own step
        let (y, mask) = dropout.forwardSaving(down(hidden))                       // [B, T, F] → [B, T, C]
        return (y, Saved(input: x, up: u, gate: g, hidden: hidden, dropout: mask))
    }

    /// Adds the gradients of up, gate and down under `prefix`; returns dX [B, T, C].
    @_specialize(where Scalar == Float)
    public func backward(_ dOut: NDArray<Scalar>, _ saved: Saved, prefix: String = "",
                         into gradients: inout Gradients<Scalar>) -> NDArray<Scalar> {
        checkGradientShape("FeedForward.backward", dOut: dOut.shape, output: saved.input.shape)
        let dDown = dropout.backward(dOut, saved.dropout)
        let dHidden = down.backward(dDown, Linear.Saved(input: saved.hidden), prefix: prefix + "down.", into: &gradients)
        let dUp: NDArray<Scalar>
        var dGate: NDArray<Scalar>?
        switch variant {
        case .standard where activation == .gelu:
            dUp = geluGradient(dOut: dHidden, input: saved.up, output: saved.hidden)   // Φ read back from h = x·Φ(x)
        case .standard:
            dUp = activationBackward(activation, dOut: dHidden, input: saved.up)
        case .glu:
            dUp = dHidden * sigmoid(saved.gate!)
            dGate = activationBackward(.sigmoid, dOut: dHidden * saved.up, input: saved.gate!)
        case .swiglu:
            dUp = dHidden * silu(saved.gate!)
            dGate = activationBackward(.silu, dOut: dHidden * saved.up, input: saved.gate!)
        }
        var dInput = up.backward(dUp, Linear.Saved(input: saved.input), prefix: prefix + "up.", into: &gradients)
        if let gate, let dGate {
            dInput += gate.backward(dGate, Linear.Saved(input: saved.input), prefix: prefix + "gate.", into: &gradients)
        }
        return dInput
    }
}
