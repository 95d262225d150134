// Cells.swift — what a lesson calls while it runs: `cell()` at the top of each code cell,
// and `printMeasured` for figures that belong to this machine.
//
//   cell()                          in a terminal: prints the headings of the prose above
//                                   the cell; for the renderer: a mark where its output starts
//   printMeasured("… 12.3 GFLOP/s") prints "⏱ … 12.3 GFLOP/s": left out when outputs are compared
//   secondsPerRun { … }             the median time of a few runs
//
// `cell()` finds its headings by reading the lesson's own source (its #filePath), so
// the headings are written once, in the prose. A binary moved away from its source
// prints the cell's line number instead.
//
// Depends on: Foundation, PercentFormat.swift.

import Foundation

/// The environment variable that makes `cell()` print a mark for the renderer instead of headings.
public let cellMarksVariable = "LESSON_CELL_MARKS"
/// The mark `cell()` prints for the renderer, followed by the source line: "\u{1E}cell 42".
public let cellMarkPrefix = "\u{1E}cell "

/// Starts a code cell: call it as the first line of every code cell of a lesson.
///
/// Run in a terminal, it prints the headings of the prose cells above it; run by
/// `lesson render` or `lesson check`, it prints a mark that tells them where the
/// cell's output starts.
public func cell(file: String = #filePath, line: Int = #line) {
    if ProcessInfo.processInfo.environment[cellMarksVariable] != nil {
        print(cellMarkPrefix + String(line))
        return
    }
    guard let source = try? String(contentsOfFile: file, encoding: .utf8),
          let cells = try? parseLesson(source, file: file),
          let index = codeCellIndex(cells, containingLine: line) else {
        print("\n── line \(line) " + String(repeating: "─", count: 60))
        return
    }
    // The prose since the previous code cell that printed headings.
    var start = index
    while start > 0, !(cells[start - 1].kind == .code && cells[start - 1].marksOutput) { start -= 1 }
    for prose in cells[start..<index] {
        for (level, text) in prose.headings {
            if level == 1 {
                print("\n" + text + "\n" + String(repeating: "=", count: text.count))
            } else {
                print("\n── \(text) " + String(repeating: "─", count: max(3, 70 - text.count)))
            }
        }
    }
}

/// Prints a figure measured on this machine (a time, a speed) after the ⏱ mark: the
/// rendered copies show it, and `lesson check` leaves it out of the comparison.
public func printMeasured(_ text: String) {
    print(measuredMark + " " + text)
}

/// The median wall time of `runs` runs of `body`, in seconds, after one untimed run to warm up.
public func secondsPerRun(runs: Int = 5, _ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    for _ in 0..<max(1, runs) {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
}
