// LossCurve.swift — a training run's losses as a chart of characters.
//
//   4.17 ┤*
//        │ *
//        │  **o
//        │     ****o****o******o*****      * train (mean per column)   o validation
//   1.38 ┤
//        └────────────────────────────
//         1                       2000
//
// Each column is the mean training loss of the steps that fall in it, placed
// in one of `height` rows between the smallest and largest value shown; the
// validation estimates go in the columns of their steps. No terminal
// features: it prints the same in a log file.
//
// Depends on: Foundation (formatting).

import Foundation

/// Draws `train` (step, loss) as `*` and `validation` (step, loss) as `o` on a `width` × `height` grid.
/// - Returns: the chart (empty when there is nothing to draw)
public func renderLossCurve(train: [(Int, Double)], validation: [(Int, Double)] = [], width: Int = 64,
                            height: Int = 12) -> String {
    let points = (train + validation).filter { $0.1.isFinite }
    guard !points.isEmpty, width >= 2, height >= 2 else { return "" }
    let firstStep = points.map(\.0).min()!, lastStep = points.map(\.0).max()!
    func column(_ step: Int) -> Int {
        lastStep == firstStep ? 0 : (step - firstStep) * (width - 1) / (lastStep - firstStep)
    }
    var sums = [Double](repeating: 0, count: width), counts = [Int](repeating: 0, count: width)
    for (step, loss) in train where loss.isFinite {
        sums[column(step)] += loss
        counts[column(step)] += 1
    }
    let means = (0..<width).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : Double.nan }
    let shown = means.filter { $0.isFinite } + validation.map(\.1).filter { $0.isFinite }
    let low = shown.min()!, high = shown.max()!
    func row(_ loss: Double) -> Int {
        high == low ? 0 : Int(((high - loss) / (high - low) * Double(height - 1)).rounded())
    }
    var grid = [[Character]](repeating: [Character](repeating: " ", count: width), count: height)
    for (c, mean) in means.enumerated() where mean.isFinite { grid[row(mean)][c] = "*" }
    for (step, loss) in validation where loss.isFinite { grid[row(loss)][column(step)] = "o" }
    let top = String(format: "%.2f", high), bottom = String(format: "%.2f", low)
    let margin = max(top.count, bottom.count)
    func pad(_ s: String) -> String { String(repeating: " ", count: margin - s.count) + s }
    var lines: [String] = []
    for (r, cells) in grid.enumerated() {
        let label = r == 0 ? pad(top) + " ┤" : r == height - 1 ? pad(bottom) + " ┤" : String(repeating: " ", count: margin) + " │"
        lines.append(label + String(cells).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
    }
    lines.append(String(repeating: " ", count: margin) + " └" + String(repeating: "─", count: width))
    let first = String(firstStep), last = String(lastStep)
    lines.append(String(repeating: " ", count: margin + 2) + first
                 + String(repeating: " ", count: max(1, width - first.count - last.count)) + last)
    lines.append(String(repeating: " ", count: margin + 2) + "step    * train loss" + (validation.isEmpty ? "" : "   o validation loss"))
    return lines.joined(separator: "\n")
}
