// ArraysChapter.swift — chapter 1 of the tour: arrays, views, copy-on-write,
// broadcasting and a first matmul.
//
// Every number printed here is computed by the NDArray module as the reader
// watches; nothing is canned.

import NDArray

/// Chapter 1: what an array is, and the operations everything else builds on.
func arraysChapter(_ p: Presenter) {
    p.chapter(1, "Arrays, views and broadcasting")
    p.say("""
        An NDArray is a window onto a flat storage buffer. Three lists say what the
        window shows: its shape (the size of each axis), its strides (how many
        elements to step in storage per position along each axis) and an offset
        (where element [0, 0] lives). Element [i, j] is storage[offset + i·strides[0] + j·strides[1]].
        """)

    p.step("An array, its shape, strides and offset")
    let x = NDArray<Float>.arange(12).reshaped(3, 4)
    p.code("let x = NDArray<Float>.arange(12).reshaped(3, 4)")
    p.code("print(x)", x)
    p.code("print(x.layout)", x.layout)
    p.say("""
        Row-major order: the last axis has stride 1, and one step down a row skips
        a whole row of 4 elements. So x[2, 1] is storage[0 + 2·4 + 1·1] = storage[9] = \(x[2, 1].item()).
        """)
    p.pause()

    p.step("A transpose and a slice share storage")
    let t = x.T
    let s = x[1..., .stride(by: 2)]
    p.code("let t = x.T", t)
    p.code("let s = x[1..., .stride(by: 2)]     // NumPy: x[1:, ::2]", s)
    p.code("print(ArrayLayout.table([\"x\": x.layout, \"t\": t.layout, \"s\": s.layout]))",
           ArrayLayout.table(["x": x.layout, "t": t.layout, "s": s.layout]))
    p.say("""
        No element moved. The transpose swaps the strides ([4, 1] becomes [1, 4]);
        the slice starts at offset 4 (row 1) and steps 2 along each row. All three
        read the same storage A. That is why views cost O(1), whatever their size.
        """)
    p.pause()

    p.step("A write triggers the copy-on-write")
    var row = x[1]
    p.code("var row = x[1]", row)
    p.code("row.sharesStorage(with: x)", row.sharesStorage(with: x))
    row[0] = 100
    p.code("row[0] = 100")
    p.code("print(ArrayLayout.table([\"x\": x.layout, \"row\": row.layout]))",
           ArrayLayout.table(["x": x.layout, "row": row.layout]))
    p.code("print(x)", x)
    p.say("""
        The storage was shared, so the write first copied row's \(row.count) elements into
        a storage of its own (B); x is unchanged. NumPy would have changed x[1, 0]
        too: this is the one place we deliberately differ. Arrays behave like Swift
        values — a write never reaches another variable. An array whose storage
        nobody else shares is written in place, with no copy.
        """)
    p.pause()

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

    p.step("A matrix product, with its shapes")
    let m = NDArray<Float>.arange(6).reshaped(2, 3)
    let w = NDArray<Float>.ones([3, 4])
    p.code("let m = NDArray<Float>.arange(6).reshaped(2, 3)   // [2, 3]", m)
    p.code("let w = NDArray<Float>.ones([3, 4])              // [3, 4]")
    p.code("matmul(m, w)                                     // [2, 3]·[3, 4] → [2, 4]", matmul(m, w))
    let batch = NDArray<Float>.zeros([5, 2, 3])
    p.code("matmul(NDArray<Float>.zeros([5, 2, 3]), w).shape  // batch axes broadcast", matmul(batch, w).shape)
    p.say("""
        The inner sizes must agree (3 and 3); the result keeps the outer ones. Axes
        in front of the last two are batch axes and broadcast like any others:
        this is how attention multiplies [B, NH, T, HS] by [B, NH, HS, T].
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
