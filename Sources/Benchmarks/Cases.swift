// Cases.swift — what the bench times: each case is a kind, its dimensions and
// the amount of work one run does, so the figure is a rate (GFLOP/s, GB/s, rows/s).
// scripts/bench_peers.py reads the same list (`bench --list --json`) and runs
// each kind with NumPy and PyTorch.

import Foundation
import GPT
import NDArray
import NN

/// One benchmark: `kind` with `dims`, timed at each thread count.
struct BenchCase {
    let group: String
    let kind: String
    let dims: [Int]

    var name: String {
        switch kind {
        case "gemm": return "gemm [\(dims[0])×\(dims[1])]·[\(dims[1])×\(dims[2])]"
        case "gemm_wt": return "gemm [\(dims[0])×\(dims[1])]·[\(dims[2])×\(dims[1])]ᵀ"
        case "gemm_ta": return "gemm [\(dims[1])×\(dims[0])]ᵀ·[\(dims[1])×\(dims[2])]"
        case "add": return "add [\(dims[0])] + [\(dims[0])]"
        case "add_generic": return "add [\(dims[0])] + [\(dims[0])], unspecialised generic"
        case "scalar_mul": return "mul [\(dims[0])] × scalar"
        case "broadcast_add": return "add [\(dims[0])×\(dims[1])] + [\(dims[1])]"
        case "softmax": return "softmax [\(dims[0])×\(dims[1])]"
        case "layernorm": return "layer norm [\(dims[0])×\(dims[1])]"
        case "sum_rows": return "sum [\(dims[0])×\(dims[1])] along -1"
        case "max_rows": return "max [\(dims[0])×\(dims[1])] along -1"
        case "sum_columns": return "sum [\(dims[0])×\(dims[1])] along 0"
        case "block": return "block [\(dims[0])×\(dims[1])×\(dims[2])], \(dims[3]) heads"
        case "block_matmuls": return "its matmuls alone"
        case "gpt2_forward": return "GPT-2 124M forward [\(dims[0])×\(dims[1])]"
        case "gpt2_generate": return "GPT-2 greedy, \(dims[0]) + \(dims[1]) new"
        case "gpt2_decode_step": return "GPT-2 one step at context \(dims[0])"
        case "gpt2_load": return "GPT-2 124M checkpoint load"
        case "train_step": return "train step \(dims[0])×\(dims[1])×\(dims[2]), [\(dims[4])×\(dims[3])]"
        case "train_forward": return "  its forward and loss alone"
        case "train_gradients": return "  its forward and backward"
        case "train_update": return "  its clipping and AdamW step"
        case "attention_train": return "  attention fwd + bwd [\(dims[0])×\(dims[1])×\(dims[2])×\(dims[3])]"
        default: return "\(kind) \(dims)"
        }
    }

    /// The unit of the rate, and the amount of work per run in that unit's numerator.
    var unit: String {
        switch kind {
        case "gemm", "gemm_wt", "gemm_ta": return "GFLOP/s"
        case "softmax", "layernorm", "sum_rows", "max_rows", "sum_columns": return "k rows/s"
        case "block", "block_matmuls": return "k tok/s"
        case "gpt2_forward", "gpt2_generate", "gpt2_decode_step": return "tok/s"
        case "gpt2_load": return "loads/s"
        case "train_step", "train_forward", "train_gradients", "train_update", "attention_train": return "steps/s"
        default: return "GB/s"
        }
    }

    var workPerRun: Double {
        let d = dims.map(Double.init)
        switch kind {
        case "gemm", "gemm_wt", "gemm_ta": return 2 * d[0] * d[1] * d[2] / 1e9       // multiply-adds × 2
        case "add", "add_generic": return 3 * d[0] * 4 / 1e9              // read two, write one
        case "scalar_mul": return 2 * d[0] * 4 / 1e9
        case "broadcast_add": return (2 * d[0] * d[1] + d[1]) * 4 / 1e9
        case "softmax", "layernorm", "sum_rows", "max_rows", "sum_columns": return d[0] / 1e3
        case "block", "block_matmuls": return d[0] * d[1] / 1e3
        case "gpt2_forward": return d[0] * d[1]
        case "gpt2_generate": return d[1]
        default: return 1
        }
    }

