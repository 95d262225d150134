// Heatmap.swift — a [rows, cols] matrix as a picture made of characters, with labels and a legend.
//
//        T c s           ← column labels, read downwards ("The", "cat", "sat")
//        h a a
//        e t t
//   The │@@    │           one cell per value, two characters wide, in one of ten shades:
//   cat │++++  │           ' ' . : - = + * # % @, from the lowest value to the highest
//   sat │::--++│
//   legend: ' ' < 0.10 ≤ '.' < 0.20 ≤ … ≤ '@'  (linear, 0.00 … 1.00; ?? = NaN)
//
// Attention weights are the usual input: row i is what token i looked at.
// A fixed `valueRange` (0...1 for attention) makes maps comparable with each other.
// Two options keep structure visible when a few cells dominate (an attention
// "sink" on the first token would otherwise leave every other cell blank):
// each row scaled to its own range, and a log scale. Labels are shortened and
// the columns cut to a window that fits the terminal's width; on a colour
// terminal each cell is an ANSI 256-colour block instead of a character
// (not when NO_COLOR is set or the output is not a terminal).
//
// Depends on: Foundation (number formatting), the C library (isatty).
// Not here: anything that draws pixels; the tour's token labels (the walkthrough).

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Renders a [rows, cols] matrix as text: a shade per cell, row and column labels, and a legend.
///
/// ```swift
/// var map = Heatmap(rowLabels: tokens, columnLabels: tokens)
/// map.perRowScaling = true                       // each row from its own min to its own max
/// print(map.render(weights[0, head]))            // weights: [B, NH, T, T]; one head's [T, T]
/// ```
public struct Heatmap: Sendable {
    /// How values map to shades.
    public enum Scale: String, Sendable {
        /// Evenly between the smallest and largest value.
        case linear
        /// By log₁₀, from the smallest positive value (at most four decades below the largest) up;
        /// zeros take the lowest shade.
        case log
    }

    /// How cells are drawn.
    public enum Color: Sendable {
        /// ANSI colours on a colour terminal without NO_COLOR, characters otherwise.
        case automatic
        /// Characters only.
        case plain
        /// ANSI 256-colour cells (a grey ramp from dark to white).
        case ansi256
    }

