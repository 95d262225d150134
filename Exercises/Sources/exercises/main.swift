// The course's runner: where you are, what to do next, and the checks of the exercise you are on.
//
//   swift run exercises                  the list with your progress, and the next exercise to do
//   swift run exercises next             check the next unfinished exercise
//   swift run exercises check NAME       check one exercise (its number or its name: 5, 05-sum-axis)
//   swift run exercises hint [NAME [N]]  the next hint of an exercise, one more each time you ask (or hint N)
//   swift run exercises reset NAME       put the stub back (your version is kept in .attempts/)
//   swift run exercises solution NAME    the reference solution, once your version passes (or --force)
//   swift run exercises watch            check the next unfinished exercise again whenever you save
//
// Exit status: 0 the exercise passes (or the command did what it said), 1 it does not, 2 a usage error.
// Your progress (exercises done, hints seen) is in .progress.json here, in your folder.
//
// Depends on: Foundation alone (it builds and runs the exercises with `swift build`).

import Foundation

/// Where the course is: the folder holding Package.swift and Sources/exercises.
let root: URL = {
    if let folder = ProcessInfo.processInfo.environment["EXERCISES_DIR"] { return URL(fileURLWithPath: folder) }
    let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    if FileManager.default.fileExists(atPath: current.appendingPathComponent("Sources/exercises").path) { return current }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}()

