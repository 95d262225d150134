// The lesson command: runs the notebooks in Notebooks/, and renders and checks their copies.
//
//   swift run -c release lesson 07          run lesson 07 (also: 7, attention, 07-attention)
//   swift run -c release lesson all         every lesson, one after the other
//   swift run -c release lesson render      write Notebooks/Rendered/NN-name.md and .ipynb, with outputs
//   swift run -c release lesson check       run every lesson; fail if a rendered copy differs from its output now
//   swift run -c release lesson list        the lessons
//
// Each lesson is an executable of its own (lesson01 … lesson14, built beside this one);
// this command starts it. Rendering runs a lesson with LESSON_CELL_MARKS set, so that
// `cell()` marks where each code cell's output begins, then puts each output under its
// cell. Lines marked ⏱ (timings) are kept in the copies but not compared.

import Foundation
import Notebook

let usage = """
    usage: lesson NUMBER|NAME      run one lesson (07, 7, attention or 07-attention)
           lesson all              run every lesson in order
           lesson list             the lessons and their titles
           lesson render [N...]    rewrite the rendered copies (Notebooks/Rendered) from fresh runs
           lesson check [N...]     run the lessons; fail if a rendered copy differs from what it prints now
                                   (lines that start with ⏱ are measurements and are not compared)
    """

func fail(_ message: String, status: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("lesson: \(message)\n".utf8))
    exit(status)
}

/// Notebooks/, found from this file's place in the checkout.
let notebooks = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Notebooks")
let rendered = notebooks.appendingPathComponent("Rendered")
/// Where the lesson binaries are: beside this one.
let binaries = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
    .resolvingSymlinksInPath().deletingLastPathComponent()

/// A lesson: "07-attention" is lesson 7, built as the executable lesson07.
struct Lesson {
    let name: String
    var number: Int { Int(name.prefix(2))! }
    var source: URL { notebooks.appendingPathComponent(name + ".swift") }
    var binary: URL { binaries.appendingPathComponent(String(format: "lesson%02d", number)) }
    var title: String {
        guard let text = try? String(contentsOf: source, encoding: .utf8), let cells = try? parseLesson(text),
              let heading = cells.first?.headings.first else { return "" }
        return heading.text
    }
}

