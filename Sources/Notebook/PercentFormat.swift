// PercentFormat.swift — a lesson's source read as cells, and its rendered copies.
//
//   // %% [markdown]            a prose cell: every line a comment, `// ` taken off
//   // # 07 · Attention
//   // Each query …
//
//   // %%                       a code cell: Swift, run top to bottom with the rest
//   cell()                      marks where the cell's output starts (see Cells.swift)
//   let scores = …
//
// This is the "percent" format that jupytext, VS Code and PyCharm read as cells.
// A lesson is one file of it, compiled as an executable; its rendered copies are
// Markdown (code, then the output under it) and a Jupyter notebook with the
// outputs stored in it, which GitHub shows as they are.
//
// Depends on: Foundation.
// Not here: running the lessons, writing the files (the `lesson` command).

import Foundation

/// One cell of a lesson.
public struct LessonCell: Sendable, Equatable {
    /// Prose or code.
    public enum Kind: Sendable, Equatable { case markdown, code }

    public var kind: Kind
    /// The cell's text: prose without the comment marks, or code without the `cell()` line;
    /// no blank lines at either end.
    public var lines: [String]
    /// The source lines the cell spans, 1-based, marker line included.
    public var sourceLines: ClosedRange<Int>
    /// Whether the code cell calls `cell()` (every code cell but an imports-only one must).
    public var marksOutput: Bool
    /// What the cell printed, line by line (filled in by a run).
    public var output: [String] = []

    /// The prose's headings ("# …", "## …"), without the #s.
    public var headings: [(level: Int, text: String)] {
        guard kind == .markdown else { return [] }
        return lines.compactMap { line in
            let level = line.prefix { $0 == "#" }.count
            guard level > 0, line.dropFirst(level).first == " " else { return nil }
            return (level, String(line.dropFirst(level + 1)))
        }
    }
}

/// What is wrong with a lesson's source.
public struct LessonFormatError: Error, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String
    public var description: String { "\(file):\(line): \(message)" }
}

