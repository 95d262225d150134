// Commands.swift — the walkthrough's tools for real work, beside the tour.
//
//   walkthrough train FILE --out DIR              a GPT trained on a text file (TrainCommand.swift)
//   walkthrough train FILE --out DIR --init-from CHECKPOINT     fine-tuned from a checkpoint or GPT-2 folder
//   walkthrough export RUN --to DIR               a checkpoint in Hugging Face's GPT-2 layout (ExportCommand.swift)
//   walkthrough generate DIR --prompt TEXT        text from a checkpoint, streamed (GenerateCommand.swift)
//   walkthrough attention DIR TEXT                each head's attention as heatmaps (AttentionCommand.swift)
//   walkthrough tokenize TEXT --tokenizer DIR     ids and pieces from a checkpoint's tokenizer; a BPE's merge steps
//   walkthrough tokenize TEXT                     the same with a character vocabulary of TEXT itself
//   walkthrough inspect DIR                       the parameter table, memory estimate and import report
//   walkthrough gradcheck                         every layer's backward against finite differences
//
// Bad input never ends in a stack trace: an unknown flag, a missing value, a
// value out of its range or an option given twice prints the command's usage
// and exits 2; a file that is missing or cannot be read says which and why and
// exits 1.
//
// Depends on: GPT (tokenizers, checkpoints).
// Not here: the bodies of train, export, generate, attention and gradcheck (their own files).

import Foundation
import GPT

/// The subcommands by name: what each does, and its body (given its arguments).
let commands: [(name: String, summary: String, usage: String, run: @Sendable ([String]) -> Void)] = [
    ("train", "train a GPT on a text file, or fine-tune a checkpoint (--init-from): evaluation, resume, the loss curve",
     trainUsage, trainCommand),
    ("export", "a checkpoint in Hugging Face's GPT-2 layout, for PyTorch and transformers (docs/Handoff.md)",
     exportUsage, exportCommand),
    ("generate", "text from a checkpoint (ours or Hugging Face GPT-2), streamed; --explain each step",
     generateUsage, generateCommand),
    ("attention", "every head's attention over a text, as heatmaps",
     attentionUsage, attentionCommand),
    ("tokenize", "ids, pieces and BPE merge steps for a text",
     "walkthrough tokenize TEXT [--tokenizer DIR]", tokenizeCommand),
    ("inspect", "a checkpoint's parameters, memory and import report",
     "walkthrough inspect DIR", inspectCommand),
    ("gradcheck", "every layer's backward against finite differences, as a table",
     "walkthrough gradcheck [--seed N]", gradcheckCommand),
]

/// Prints `message` and the command's usage to standard error and exits 2 (a usage error).
func commandUsageError(_ command: String, _ message: String) -> Never {
    let usage = commands.first { $0.name == command }?.usage ?? command
    FileHandle.standardError.write(Data("walkthrough \(command): \(message)\n\nusage: \(usage)\n".utf8))
    exit(2)
}

/// Prints `message` to standard error and exits 1 (a file or its contents could not be used).
func inputError(_ command: String, _ message: String) -> Never {
    FileHandle.standardError.write(Data("walkthrough \(command): \(message)\n".utf8))
    exit(1)
}

/// Splits `arguments` into positionals, `--option value` pairs (`known`) and switches (`flags`, value ""),
/// refusing anything else, and an option given twice (which value was meant?).
func parseOptions(_ command: String, _ arguments: [String], known: Set<String>,
                  flags: Set<String> = []) -> (positional: [String], options: [String: String]) {
    var positional: [String] = [], options: [String: String] = [:]
    var rest = arguments[...]
    while let argument = rest.popFirst() {
        if argument == "--help" || argument == "-h" {
            print("usage: " + (commands.first { $0.name == command }?.usage ?? command))
            exit(0)
        }
        if flags.contains(argument) {
            options[argument] = ""
        } else if argument.hasPrefix("--") {
            guard known.contains(argument) else { commandUsageError(command, "unknown option '\(argument)'") }
            guard let value = rest.popFirst() else { commandUsageError(command, "\(argument) needs a value") }
            if let first = options[argument] {
                commandUsageError(command, "\(argument) is given twice (\(first), then \(value)): give it once")
            }
            options[argument] = value
        } else {
            positional.append(argument)
        }
    }
    return (positional, options)
}