    /// Builds the inputs once and returns the body to time.
    func prepare(using rng: inout SeededGenerator) -> () -> Float {
        switch kind {
        case "gemm":
            let a = NDArray<Float>.uniform([dims[0], dims[1]], low: -1, high: 1, using: &rng)
            let b = NDArray<Float>.uniform([dims[1], dims[2]], low: -1, high: 1, using: &rng)
            return { matmul(a, b)[0, 0].item() }
        case "gemm_wt":
            // x·Wᵀ with W [N, K], as a Linear layer stores it (PyTorch's [out, in]): B's columns are contiguous.
            let a = NDArray<Float>.uniform([dims[0], dims[1]], low: -1, high: 1, using: &rng)
            let w = NDArray<Float>.uniform([dims[2], dims[1]], low: -1, high: 1, using: &rng)
            return { matmul(a, w.T)[0, 0].item() }
        case "gemm_ta":
            // dW = dYᵀ·X: a weight's gradient, with dY [N, out] read transposed.
            let a = NDArray<Float>.uniform([dims[1], dims[0]], low: -1, high: 1, using: &rng)
            let b = NDArray<Float>.uniform([dims[1], dims[2]], low: -1, high: 1, using: &rng)
            return { matmul(a.T, b)[0, 0].item() }
        case "add", "add_generic":
            let a = NDArray<Float>.uniform([dims[0]], using: &rng), b = NDArray<Float>.uniform([dims[0]], using: &rng)
            if kind == "add_generic" { return { unspecialisedAdd(a, b)[0].item() } }
            return { (a + b)[0].item() }
        case "scalar_mul":
            let a = NDArray<Float>.uniform([dims[0]], using: &rng)
            return { (a * 2)[0].item() }
        case "broadcast_add":
            let x = NDArray<Float>.uniform([dims[0], dims[1]], using: &rng)
            let row = NDArray<Float>.uniform([dims[1]], using: &rng)
            return { (x + row)[0, 0].item() }
        case "softmax":
            let x = NDArray<Float>.normal([dims[0], dims[1]], using: &rng)
            return { x.softmax(axis: -1)[0, 0].item() }
        case "layernorm":
            let x = NDArray<Float>.normal([dims[0], dims[1]], using: &rng)
            let w = NDArray<Float>.uniform([dims[1]], using: &rng), b = NDArray<Float>.uniform([dims[1]], using: &rng)
            return { x.layerNorm(weight: w, bias: b, eps: 1e-5)[0, 0].item() }
        case "sum_rows", "max_rows", "sum_columns":
            let x = NDArray<Float>.normal([dims[0], dims[1]], using: &rng)
            if kind == "sum_rows" { return { x.sum(axis: -1)[0].item() } }
            if kind == "sum_columns" { return { x.sum(axis: 0)[0].item() } }  // a bias gradient
            return { x.max(axis: -1)[0].item() }
        case "block", "block_matmuls":
            return prepareBlock(batch: dims[0], tokens: dims[1], width: dims[2], heads: dims[3],
                                matmulsOnly: kind == "block_matmuls", using: &rng)
        case "gpt2_forward", "gpt2_generate", "gpt2_decode_step", "gpt2_load":
            return prepareGPT2(kind: kind, dims: dims, using: &rng)
        case "attention_train":
            return prepareAttentionStep(dims: dims, using: &rng)
        case "train_step", "train_forward", "train_gradients", "train_update":
            return prepareTrainStep(dims: dims, part: String(kind.dropFirst(6)), using: &rng)
        default:
            fatalError("bench: no case of kind \(kind)")
        }
    }
}