func allLessons() -> [Lesson] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: notebooks.path)) ?? []
    let lessons = names.filter { $0.range(of: #"^[0-9][0-9]-.*\.swift$"#, options: .regularExpression) != nil }
        .map { Lesson(name: String($0.dropLast(6))) }.sorted { $0.name < $1.name }
    if lessons.isEmpty { fail("no lessons in \(notebooks.path): run this from a checkout of the project") }
    return lessons
}

func find(_ key: String) -> Lesson {
    let lessons = allLessons()
    let match = lessons.first { lesson in
        if let n = Int(key) { return lesson.number == n }
        return lesson.name == key || lesson.name.dropFirst(3) == key
    }
    guard let match else {
        fail("no lesson '\(key)'; the lessons are:\n" + lessons.map { "  " + $0.name }.joined(separator: "\n"), status: 2)
    }
    return match
}

/// Runs a lesson's binary; with `capture`, returns what it printed (cell marks on), else lets it print.
@discardableResult
func run(_ lesson: Lesson, capture: Bool) -> String {
    guard FileManager.default.isExecutableFile(atPath: lesson.binary.path) else {
        fail("\(lesson.binary.path) is not built: run `swift build -c release` first")
    }
    let process = Process()
    process.executableURL = lesson.binary
    var environment = ProcessInfo.processInfo.environment
    let pipe = Pipe()
    if capture {
        environment[cellMarksVariable] = "1"
        environment["COLUMNS"] = "80"      // the heatmaps' width, the same on every machine
        environment["NO_COLOR"] = "1"
        process.standardOutput = pipe
    }
    process.environment = environment
    do { try process.run() } catch { fail("cannot start \(lesson.binary.path): \(error)") }
    let data = capture ? pipe.fileHandleForReading.readDataToEndOfFile() : Data()
    process.waitUntilExit()
    if process.terminationStatus != 0 {
        fail("lesson \(lesson.name) failed (exit status \(process.terminationStatus))")
    }
    return String(decoding: data, as: UTF8.self)
}

/// Runs a lesson in the terminal, then prints its closing prose (what it built, its exercises,
/// its walkthrough chapter), which no code cell follows to print.
func present(_ lesson: Lesson) {
    run(lesson, capture: false)
    guard let source = try? String(contentsOf: lesson.source, encoding: .utf8),
          let cells = try? parseLesson(source) else { return }
    let lastCode = cells.lastIndex { $0.kind == .code } ?? cells.count - 1
    var lines: [String] = []
    for prose in cells[(lastCode + 1)...] {
        for line in [""] + prose.lines {
            if line.hasPrefix("## ") {
                let text = String(line.dropFirst(3))
                lines.append("── \(text) " + String(repeating: "─", count: max(3, 70 - text.count)))
            } else if !(line.isEmpty && lines.last?.isEmpty == true) {
                lines.append(line)
            }
        }
    }
    lines.append("")
    lines.append("(Rendered with every output: Notebooks/Rendered/\(lesson.name).md)")
    print(lines.joined(separator: "\n"))
}

/// The lesson's cells, each with the output it printed in a fresh run.
func runCells(_ lesson: Lesson) -> [LessonCell] {
    let source: String
    do { source = try String(contentsOf: lesson.source, encoding: .utf8) } catch {
        fail("cannot read \(lesson.source.path): \(error.localizedDescription)")
    }
    var cells: [LessonCell]
    do { cells = try parseLesson(source, file: "Notebooks/\(lesson.name).swift") } catch { fail("\(error)") }
    var current: Int? = nil
    var seen = Set<Int>()
    var output = run(lesson, capture: true).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if output.last == "" { output.removeLast() }
    for line in output {
        if line.hasPrefix(cellMarkPrefix), let number = Int(line.dropFirst(cellMarkPrefix.count)) {
            guard let index = codeCellIndex(cells, containingLine: number) else {
                fail("Notebooks/\(lesson.name).swift:\(number): cell() outside a code cell")
            }
            guard seen.insert(index).inserted else {
                fail("Notebooks/\(lesson.name).swift:\(number): cell() ran twice (in a loop?); it belongs at the top of its cell")
            }
            current = index
        } else if let current {
            cells[current].output.append(line)
        } else if !line.isEmpty {
            fail("lesson \(lesson.name) printed \"\(line)\" before its first cell()")
        }
    }
    for index in cells.indices where cells[index].kind == .code {
        while cells[index].output.first?.isEmpty == true { cells[index].output.removeFirst() }
        while cells[index].output.last?.isEmpty == true { cells[index].output.removeLast() }
    }
    return cells
}

func copies(_ lesson: Lesson) -> (markdown: URL, notebook: URL) {
    (rendered.appendingPathComponent(lesson.name + ".md"), rendered.appendingPathComponent(lesson.name + ".ipynb"))
}

func write(_ text: String, to url: URL) {
    do {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url, options: .atomic)
    } catch {
        fail("cannot write \(url.path): \(error.localizedDescription)")
    }
}