    /// The shades, lowest first.
    public static let ramp: [Character] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]
    /// The ANSI 256-colour greys used for the ten shades, darkest first.
    static let greys = [233, 236, 239, 242, 245, 248, 250, 252, 254, 231]

    /// One label per row (nil: row numbers).
    public var rowLabels: [String]?
    /// One label per column, printed downwards above the cells (nil: column numbers).
    public var columnLabels: [String]?
    /// Scale each row to its own range (the legend then reads as fractions of each row's range).
    public var perRowScaling = false
    /// The values of the lowest and the highest shade (nil: the shown values' own range).
    /// Fix it (`0...1` for attention weights) to compare maps with each other, or so that a
    /// nearly uniform map is not stretched over every shade; values outside take the end
    /// shades. Matplotlib's `vmin`/`vmax`. When set, it also overrides `perRowScaling`.
    public var valueRange: ClosedRange<Double>?
    /// Linear or log₁₀.
    public var scale = Scale.linear
    /// Characters or colours.
    public var color = Color.automatic
    /// The width to fit, in characters (nil: the COLUMNS environment variable, or 80).
    public var width: Int?
    /// The columns to show (nil: as many from the first as fit the width).
    public var columns: Range<Int>?
    /// Longest row label and tallest column label, in characters; longer ones end in "…".
    public var maxRowLabel = 12, maxColumnLabel = 6
    /// A line printed above the map.
    public var title: String?

    /// A heatmap with the given labels and the defaults above.
    public init(rowLabels: [String]? = nil, columnLabels: [String]? = nil, title: String? = nil) {
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.title = title
    }

    /// Whether `automatic` colour means colour: standard output is a terminal, TERM is not "dumb",
    /// and NO_COLOR is not set (https://no-color.org).
    public static func colorIsAvailable(environment: [String: String] = ProcessInfo.processInfo.environment,
                                        isTerminal: Bool = isatty(STDOUT_FILENO) != 0) -> Bool {
        isTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    /// The map of `matrix` [rows, cols]: title, column labels, one line per row, and the legend.
    @_specialize(where S == Float)
    public func render<S: NDFloatingPoint>(_ matrix: NDArray<S>) -> String {
        if matrix.ndim != 2 {
            shapeFailure("Heatmap.render", "expected a [rows, cols] matrix, got shape \(describe(matrix.shape))")
        }
        let (rows, cols) = (matrix.shape[0], matrix.shape[1])
        if let rowLabels, rowLabels.count != rows {
            shapeFailure("Heatmap.render", "\(rowLabels.count) row labels for \(rows) rows (shape \(describe(matrix.shape)))")
        }
        if let columnLabels, columnLabels.count != cols {
            shapeFailure("Heatmap.render", "\(columnLabels.count) column labels for \(cols) columns (shape \(describe(matrix.shape)))")
        }
        let values = matrix.contiguous().scalars.map { Double($0) }
        let useColor = color == .ansi256 || (color == .automatic && Self.colorIsAvailable())

        // Row labels, shortened; then how many two-character columns fit beside them.
        let names = (rowLabels ?? (0..<rows).map(String.init)).map { shorten(visible($0), to: maxRowLabel) }
        let labelWidth = names.map(\.count).max() ?? 0
        let totalWidth = width ?? Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 80
        let fit = Swift.max(1, (totalWidth - labelWidth - 3) / 2)
        let shown = columns.map { $0.clamped(to: 0..<cols) } ?? 0..<Swift.min(cols, fit)

        // Each shown value's shade, 0...9, on the range of the shown columns (or of each row's).
        let transform: (Double) -> Double? = { v in
            guard v.isFinite else { return nil }
            return scale == .linear ? v : (v > 0 ? Foundation.log10(v) : nil)
        }
        func range(_ part: [Double]) -> (low: Double, high: Double)? {
            let t = part.compactMap(transform)
            guard var high = t.max(), var low = t.min() else { return nil }
            if scale == .log { low = Swift.max(low, high - 4) }
            if high == low {                          // one value: stretched to 0, so v > 0 is the top shade, v < 0 the lowest
                if scale == .log { low = high - 4 } else { (low, high) = (Swift.min(low, 0), Swift.max(high, 0)) }
                if high == low { high = low + 1 }
            }
            return (low, high)
        }
        let shownValues = (0..<rows).flatMap { r in shown.map { values[r * cols + $0] } }
        let perRow = perRowScaling && valueRange == nil
        let whole = valueRange.map(fixedRange) ?? range(shownValues)
        func shade(_ v: Double, _ r: (low: Double, high: Double)?) -> Int? {
            if v.isNaN { return nil }
            guard let r else { return 0 }
            guard let t = transform(v) else { return v == .infinity ? 9 : 0 }
            let level = Int(((t - r.low) / (r.high - r.low) * 10).rounded(.down))
            return Swift.min(9, Swift.max(0, level))
        }

        var lines: [String] = []
        if let title { lines.append(title) }
        // Column labels, written downwards, one character per cell.
        let headers = (columnLabels ?? (0..<cols).map(String.init)).map { Array(shorten(visible($0), to: maxColumnLabel)) }
        let headerHeight = shown.map { headers[$0].count }.max() ?? 0
        let indent = String(repeating: " ", count: labelWidth + 2)
        for line in 0..<headerHeight {
            var text = indent
            for c in shown { text += line < headers[c].count ? String(headers[c][line]) + " " : "  " }
            lines.append(trimmed(text))
        }
        for r in 0..<rows {
            let rowRange = perRow ? range(shown.map { values[r * cols + $0] }) : whole
            var text = names[r] + String(repeating: " ", count: labelWidth - names[r].count) + " │"
            for c in shown {
                let level = shade(values[r * cols + c], rowRange)
                if useColor {
                    text += level.map { "\u{1B}[48;5;\(Self.greys[$0])m  " } ?? "\u{1B}[48;5;160m??"
                } else {
                    text += level.map { String(repeating: Self.ramp[$0], count: 2) } ?? "??"
                }
            }
            text += (useColor ? "\u{1B}[0m" : "") + "│"
            lines.append(text)
        }
        lines.append(legend(whole, perRow: perRow, useColor: useColor))
        if shown.count < cols {
            lines.append("(columns \(shown.lowerBound)–\(shown.upperBound - 1) of \(cols): a wider terminal, or `columns:`, shows others)")
        }
        return lines.joined(separator: "\n")
    }

    /// "legend: ' ' < 0.10 ≤ '.' < … ≤ '@'  (linear, 0.00 … 1.00)", or each row's fractions.
    func legend(_ range: (low: Double, high: Double)?, perRow: Bool, useColor: Bool) -> String {
        let shades = (0..<10).map { useColor ? "\u{1B}[48;5;\(Self.greys[$0])m  \u{1B}[0m" : "'\(Self.ramp[$0])'" }
        guard let range, !perRow else {
            let note = perRow ? "each row from its own lowest (first shade) to highest (last)" : "no finite values"
            return "legend: " + shades.joined(separator: " ") + "  (\(scale.rawValue), \(note); ?? = NaN)"
        }
        func label(_ level: Int) -> String {
            let t = range.low + Double(level) / 10 * (range.high - range.low)
            return number(scale == .log ? Foundation.pow(10, t) : t)
        }
        var text = "legend: " + shades[0]
        for level in 1..<10 { text += " < \(label(level)) ≤ " + shades[level] }
        return text + "  (\(scale.rawValue), \(label(0)) … \(label(10)); ?? = NaN)"
    }

    /// `valueRange` on the scale's axis (log₁₀ for `.log`, its lower end kept positive), never empty.
    func fixedRange(_ fixed: ClosedRange<Double>) -> (low: Double, high: Double) {
        var (low, high) = (fixed.lowerBound, fixed.upperBound)
        if scale == .log {
            high = Foundation.log10(Swift.max(high, Double.leastNormalMagnitude))
            low = low > 0 ? Swift.max(Foundation.log10(low), high - 300) : high - 4
        }
        return high > low ? (low, high) : (low, low + 1)
    }

    /// A legend value: 2 decimals, or scientific when tiny or huge.
    func number(_ v: Double) -> String {
        let a = Swift.abs(v)
        return a != 0 && (a < 0.01 || a >= 10000) ? String(format: "%.1e", v) : String(format: "%.2f", v)
    }
}

/// A label with control characters made visible (a newline token prints as "\n").
private func visible(_ label: String) -> String {
    label.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
        .replacingOccurrences(of: "\r", with: "\\r")
}

/// `text` cut to `limit` characters, ending in "…" when cut.
private func shorten(_ text: String, to limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(Swift.max(0, limit - 1))) + "…"
}

/// `line` without trailing spaces.
private func trimmed(_ line: String) -> String {
    var line = line
    while line.last == " " { line.removeLast() }
    return line
}