/// Every case, in table order.
let allCases: [BenchCase] = {
    var cases: [BenchCase] = []
    for size in [64, 128, 256, 512, 1024, 2048] {
        cases.append(BenchCase(group: "gemm square", kind: "gemm", dims: [size, size, size]))
    }
    // GPT-2 small's products: QKV, attention output... per 128-token batch, then one token at a time.
    for dims in [[128, 768, 3072], [128, 3072, 768], [128, 768, 2304], [1, 768, 2304], [1, 768, 50257],
                 [64, 128, 512]] {
        cases.append(BenchCase(group: "gemm transformer", kind: "gemm", dims: dims))
    }
    // The same products with the weight stored [out, in] (a Linear layer, the tied
    // embedding for logits), and a few rows at a time (a batch of prompts, beam search).
    for dims in [[128, 768, 2304], [1, 768, 2304], [1, 768, 50257], [4, 768, 2304]] {
        cases.append(BenchCase(group: "gemm transformer", kind: "gemm_wt", dims: dims))
    }
    cases.append(BenchCase(group: "gemm transformer", kind: "gemm", dims: [4, 768, 2304]))
    // The shakespeare-char step's products (768 tokens, C = 128): x·Wᵀ for qkv and the FFN forward
    // ([M, K, N] = [768, in, out]), and dX = dY·W backward ([768, out, in]).
    for dims in [[768, 128, 384], [768, 128, 512], [768, 512, 128]] {
        cases.append(BenchCase(group: "gemm training", kind: "gemm_wt", dims: dims))
        cases.append(BenchCase(group: "gemm training", kind: "gemm", dims: [dims[0], dims[2], dims[1]]))
    }
    // Their weight gradients, dW [out, in] = dYᵀ·X over the 768 tokens.
    for dims in [[384, 768, 128], [512, 768, 128], [128, 768, 512]] {
        cases.append(BenchCase(group: "gemm training", kind: "gemm_ta", dims: dims))
    }
    cases.append(BenchCase(group: "elementwise", kind: "add", dims: [1 << 22]))
    cases.append(BenchCase(group: "elementwise", kind: "scalar_mul", dims: [1 << 22]))
    cases.append(BenchCase(group: "elementwise", kind: "broadcast_add", dims: [4096, 1024]))
    cases.append(BenchCase(group: "elementwise", kind: "add", dims: [1 << 16]))
    cases.append(BenchCase(group: "elementwise", kind: "add_generic", dims: [1 << 16]))
    cases.append(BenchCase(group: "rows", kind: "softmax", dims: [4096, 1024]))
    cases.append(BenchCase(group: "rows", kind: "layernorm", dims: [4096, 768]))
    cases.append(BenchCase(group: "rows", kind: "sum_rows", dims: [4096, 1024]))
    cases.append(BenchCase(group: "rows", kind: "max_rows", dims: [4096, 1024]))
    cases.append(BenchCase(group: "rows", kind: "sum_columns", dims: [4096, 1024]))
    // A GPT-2 small block (pre-norm, GELU tanh, causal) on 128 tokens, then only the six
    // products it makes: their ratio is what everything else in the block costs.
    cases.append(BenchCase(group: "layers", kind: "block", dims: [1, 128, 768, 12]))
    cases.append(BenchCase(group: "layers", kind: "block_matmuls", dims: [1, 128, 768, 12]))
    // The whole GPT-2 124M (random weights): a 128-token forward, greedy generation with the
    // KV cache, one cached step at growing contexts (flat is the goal), and loading a checkpoint.
    cases.append(BenchCase(group: "gpt2", kind: "gpt2_forward", dims: [1, 128]))
    cases.append(BenchCase(group: "gpt2", kind: "gpt2_generate", dims: [16, 32]))
    for context in [16, 256, 1000] { cases.append(BenchCase(group: "gpt2", kind: "gpt2_decode_step", dims: [context])) }
    cases.append(BenchCase(group: "gpt2", kind: "gpt2_load", dims: []))
    // One training step (forward, backward, clip, AdamW): nanoGPT's shakespeare-char shape and GPT-2 124M's.
    cases.append(BenchCase(group: "train", kind: "train_step", dims: [4, 4, 128, 64, 12, 65]))
    cases.append(BenchCase(group: "train", kind: "train_forward", dims: [4, 4, 128, 64, 12, 65]))
    cases.append(BenchCase(group: "train", kind: "train_gradients", dims: [4, 4, 128, 64, 12, 65]))
    cases.append(BenchCase(group: "train", kind: "train_update", dims: [4, 4, 128, 64, 12, 65]))
    cases.append(BenchCase(group: "train", kind: "attention_train", dims: [12, 4, 64, 32]))
    cases.append(BenchCase(group: "train", kind: "train_step", dims: [12, 12, 768, 64, 4, 50257]))
    return cases
}()

/// `a + b` compiled once for every element type: the compiler may not
/// specialise it, so each element goes through protocol witness tables.
/// Kept in the table to show why hot paths must be specialised for Float.
@inline(never) @_semantics("optimize.sil.specialize.generic.never")
func unspecialisedAdd<S: NDNumeric>(_ a: NDArray<S>, _ b: NDArray<S>) -> NDArray<S> {
    a + b
}

