// NDArray+Printing.swift — printing in NumPy's layout.
//
//   print(x)       [[0. 1. 2.]          NumPy's str(x): nested brackets,
//                   [3. 4. 5.]]         columns aligned, rows wrapped at 75
//   debugPrint(x)  array([[0., 1., 2.],
//                         [3., 4., 5.]], shape=[2, 3], dtype=Float)
//
// Past 1000 elements an array is summarised: 3 items at each edge of every
// long axis and `...` between, as NumPy does. Blocks of a 3-d array are
// separated by a blank line. The element format comes from ElementFormatter.
//
// Not here: print options (NumPy's defaults are fixed: linewidth 75,
// threshold 1000, edgeitems 3, precision 8).

extension NDArray: CustomStringConvertible, CustomDebugStringConvertible {
    /// NumPy's `str(a)`: `[[1. 2.] [3. 4.]]` laid out over lines; a 0-d array prints as its value.
    public var description: String {
        if ndim == 0 {
            return Scalar.makeElementFormatter(for: [item()], style: .scalar).format(item())
        }
        return formatted(separator: " ", prefix: "", suffixLength: 0)
    }

    /// NumPy's `repr(a)`, with the shape and element type always named:
    /// `array([1.5 , 2.25], shape=[2], dtype=Float)`.
    public var debugDescription: String {
        let prefix = "array("
        let body: String
        if ndim == 0 {
            body = Scalar.makeElementFormatter(for: [item()], style: .zeroDimensional).format(item())
        } else {
            body = formatted(separator: ", ", prefix: prefix, suffixLength: 1)
        }
        let extras = "shape=\(describe(shape)), dtype=\(Scalar.self))"
        let text = prefix + body + ","
        // Like NumPy, move the extras to a new line when they would pass the line width.
        let lastLine = text.count - (text.lastIndex(of: "\n").map { text.distance(from: text.startIndex, to: $0) + 1 } ?? 0)
        let spacer = lastLine + extras.count + 1 > Self.lineWidth ? "\n" + String(repeating: " ", count: prefix.count) : " "
        return text + spacer + extras
    }

    @usableFromInline static var lineWidth: Int { 75 }
    @usableFromInline static var summaryThreshold: Int { 1000 }
    @usableFromInline static var edgeItems: Int { 3 }

    /// NumPy's `array2string`: the nested brackets, wrapped to the line width
    /// (less `suffixLength`), continuation lines indented by `prefix.count + 1`.
    func formatted(separator: String, prefix: String, suffixLength: Int) -> String {
        if count == 0 { return "[]" }
        let summarise = count > Self.summaryThreshold
        let formatter = Scalar.makeElementFormatter(for: visibleElements(summarise: summarise), style: .array)
        var index: [Int] = []
        return formatRecursively(&index, hangingIndent: String(repeating: " ", count: prefix.count + 1),
                                 width: Self.lineWidth - suffixLength, separator: separator,
                                 summarise: summarise, formatter: formatter)
    }

    /// The elements that will be shown: all, or only the edges of each long axis when summarising.
    private func visibleElements(summarise: Bool) -> [Scalar] {
        var result: [Scalar] = []
        var index: [Int] = []
        func visit() {
            if index.count == ndim {
                result.append(storage.base[storagePosition(of: index, operation: "print")])
                return
            }
            for i in shownPositions(axisSize: shape[index.count], summarise: summarise).compactMap({ $0 }) {
                index.append(i)
                visit()
                index.removeLast()
            }
        }
        visit()
        return result
    }

    /// The positions shown along an axis, with nil where `...` stands.
    private func shownPositions(axisSize n: Int, summarise: Bool) -> [Int?] {
        if summarise && n > 2 * Self.edgeItems {
            return Array(0..<Self.edgeItems) + [nil] + Array((n - Self.edgeItems)..<n)
        }
        return Array(0..<n)
    }

    /// NumPy's `_formatArray` recursion: one level of brackets per axis.
    private func formatRecursively(_ index: inout [Int], hangingIndent: String, width: Int, separator: String,
                                   summarise: Bool, formatter: ElementFormatter<Scalar>) -> String {
        let axis = index.count
        if axis == ndim {
            return formatter.format(storage.base[storagePosition(of: index, operation: "print")])
        }
        let nextIndent = hangingIndent + " ", nextWidth = width - 1  // room for the "[" and "]" of this level
        let positions = shownPositions(axisSize: shape[axis], summarise: summarise)
        // The text of one position along this axis (one level deeper), or "..." where the summary stands.
        func child(_ position: Int?) -> String {
            guard let i = position else { return "..." }
            index.append(i)
            defer { index.removeLast() }
            return formatRecursively(&index, hangingIndent: nextIndent, width: nextWidth,
                                     separator: separator, summarise: summarise, formatter: formatter)
        }
        var text = ""
        if ndim - axis == 1 {
            // The last axis: words on a line, wrapped when the next one would not fit.
            // Room for the separator (or the closing bracket) after each word.
            let room = width - Swift.max(separator.trimmingTrailingSpaces().count, 1)
            var line = hangingIndent
            for (n, position) in positions.enumerated() {
                let word = child(position)
                if line.count + word.count > room && line.count > hangingIndent.count {
                    text += line.trimmingTrailingSpaces() + "\n"
                    line = hangingIndent
                }
                line += word
                if n < positions.count - 1 { line += separator }
            }
            text += line
        } else {
            // Earlier axes: one nested block per line, blank lines between blocks of blocks.
            let lineSeparator = separator.trimmingTrailingSpaces() + String(repeating: "\n", count: ndim - axis - 1)
            for (n, position) in positions.enumerated() {
                text += hangingIndent + child(position) + (n == positions.count - 1 ? "" : lineSeparator)
            }
        }
        return "[" + text.dropFirst(hangingIndent.count) + "]"
    }
}

extension String {
    /// The string without spaces at its end.
    func trimmingTrailingSpaces() -> String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}