/// Reads a lesson's source as cells.
///
/// Rules: the file starts with a `// %% [markdown]` cell; prose lines are comments; every
/// code cell whose code is more than `import` lines starts with `cell()`.
public func parseLesson(_ source: String, file: String = "lesson") throws -> [LessonCell] {
    let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var cells: [LessonCell] = []
    var current: (kind: LessonCell.Kind, start: Int, body: [(Int, String)])? = nil

    func close(endingAt end: Int) throws {
        guard let (kind, start, body) = current else { return }
        var text: [String] = []
        var marks = false
        for (number, line) in body {
            if kind == .markdown {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { text.append(""); continue }
                guard trimmed.hasPrefix("//") else {
                    throw LessonFormatError(file: file, line: number,
                                            message: "a prose cell holds comments only; start a code cell with `// %%` first")
                }
                var rest = trimmed.dropFirst(2)
                if rest.first == " " { rest = rest.dropFirst() }
                text.append(String(rest))
            } else if line.trimmingCharacters(in: .whitespaces) == "cell()" {
                let codeBefore = text.contains { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                guard !marks, !codeBefore else {
                    throw LessonFormatError(file: file, line: number,
                                            message: "`cell()` comes once, as the first line of its code cell")
                }
                marks = true
            } else {
                text.append(line)
            }
        }
        while text.first?.trimmingCharacters(in: .whitespaces).isEmpty == true { text.removeFirst() }
        while text.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { text.removeLast() }
        if kind == .code && !marks {
            let importsOnly = text.allSatisfy {
                let t = $0.trimmingCharacters(in: .whitespaces)
                return t.isEmpty || t.hasPrefix("import ") || t.hasPrefix("//")
            }
            guard importsOnly else {
                throw LessonFormatError(file: file, line: start,
                                        message: "this code cell does more than import: start it with `cell()`, so its output is shown under it")
            }
        }
        cells.append(LessonCell(kind: kind, lines: text, sourceLines: start...max(start, end), marksOutput: marks))
        current = nil
    }

    for (index, line) in lines.enumerated() {
        let number = index + 1
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed == "// %%" || trimmed.hasPrefix("// %% ") {
            try close(endingAt: number - 1)
            let markdown = trimmed.contains("[markdown]")
            current = (markdown ? .markdown : .code, number, [])
        } else if current == nil {
            guard trimmed.isEmpty else {
                throw LessonFormatError(file: file, line: number, message: "a lesson starts with a `// %% [markdown]` cell")
            }
        } else {
            current!.body.append((number, line))
        }
    }
    try close(endingAt: lines.count)
    guard cells.first?.kind == .markdown else {
        throw LessonFormatError(file: file, line: 1, message: "a lesson starts with a `// %% [markdown]` cell")
    }
    return cells
}

/// The code cell of `cells` that spans source line `line`.
public func codeCellIndex(_ cells: [LessonCell], containingLine line: Int) -> Int? {
    cells.firstIndex { $0.kind == .code && $0.sourceLines.contains(line) }
}

// MARK: - Rendering

/// Lines that start with this mark are measurements of the machine that ran the lesson
/// (timings, speeds): they differ from run to run, and the check compares the rest.
public let measuredMark = "⏱"

/// The lesson as Markdown: prose as it is, each code cell in a ```swift block and its output
/// in a ```text block under it.
/// - Parameter source: the lesson's file name, for the line that says where the copy came from
public func renderMarkdown(_ cells: [LessonCell], source: String) -> String {
    var out = "<!-- Rendered from ../\(source) by `swift run -c release lesson render`: edit the lesson, not this copy. "
        + "Lines that start with \(measuredMark) were measured on the machine that rendered it. -->\n"
    for cell in cells {
        out += "\n"
        switch cell.kind {
        case .markdown:
            out += cell.lines.joined(separator: "\n") + "\n"
        case .code:
            out += "```swift\n" + cell.lines.joined(separator: "\n") + "\n```\n"
            if !cell.output.isEmpty {
                out += "\n```text\n" + cell.output.joined(separator: "\n") + "\n```\n"
            }
        }
    }
    return out
}

/// The lesson as a Jupyter notebook (nbformat 4) with each code cell's output stored in it.
/// There is no Swift kernel to run it: it is for reading in Jupyter, VS Code or on GitHub.
public func renderNotebook(_ cells: [LessonCell]) -> String {
    func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
    func lineList(_ lines: [String], indent: String) -> String {
        guard !lines.isEmpty else { return "[]" }
        let items = lines.enumerated().map { index, line in
            indent + "  " + quoted(index == lines.count - 1 ? line : line + "\n")
        }
        return "[\n" + items.joined(separator: ",\n") + "\n" + indent + "]"
    }
    var count = 0
    let rendered = cells.map { cell -> String in
        switch cell.kind {
        case .markdown:
            return """
                  {
                   "cell_type": "markdown",
                   "metadata": {},
                   "source": \(lineList(cell.lines, indent: "   "))
                  }
                """
        case .code:
            count += 1
            let outputs = cell.output.isEmpty ? "[]" : """
                [
                    {
                     "name": "stdout",
                     "output_type": "stream",
                     "text": \(lineList(cell.output.map { $0 }, indent: "     "))
                    }
                   ]
                """
            return """
                  {
                   "cell_type": "code",
                   "execution_count": \(count),
                   "metadata": {},
                   "outputs": \(outputs),
                   "source": \(lineList(cell.lines, indent: "   "))
                  }
                """
        }
    }
    return """
        {
         "cells": [
        \(rendered.joined(separator: ",\n"))
         ],
         "metadata": {
          "jupytext": {
           "formats": "ipynb,swift:percent"
          },
          "language_info": {
           "file_extension": ".swift",
           "name": "swift"
          }
         },
         "nbformat": 4,
         "nbformat_minor": 4
        }

        """
}
