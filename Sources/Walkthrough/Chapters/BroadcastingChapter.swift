// BroadcastingChapter.swift — chapter 2 of the tour: how arrays of different shapes combine,
// and the three places a GPT relies on it (a bias, a normalisation, the causal mask).
//
// The rule, NumPy's: align the shapes on the right, pad the shorter with 1s,
// and stretch each axis of size 1 to the other's size. A stretched axis is a
// stride of 0, so nothing is copied.

import NDArray
import NN

/// Chapter 2: broadcasting, step by step.
func broadcastingChapter(_ p: Presenter) {
    p.chapter(2, "Broadcasting")
    p.step("Broadcasting two shapes, step by step")
    let a = NDArray<Float>.arange(3).reshaped(3, 1) * 10
    let b = NDArray<Float>.arange(4)
    p.code("let a = NDArray<Float>.arange(3).reshaped(3, 1) * 10", a)
    p.code("let b = NDArray<Float>.arange(4)", b)
    for line in explainBroadcast(a.shape, b.shape) { p.say("  " + line) }
    p.code("a + b", a + b)
    p.code("a.broadcast(to: [3, 4]).strides", a.broadcast(to: [3, 4]).strides)
    p.say("""
        Stretching copies nothing: the stretched axis gets stride 0, so the same
        element is read again for every position along it. Shapes that cannot be
        stretched are refused, naming both shapes and the axis:
        """)
    do {
        _ = try broadcastShapes([2, 3], [4])
    } catch {
        p.code("try broadcastShapes([2, 3], [4])", error)
    }
    p.pause()


    p.step("A bias for every token: [B, T, C] + [C]")
    let x = NDArray<Float>.arange(24).reshaped(2, 3, 4)
    let bias = NDArray<Float>([100, 200, 300, 400])
    p.code("let x = NDArray<Float>.arange(24).reshaped(2, 3, 4)   // B = 2 sequences, T = 3 tokens, C = 4")
    p.code("let bias = NDArray<Float>([100, 200, 300, 400])      // [C]")
    for line in explainBroadcast(x.shape, bias.shape) { p.say("  " + line) }
    p.code("(x + bias)[1]", (x + bias)[1])
    p.say("""
        This is every Linear layer's "+ b": one bias of C values, added to each of the B·T
        token vectors without making B·T copies of it.
        """)
    p.pause()

    p.step("A reduction that keeps its axis, so broadcasting can undo it")
    let mean = x.mean(axis: -1, keepDims: true)
    p.code("let mean = x.mean(axis: -1, keepDims: true)", "shape \(mean.shape)  [B, T, 1]")
    let centred = x - mean
    p.code("let centred = x - mean                              // [2, 3, 4] − [2, 3, 1]", "shape \(centred.shape)")
    p.code("centred[0]", centred[0])
    p.code("centred.mean(axis: -1)", centred.mean(axis: -1))
    p.say("""
        keepDims leaves the reduced axis in place with size 1, so the result lines up with
        x again and stretches back along C. Every token's vector now has mean 0: the first
        step of layer normalisation (chapter 4's ln1 and ln2).
        """)
    p.pause()

    p.step("The causal mask: [T, T] over [B, NH, T, T]")
    let mask = createCausalMask(seqLen: 4)
    p.code("let mask = createCausalMask(seqLen: 4)             // NDArray<Float>", mask)
    for line in explainBroadcast([1, 2, 4, 4], mask.shape) { p.say("  " + line) }
    p.say("""
        One [T, T] mask serves every sequence of the batch and every attention head: 0 where
        token i may look at token j (j ≤ i), −∞ where j is in its future. After the softmax,
        e^−∞ = 0, so the future gets no weight at all.
        """)
    p.pause()
}

/// The broadcasting rule applied to two shapes, one line per step.
func explainBroadcast(_ a: [Int], _ b: [Int]) -> [String] {
    let ndim = max(a.count, b.count)
    let paddedA = Array(repeating: 1, count: ndim - a.count) + a
    let paddedB = Array(repeating: 1, count: ndim - b.count) + b
    var lines = [
        "1. Align the shapes on the right: \(a) and \(b).",
        "2. Pad the shorter with leading 1s: \(paddedA) and \(paddedB).",
    ]
    for axis in 0..<ndim {
        let (x, y) = (paddedA[axis], paddedB[axis])
        let fromEnd = axis - ndim
        if x == y {
            lines.append("   axis \(fromEnd): \(x) and \(y) agree.")
        } else if x == 1 {
            lines.append("   axis \(fromEnd): stretch the first from 1 to \(y).")
        } else if y == 1 {
            lines.append("   axis \(fromEnd): stretch the second from 1 to \(x).")
        } else {
            lines.append("   axis \(fromEnd): \(x) and \(y) differ and neither is 1: they do not broadcast.")
            return lines
        }
    }
    // The library's rule gives the shape; the lines above only explain it.
    if let result = try? broadcastShapes(a, b) { lines.append("3. The result has shape \(result).") }
    return lines
}