/// The exercises, in order: the folders Sources/NN-name.
let exercises: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Sources").path)) ?? [])
    .filter { $0.range(of: #"^[0-9]{2}-[a-z0-9-]+$"#, options: .regularExpression) != nil }
    .sorted()

func usage(_ message: String) -> Never {
    FileHandle.standardError.write(Data("""
        exercises: \(message)
        usage: swift run exercises [list | next | check NAME | hint [NAME [N]] | reset NAME | solution NAME [--force] | watch]

        """.utf8))
    exit(2)
}

// MARK: Progress

/// What you have done: kept in .progress.json, in your folder.
struct Progress: Codable {
    var done: Set<String> = []
    var hintsSeen: [String: Int] = [:]

    static let file = root.appendingPathComponent(".progress.json")

    static func load() -> Progress {
        guard let data = try? Data(contentsOf: file) else { return Progress() }
        return (try? JSONDecoder().decode(Progress.self, from: data)) ?? Progress()
    }

    func save() {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try? encoder.encode(self).write(to: Progress.file, options: .atomic)
    }
}

// MARK: The exercises' files

/// The exercise a name or a number means ("5", "05", "05-sum-axis", "sum-axis").
func exercise(named name: String) -> String {
    if let match = exercises.first(where: { $0 == name || $0.dropFirst(3) == name }) { return match }
    if let number = Int(name), let match = exercises.first(where: { Int($0.prefix(2)) == number }) { return match }
    usage("no exercise '\(name)': run `swift run exercises list` for their names")
}

func exerciseFile(_ name: String) -> URL { root.appendingPathComponent("Sources/\(name)/Exercise.swift") }

/// The hints of an exercise: the sections "## Hint N" of its Hints.md.
func hints(_ name: String) -> [String] {
    let text = (try? String(contentsOf: root.appendingPathComponent("Sources/\(name)/Hints.md"), encoding: .utf8)) ?? ""
    return text.components(separatedBy: "\n## Hint ").dropFirst().map { section in
        section.split(separator: "\n", maxSplits: 1).dropFirst().first.map(String.init)?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
}

/// What the exercise asks, from its header's first line ("// 01-strides — the strides of …").
func task(_ name: String) -> String {
    let text = (try? String(contentsOf: exerciseFile(name), encoding: .utf8)) ?? ""
    let first = text.split(separator: "\n").first.map(String.init) ?? ""
    return first.components(separatedBy: " — ").dropFirst().joined(separator: " — ")
}

// MARK: Checking

/// Runs a command, its output passed through (or captured); returns its exit status and what it printed.
@discardableResult
func run(_ arguments: [String], capture: Bool = false) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = root
    let pipe = Pipe()
    if capture { process.standardOutput = pipe; process.standardError = pipe }
    do { try process.run() } catch { return (127, "could not run \(arguments[0]): \(error)") }
    let data = capture ? pipe.fileHandleForReading.readDataToEndOfFile() : Data()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Builds and runs one exercise's checks; records it as done when they pass. Returns whether they did.
func check(_ name: String, progress: inout Progress) -> Bool {
    let target = "ex" + name.replacingOccurrences(of: "-", with: "_")
    print("── \(name): \(task(name))")
    let build = run(["swift", "build", "--product", target], capture: true)
    if build.status != 0 {
        let errors = build.output.split(separator: "\n").filter { $0.contains("error:") }.prefix(12)
        print("✗ \(name) does not compile yet:")
        for line in errors { print("  " + line.replacingOccurrences(of: root.path + "/", with: "")) }
        if errors.isEmpty { print(build.output) }
        return false
    }
    let binary = root.appendingPathComponent(".build/debug/\(target)").path
    let passed = run([binary]).status == 0
    if passed {
        progress.done.insert(name)
        let next = exercises.first { !progress.done.contains($0) }
        print(next.map { "Next: \($0) (swift run exercises next)" } ?? "That was the last one: the course is done.")
    } else {
        progress.done.remove(name)
    }
    progress.save()
    return passed
}

// MARK: Commands

func list(_ progress: Progress) {
    print("The course: \(progress.done.intersection(exercises).count) of \(exercises.count) exercises done\n")
    for name in exercises {
        print("  " + (progress.done.contains(name) ? "✓" : "·") + " " + name.padding(toLength: 22, withPad: " ", startingAt: 0)
              + task(name))
    }
    if let next = exercises.first(where: { !progress.done.contains($0) }) {
        print("\nNext: \(next). Write it in Sources/\(next)/Exercise.swift, then `swift run exercises next`.")
    } else {
        print("\nEvery exercise passes.")
    }
}

func hint(_ name: String, number: Int? = nil, _ progress: inout Progress) {
    let all = hints(name)
    let seen = progress.hintsSeen[name] ?? 0
    guard !all.isEmpty else { print("\(name) has no hints."); return }
    if let number, !(1...all.count).contains(number) { usage("\(name) has hints 1 to \(all.count), not \(number)") }
    let shown = number ?? Swift.min(seen + 1, all.count)
    progress.hintsSeen[name] = Swift.max(seen, shown)
    progress.save()
    print("Hint \(shown) of \(all.count) for \(name):\n\n\(all[shown - 1])\n")
    if shown < all.count { print("(ask again for hint \(shown + 1))") }
}

func reset(_ name: String, _ progress: inout Progress) {
    let file = exerciseFile(name)
    let stub = run(["git", "show", "HEAD:./Sources/\(name)/Exercise.swift"], capture: true)
    guard stub.status == 0 else {
        print("exercises: cannot find the stub of \(name) in git (\(stub.output.trimmingCharacters(in: .whitespacesAndNewlines)))")
        exit(1)
    }
    let attempts = root.appendingPathComponent(".attempts")
    try? FileManager.default.createDirectory(at: attempts, withIntermediateDirectories: true)
    let stamp = Int(Date().timeIntervalSince1970)
    let kept = attempts.appendingPathComponent("\(name)-\(stamp).swift")
    try? FileManager.default.copyItem(at: file, to: kept)
    do {
        try Data(stub.output.utf8).write(to: file, options: .atomic)
    } catch {
        print("exercises: cannot write \(file.path): \(error)")
        exit(1)
    }
    progress.done.remove(name)
    progress.hintsSeen[name] = nil
    progress.save()
    print("\(name) is its stub again; your version is in .attempts/\(kept.lastPathComponent).")
}

func solution(_ name: String, force: Bool, _ progress: Progress) {
    guard progress.done.contains(name) || force else {
        print("\(name) does not pass yet: its solution is shown once it does (or with --force).")
        exit(1)
    }
    let file = root.appendingPathComponent("Solutions/\(name)/Exercise.swift")
    guard let text = try? String(contentsOf: file, encoding: .utf8) else {
        print("exercises: no solution at Solutions/\(name)/Exercise.swift")
        exit(1)
    }
    print(text)
}

func watch(_ progress: inout Progress) -> Never {
    var seen: [String: Date] = [:]
    func stamps() -> [String: Date] {
        var result: [String: Date] = [:]
        for name in exercises {
            result[name] = (try? FileManager.default.attributesOfItem(atPath: exerciseFile(name).path))?[.modificationDate] as? Date
        }
        return result
    }
    print("Watching: each time you save an exercise, its checks run again. Ctrl-C stops.\n")
    while true {
        let now = stamps()
        if now != seen {
            let changed = exercises.first { now[$0] != seen[$0] && !seen.isEmpty }
            seen = now
            guard let name = changed ?? exercises.first(where: { !progress.done.contains($0) }) else {
                print("Every exercise passes.")
                exit(0)
            }
            _ = check(name, progress: &progress)
            print("\n(waiting for a save…)")
        }
        Thread.sleep(forTimeInterval: 1)
    }
}

// MARK: Main

var progress = Progress.load()
var arguments = Array(CommandLine.arguments.dropFirst())
let force = arguments.contains("--force")
arguments.removeAll { $0 == "--force" }
guard !exercises.isEmpty else { usage("no exercises under \(root.path)/Sources") }

switch (arguments.first, arguments.count) {
case (nil, _), ("list", 1):
    list(progress)
case ("next", 1):
    guard let next = exercises.first(where: { !progress.done.contains($0) }) else { print("Every exercise passes."); exit(0) }
    exit(check(next, progress: &progress) ? 0 : 1)
case ("check", 2):
    exit(check(exercise(named: arguments[1]), progress: &progress) ? 0 : 1)
case ("hint", 1):
    guard let next = exercises.first(where: { !progress.done.contains($0) }) else { print("Every exercise passes."); exit(0) }
    hint(next, &progress)
case ("hint", 2):
    hint(exercise(named: arguments[1]), &progress)
case ("hint", 3):
    guard let number = Int(arguments[2]) else { usage("hint NAME N: N is a hint's number, not '\(arguments[2])'") }
    hint(exercise(named: arguments[1]), number: number, &progress)
case ("reset", 2):
    reset(exercise(named: arguments[1]), &progress)
case ("solution", 2):
    solution(exercise(named: arguments[1]), force: force, progress)
case ("watch", 1):
    watch(&progress)
case (let command?, _):
    usage(["list", "next", "check", "hint", "reset", "solution", "watch"].contains(command)
              ? "wrong number of arguments for '\(command)'" : "unknown command '\(command)'")
}