/// A TransformerBlock's forward on [B, T, C] in eval mode with a causal mask, or just its
/// products on the same shapes: x·W_qkvᵀ, q·kᵀ and weights·v per head, ·W_projᵀ, ·W_upᵀ, ·W_downᵀ.
func prepareBlock(batch: Int, tokens: Int, width: Int, heads: Int, matmulsOnly: Bool,
                  using rng: inout SeededGenerator) -> () -> Float {
    let block = TransformerBlock<Float>(hiddenDim: width, numHeads: heads, ffnDim: 4 * width, dropout: 0,
                                        attentionBias: true, using: &rng)
    block.eval()
    let x = NDArray<Float>.normal([batch, tokens, width], using: &rng)
    let mask: NDArray<Float> = createCausalMask(seqLen: tokens)
    if !matmulsOnly { return { block(x, mask: mask)[0, 0, 0].item() } }
    let size = width / heads
    let q = NDArray<Float>.normal([batch, tokens, 3 * width], using: &rng)   // stands for x·W_qkvᵀ
    let split = q.reshaped(batch, tokens, 3, heads, size)                     // [B, T, 3, NH, HS]
    let (qh, kh, vh) = (split[.all, .all, 0].permuted(0, 2, 1, 3), split[.all, .all, 1].permuted(0, 2, 1, 3),
                        split[.all, .all, 2].permuted(0, 2, 1, 3))       // [B, NH, T, HS] views
    let weights = NDArray<Float>.uniform([batch, heads, tokens, tokens], using: &rng)
    let merged = NDArray<Float>.normal([batch, tokens, width], using: &rng)
    let hidden = NDArray<Float>.normal([batch, tokens, 4 * width], using: &rng)
    return {
        var sink: Float = 0
        sink += matmul(x, block.attn.qkv.weight.T)[0, 0, 0].item()
        sink += matmul(qh, kh.swappedAxes(-1, -2))[0, 0, 0, 0].item()
        sink += matmul(weights, vh)[0, 0, 0, 0].item()
        sink += matmul(merged, block.attn.proj.weight.T)[0, 0, 0].item()
        sink += matmul(x, block.ffn.up.weight.T)[0, 0, 0].item()
        sink += matmul(hidden, block.ffn.down.weight.T)[0, 0, 0].item()
        return sink
    }
}

/// One GPT-2 124M with GPT-2's random initialisation, built on first use and shared by the GPT-2 cases.
nonisolated(unsafe) let gpt2: GPTModel<Float> = {
    var rng = SeededGenerator(seed: 124)
    var config = GPTConfig.gpt2Small
    config.dropout = 0
    let model = GPTModel<Float>(config: config, using: &rng)
    model.eval()
    return model
}()

/// The GPT-2 cases' bodies; see `allCases`.
func prepareGPT2(kind: String, dims: [Int], using rng: inout SeededGenerator) -> () -> Float {
    let model = gpt2
    let vocabulary = model.config.vocabSize
    switch kind {
    case "gpt2_forward":
        let ids = NDArray<Int>.randomIntegers([dims[0], dims[1]], low: 0, high: vocabulary, using: &rng)
        return { model(ids)[0, 0, 0].item() }
    case "gpt2_generate":
        let prompt = NDArray<Int>.randomIntegers([dims[0]], low: 0, high: vocabulary, using: &rng).scalars
        return { Float(model.generate(prompts: [prompt], config: .greedy(maxNewTokens: dims[1])).newTokens[0].count) }
    case "gpt2_decode_step":
        let context = dims[0]
        let cache = GPTCache<Float>(numLayers: model.config.numLayers)
        _ = model.forward(NDArray<Int>.randomIntegers([1, context], low: 0, high: vocabulary, using: &rng),
                          cache: cache, lastLogitsOnly: true)
        let next = NDArray<Int>([[42]])
        return {
            let logits = model.forward(next, cache: cache, lastLogitsOnly: true).logits
            cache.truncate(to: context)
            return logits[0, 0, 0].item()
        }
    default:   // gpt2_load
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bench-gpt2-\(ProcessInfo.processInfo.processIdentifier)")
        try! model.saveHuggingFaceGPT2(to: folder)
        benchFolders.append(folder)                                  // removed at the end of main.swift
        return { try! GPTModel<Float>.load(from: folder).lnF.weight![0].item() }
    }
}

/// Scratch folders to delete at the end of the run.
nonisolated(unsafe) var benchFolders: [URL] = []
