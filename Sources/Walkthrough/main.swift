// The walkthrough: a step-by-step tour of a GPT, from the array up.
//
//   swift run -c release walkthrough              the whole tour, pausing between steps
//   swift run -c release walkthrough --no-pause   straight through
//   swift run -c release walkthrough --help       the chapters and options
//
// The tour needs no files: the GPT and training chapters train their own small
// models on a built-in copying task, a few seconds each.
//
//   Chapters/   the tour, one file per chapter, and Presenter.swift (headings, pauses)
//   Commands/   train, generate, attention, tokenize, inspect, gradcheck (Commands.swift lists them)

import Foundation

/// The chapters, in order: the name for --chapter and the function that presents it.
let chapters: [(name: String, summary: String, run: (Presenter) -> Void)] = [
    ("arrays", "arrays and views: shape, strides, offset, copy-on-write", arraysChapter),
    ("broadcasting", "broadcasting step by step: a bias, a normalisation, the causal mask", broadcastingChapter),
    ("matmul", "matrix multiplication, and why blocking makes it fast (timed)", matmulChapter),
    ("gpt", "train a small GPT, then one forward pass: shapes, attention heatmaps, sampling, the KV cache",
     gptChapter),
    ("backward", "one backward pass, and the gradient check table", backwardChapter),
    ("training", "training by hand and with the Trainer: schedule, checkpoints, resume, the loss curve",
     trainingChapter),
]

let usage = """
    usage: walkthrough [--no-pause] [--chapter NAME] [--seed N] [--help]
           walkthrough COMMAND ARGUMENTS...   (COMMAND --help for its own)

    A step-by-step tour of a GPT, from the array up. On a terminal it pauses
    between steps (Enter goes on, q quits).

    options:
      --no-pause        run straight through without waiting
      --chapter NAME    start at chapter NAME
      --seed N          another run: other training data, weights and samples (default 1)
      --help            show this help

    chapters:
    """ + chapters.map { "\n  \($0.name.padding(16))\($0.summary)" }.joined()
    + "\n\ncommands:" + commands.map { "\n  \($0.name.padding(16))\($0.summary)" }.joined()

extension String {
    /// The string followed by spaces up to `width` characters.
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(1, width - count)) }
}

/// Prints `message` and the usage to standard error and exits with status 2.
func usageError(_ message: String) -> Never {
    FileHandle.standardError.write(Data("walkthrough: \(message)\n\n\(usage)\n".utf8))
    exit(2)
}

if let name = CommandLine.arguments.dropFirst().first, let command = commands.first(where: { $0.name == name }) {
    command.run(Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}

var seed: UInt64 = 1
var noPause = false
var startChapter: String? = nil
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--no-pause":
        noPause = true
    case "--chapter":
        guard let name = arguments.popFirst() else { usageError("--chapter needs a chapter name") }
        guard chapters.contains(where: { $0.name == name }) else { usageError("unknown chapter '\(name)'") }
        startChapter = name
    case "--seed":
        guard let value = arguments.popFirst() else { usageError("--seed needs a number") }
        guard let number = UInt64(value) else { usageError("--seed \(value): expected a non-negative integer") }
        seed = number
    case "--help", "-h":
        print(usage)
        exit(0)
    default:
        usageError(argument.hasPrefix("-") ? "unknown option '\(argument)'" : "unknown command '\(argument)'")
    }
}

let presenter = Presenter(noPause: noPause, seed: seed)
let first = chapters.firstIndex { $0.name == startChapter } ?? 0
for chapter in chapters[first...] {
    chapter.run(presenter)
}
print("\nThat is the end of the tour. `walkthrough --help` lists the commands for your own texts and checkpoints.")
