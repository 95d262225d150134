// 29-attention-backward — the backward of scaled dot-product attention
//
// Task: write `attentionGradients(dOut:query:key:value:mask:)`: the gradients of q, k and v for
// O = softmax(q·kᵀ/√HS + mask)·v, from the pieces of exercises 27 and 26:
//
//   W = softmax(S)        dW = dO·vᵀ          dv = Wᵀ·dO
//   dS = softmax's backward of dW (exercise 27)   (0 where masked)
//   dq = dS·k / √HS       dk = dSᵀ·q / √HS
//   q, k, v, dO: [B, NH, T, HS]
//
// Walkthrough: chapter 5, "Layer by layer: the gradient check table".
// Notebook: Notebooks/11-backprop.swift, lesson 11 (`swift run -c release lesson 11`).
// The library's own: Sources/Backprop/AttentionBackward.swift (`ScaledDotProductAttention.backward`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 29-attention-backward`.

import CourseKit
import NDArray

/// The gradients of q, k and v through attention (no dropout).
/// - Parameters:
///   - dOut: dO, [B, NH, Tq, HS]
///   - query: [B, NH, Tq, HS]; key and value: [B, NH, Tk, HS]
///   - mask: additive, broadcasting to [B, NH, Tq, Tk], or nil
/// - Returns: dq [B, NH, Tq, HS], dk and dv [B, NH, Tk, HS]
func attentionGradients(dOut: NDArray<Double>, query: NDArray<Double>, key: NDArray<Double>, value: NDArray<Double>,
                        mask: NDArray<Double>?) -> (dQuery: NDArray<Double>, dKey: NDArray<Double>, dValue: NDArray<Double>) {
    notDoneYet()
}