/// The value of `option` read as a `T` (nil when not given); a value that is not one exits 2.
func value<T: LosslessStringConvertible>(_ command: String, _ options: [String: String], _ option: String,
                                         _ type: T.Type = T.self, where valid: (T) -> Bool = { _ in true },
                                         expected: String = "a number") -> T? {
    guard let text = options[option] else { return nil }
    guard let number = T(text), valid(number) else { commandUsageError(command, "\(option) \(text): expected \(expected)") }
    return number
}

/// The value of `option` as a whole number in `range` (nil when not given); anything else exits 2.
/// Every count a command reads has bounds, so no flag can overflow the arithmetic behind it.
func count(_ command: String, _ options: [String: String], _ option: String, in range: ClosedRange<Int>) -> Int? {
    value(command, options, option, Int.self, where: range.contains,
          expected: "a whole number from \(grouped(range.lowerBound)) to \(grouped(range.upperBound))")
}

/// Whether `path` is a readable folder, else exits 1 saying which and why.
func requireFolder(_ command: String, _ path: String) -> URL {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        inputError(command, "\(path): no such file or folder")
    }
    guard isFolder.boolValue else { inputError(command, "\(path): not a folder") }
    return URL(fileURLWithPath: path)
}

/// `tokenize TEXT [--tokenizer DIR]`.
func tokenizeCommand(_ arguments: [String]) {
    let (positional, options) = parseOptions("tokenize", arguments, known: ["--tokenizer"])
    guard positional.count == 1 else { commandUsageError("tokenize", "expected one TEXT, got \(positional.count)") }
    let text = positional[0]
    let folder = options["--tokenizer"]
    let tokenizer: FolderTokenizer
    do {
        tokenizer = try folder.map { path throws in try FolderTokenizer(folder: requireFolder("tokenize", path)) }
            ?? .characters(CharTokenizer(text: text))
    } catch {
        inputError("tokenize", "\(error)")
    }
    switch tokenizer {
    case .bpe(let tokenizer):
        let ids = tokenizer.encode(text)
        print("ids:    \(ids)")
        print("pieces: " + ids.map { "\"\(tokenizer.token(for: $0) ?? "?")\"" }.joined(separator: " "))
        print("")
        print(tokenizer.explain(text))
    case .characters(let tokenizer):
        let ids: [Int]
        do {
            ids = try tokenizer.encode(text)
        } catch {
            inputError("tokenize", "\(folder ?? "TEXT"): its character vocabulary cannot encode the text: \(error)")
        }
        print(folder.map { "a character vocabulary from \($0) (\(tokenizer.vocabSize) characters)" }
              ?? "a character vocabulary of the text itself (\(tokenizer.vocabSize) characters; --tokenizer DIR for BPE)")
        print("ids:    \(ids)")
        print("pieces: " + characterPieces(ids, tokenizer))
    }
}

/// Each id's character, quoted, with \n, \r and \t escaped: one piece per id (a character
/// vocabulary's tokens are Unicode scalars, so "\r\n" is two, and "é" written as e + ◌́ too).
func characterPieces(_ ids: [Int], _ tokenizer: CharTokenizer) -> String {
    let escapes: [String: String] = ["\n": "\\n", "\r": "\\r", "\t": "\\t"]
    return ids.map { id in
        let piece = (try? tokenizer.decode([id])) ?? "?"
        return "\"\(escapes[piece] ?? piece)\""
    }.joined(separator: " ")
}

/// `inspect DIR`: ours or a Hugging Face GPT-2 folder.
func inspectCommand(_ arguments: [String]) {
    let (positional, _) = parseOptions("inspect", arguments, known: [])
    guard positional.count == 1 else { commandUsageError("inspect", "expected one checkpoint folder, got \(positional.count)") }
    let folder = requireFolder("inspect", positional[0])
    do {
        let (model, report) = try GPTModel<Float>.loadWithReport(from: folder)
        print(model.summary())
        print("")
        print(report)
    } catch {
        inputError("inspect", "\(folder.path): \(error)")
    }
}
