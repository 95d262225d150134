// ArrayLayout.swift — the view inspector: what a learner prints to see how an
// array sits on its storage.
//
//   print(x.T.layout)
//   shape [3, 2]  strides [1, 3]  offset 0  not contiguous  storage 6 elements
//
//   print(ArrayLayout.table(["x": x.layout, "x.T": x.T.layout, "x[1]": x[1].layout]))
//   name  shape   strides  offset  contiguous  storage
//   x     [2, 3]  [3, 1]   0       yes         A (6 elements)
//   x.T   [3, 2]  [1, 3]   0       no          A, shared with x
//   x[1]  [3]     [1]      3       yes         A, shared with x, x.T

import Foundation

/// Where an array's elements sit: its shape, strides and offset into a storage.
public struct ArrayLayout: CustomStringConvertible, Sendable {
    /// The size of each axis.
    public let shape: [Int]
    /// Elements to step in storage per position along each axis.
    public let strides: [Int]
    /// Where element `[0, 0, …]` is in storage.
    public let offset: Int
    /// Whether the elements are in row-major order with no gaps.
    public let isContiguous: Bool
    /// The number of elements in the storage (a view may see fewer).
    public let storageCount: Int
    /// The storage, held weakly: a layout kept across a write must not itself
    /// make the storage shared (and so force a copy), and a storage that is gone
    /// must never look like a newer one that happens to reuse its address.
    private weak var storage: (AnyObject & Sendable)?

    init(shape: [Int], strides: [Int], offset: Int, isContiguous: Bool, storageCount: Int,
         storage: AnyObject & Sendable) {
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.isContiguous = isContiguous
        self.storageCount = storageCount
        self.storage = storage
    }

    /// Whether both arrays look into the same storage buffer (false once the storage is gone).
    public func sharesStorage(with other: ArrayLayout) -> Bool {
        guard let mine = storage, let theirs = other.storage else { return false }
        return mine === theirs
    }

    public var description: String {
        "shape \(describe(shape))  strides \(describe(strides))  offset \(offset)  "
            + (isContiguous ? "contiguous" : "not contiguous") + "  storage \(storageCount) elements"
    }

    /// A table of several named layouts; arrays on one storage get the same
    /// letter, and each names the earlier arrays it shares storage with.
    public static func table(_ rows: KeyValuePairs<String, ArrayLayout>) -> String {
        var groups: [(layout: ArrayLayout, letter: Character, names: [String])] = []
        var lines = [["name", "shape", "strides", "offset", "contiguous", "storage"]]
        for (name, layout) in rows {
            let storage: String
            if let g = groups.firstIndex(where: { $0.layout.sharesStorage(with: layout) }) {
                storage = "\(groups[g].letter), shared with " + groups[g].names.joined(separator: ", ")
                groups[g].names.append(name)
            } else {
                let letter = Character(UnicodeScalar(UInt8(65 + groups.count % 26)))
                groups.append((layout, letter, [name]))
                storage = "\(letter) (\(layout.storageCount) elements)"
            }
            lines.append([name, describe(layout.shape), describe(layout.strides), String(layout.offset),
                          layout.isContiguous ? "yes" : "no", storage])
        }
        let widths = (0..<6).map { column in lines.map { $0[column].count }.max()! }
        return lines.map { line in
            line.indices.map { c in
                c == line.count - 1 ? line[c] : line[c].padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

extension NDArray {
    /// The layout of this array on its storage, for printing. NumPy: `a.shape`,
    /// `a.strides`, `a.flags`, `a.base` together.
    public var layout: ArrayLayout {
        ArrayLayout(shape: shape, strides: strides, offset: offset, isContiguous: isContiguous,
                    storageCount: storage.count, storage: storage)
    }
}