/// Renders a fresh run; `check` compares it with the copies on disk instead of writing them.
/// - Returns: whether the copies match (always true when writing)
func render(_ lesson: Lesson, check: Bool) -> Bool {
    let start = Date()
    var cells = runCells(lesson)
    let seconds = Date().timeIntervalSince(start)
    let (markdownURL, notebookURL) = copies(lesson)
    if check {
        // Take the measured lines (⏱) from the committed copy, in order, so that only they may differ.
        guard let committed = try? String(contentsOf: markdownURL, encoding: .utf8) else {
            print("\(lesson.name): no rendered copy; run `swift run -c release lesson render \(lesson.number)`")
            return false
        }
        var measured = committed.split(separator: "\n").filter { $0.hasPrefix(measuredMark) }.map(String.init)[...]
        for c in cells.indices {
            for l in cells[c].output.indices where cells[c].output[l].hasPrefix(measuredMark) {
                if let old = measured.popFirst() { cells[c].output[l] = old }
            }
        }
        let expected = (renderMarkdown(cells, source: lesson.name + ".swift"), renderNotebook(cells))
        var same = true
        for (text, url) in [(expected.0, markdownURL), (expected.1, notebookURL)] {
            let old = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            if old != text {
                same = false
                let oldLines = old.split(separator: "\n", omittingEmptySubsequences: false)
                let newLines = text.split(separator: "\n", omittingEmptySubsequences: false)
                let first = (0..<min(oldLines.count, newLines.count)).first { oldLines[$0] != newLines[$0] }
                    ?? min(oldLines.count, newLines.count)
                print("\(lesson.name): Notebooks/Rendered/\(url.lastPathComponent) differs from what the lesson prints now, "
                      + "from line \(first + 1):")
                print("  the copy:  " + (first < oldLines.count ? String(oldLines[first]) : "(ends)"))
                print("  the lesson: " + (first < newLines.count ? String(newLines[first]) : "(ends)"))
            }
        }
        if same { print(String(format: "%@: the rendered copies match (%.1f s)", lesson.name, seconds)) }
        else { print("  run `swift run -c release lesson render \(lesson.number)` and review the difference") }
        return same
    }
    write(renderMarkdown(cells, source: lesson.name + ".swift"), to: markdownURL)
    write(renderNotebook(cells), to: notebookURL)
    print(String(format: "%@: wrote Rendered/%@.md and .ipynb (%.1f s)", lesson.name, lesson.name, seconds))
    return true
}

/// The table of lessons in Notebooks/README.md, between its two marker lines.
let tableStart = "<!-- lessons: written by `lesson render` -->", tableEnd = "<!-- end of lessons -->"

func lessonTable(_ lessons: [Lesson]) -> String {
    var rows = ["| | lesson | with its outputs |", "|---|---|---|"]
    for lesson in lessons {
        var title = lesson.title
        if let dot = title.range(of: " · ") { title = String(title[dot.upperBound...]) }
        rows.append("| \(lesson.number) | [\(title)](\(lesson.name).swift) | "
                    + "[Markdown](Rendered/\(lesson.name).md) · [notebook](Rendered/\(lesson.name).ipynb) |")
    }
    return rows.joined(separator: "\n")
}

/// Notebooks/README.md with its table of lessons brought up to date.
func readmeWithTable(_ lessons: [Lesson]) -> (old: String, new: String) {
    let url = notebooks.appendingPathComponent("README.md")
    let old = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    guard let start = old.range(of: tableStart), let end = old.range(of: tableEnd, range: start.upperBound..<old.endIndex)
    else { fail("Notebooks/README.md has no lines \(tableStart) … \(tableEnd) for the table of lessons") }
    return (old, old[..<start.upperBound] + "\n" + lessonTable(lessons) + "\n" + old[end.lowerBound...])
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    print(usage)
    exit(0)
}
arguments.removeFirst()
switch command {
case "--help", "-h", "help":
    print(usage)
case "list":
    guard arguments.isEmpty else { fail("lesson list takes no arguments, not '\(arguments[0])'\n\n\(usage)", status: 2) }
    for lesson in allLessons() { print(lesson.name.padding(toLength: 26, withPad: " ", startingAt: 0) + lesson.title) }
case "all":
    guard arguments.isEmpty else { fail("lesson all takes no arguments, not '\(arguments[0])'\n\n\(usage)", status: 2) }
    for lesson in allLessons() { present(lesson) }
case "render", "check":
    let lessons = arguments.isEmpty ? allLessons() : arguments.map(find)
    let start = Date()
    var good = true
    for lesson in lessons where !render(lesson, check: command == "check") { good = false }
    if arguments.isEmpty {
        let readme = readmeWithTable(lessons)
        if command == "render" {
            write(readme.new, to: notebooks.appendingPathComponent("README.md"))
        } else if readme.old != readme.new {
            print("Notebooks/README.md: its table of lessons is out of date; run `swift run -c release lesson render`")
            good = false
        }
    }
    print(String(format: "%d lessons in %.0f s", lessons.count, Date().timeIntervalSince(start)))
    exit(good ? 0 : 1)
default:
    guard arguments.isEmpty else { fail("one lesson at a time: lesson \(command)\n\n\(usage)", status: 2) }
    if command.hasPrefix("-") { fail("unknown option '\(command)'\n\n\(usage)", status: 2) }
    present(find(command))
}
