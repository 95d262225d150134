// DropoutBackward.swift — the gradient of dropout: the same mask, applied to the gradient.
//
//   forward (Dropout.swift):  y = x · m,   m = 0 (dropped, probability p) or 1/(1 − p)
//   backward:                 dX = dY · m
//
// Each kept element was scaled by 1/(1 − p), so its gradient is scaled alike;
// a dropped one did not reach the output and gets no gradient. The forward
// keeps m (`Dropout.forwardWithMask`). In evaluation m is 1 everywhere.
//
// Depends on: NDArray, NN (Dropout).

import NDArray
import NN

extension Dropout {
    /// What `backward` needs: the mask m (nil when nothing was dropped).
    public struct Saved {
        /// 0 or 1/(1 − p) per element, x's shape; nil in evaluation.
        public let mask: NDArray<Scalar>?
    }

    /// `forward(x)`, keeping the mask.
    @_specialize(where Scalar == Float)
    public func forwardSaving(_ x: NDArray<Scalar>) -> (output: NDArray<Scalar>, saved: Saved) {
        let (output, mask) = forwardWithMask(x)
        return (output, Saved(mask: mask))
    }

    /// dX = dY · m, dY's shape.
    @_specialize(where Scalar == Float)
    public func backward(_ dOut: NDArray<Scalar>, _ saved: Saved) -> NDArray<Scalar> {
        if let mask = saved.mask { checkGradientShape("Dropout.backward", dOut: dOut.shape, output: mask.shape) }
        return saved.mask.map { dOut * $0 } ?? dOut
    }
}
