// ArraysChapter.swift — chapter 1 of the tour: arrays, their layout, views and copy-on-write.
//
// Every number printed here is computed by the NDArray module as the reader
// watches; nothing is canned.

import NDArray

/// Chapter 1: what an array is: a shape, strides and an offset onto shared storage.
func arraysChapter(_ p: Presenter) {
    p.chapter(1, "Arrays and views")
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

}
