// 20-gpt-forward (solution) — the whole GPT forward pass
//
// Task: write `gptLogits(_:_:)`: token ids to next-token logits, with a `GPTModel`'s own layers.
//
//   x = wte(ids) + wpe(0..<T)                     [B, T] → [B, T, C]
//   x = block_l(x, causal mask) for each block    [B, T, C]
//   logits = lnF(x)·wteᵀ (GPT-2 ties the output projection to the token embedding), or lmHead(lnF(x))
//                                                 [B, T, C] → [B, T, V]
//
// Walkthrough: chapter 4, "Text → tokens → embeddings" to "The logits".
// Notebook: Notebooks/08-transformer-block.swift, lesson 8 (`swift run -c release lesson 08`).
// The library's own: Sources/GPT/Model/GPTModel.swift (`run`, `project`).
// Checks: Checks.swift beside this file. Hints: `swift run exercises hint 20-gpt-forward`.

import CourseKit
import GPT
import NDArray
import NN

/// The logits of every position, from the model's layers (dropout off).
/// - Parameters:
///   - ids: [B, T], T ≤ maxSeqLen
///   - model: a GPT with learned positions (`wpe`)
/// - Returns: [B, T, V]
func gptLogits(_ ids: NDArray<Int>, _ model: GPTModel<Float>) -> NDArray<Float> {
    let t = ids.shape[1]
    var x = model.wte(ids) + model.wpe!(seqLen: t)                           // [B, T, C]: tokens + positions
    let mask = createCausalMask(seqLen: t)                                    // [T, T]
    for block in model.blocks { x = block(x, mask: mask) }
    x = model.lnF(x)
    if let lmHead = model.lmHead { return lmHead(x) }
    return matmul(x, model.wte.weight.T)                                      // [B, T, C]·[C, V]: tied
}
