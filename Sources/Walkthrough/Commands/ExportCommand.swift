// ExportCommand.swift — `walkthrough export RUN --to DIR`: a checkpoint in Hugging Face's GPT-2 layout.
//
//   walkthrough export run --to run-hf                    config.json, model.safetensors, vocab.json,
//                                                         merges.txt, tokenizer_config.json
//   walkthrough export run-hf --to run-again --format gptfromscratch     and back to ours
//
// The folder is written whole or not at all: every file goes into a hidden
// sibling folder, which is renamed to DIR at the end. DIR must be new or
// empty. A model GPT-2's layout cannot hold (rotary positions, post-norm,
// SwiGLU, …) is refused naming each difference; what it can hold after an
// exact conversion (zero biases, sinusoids as a learned table, a character
// vocabulary as byte-level tokens) is exported and each conversion printed.
// Then `GPT2LMHeadModel.from_pretrained(DIR)` and `GPT2TokenizerFast.from_pretrained(DIR)`
// read it (docs/Handoff.md).
//
// Depends on: GPT (GPTModel.convertedToGPT2Layout, saveHuggingFaceGPT2, save), TokenizerFolder.swift, Commands.swift.

import Foundation
import GPT

let exportUsage = """
    walkthrough export RUN --to DIR [--format huggingface|gptfromscratch]

      RUN                   a checkpoint folder: ours (from train), or a Hugging Face GPT-2 folder
      --to DIR              the folder to write (created; it must be new or empty)
      --format NAME         huggingface (default): GPT-2's layout, read by transformers' GPT2LMHeadModel
                            and GPT2TokenizerFast; gptfromscratch: ours, read by train --init-from and generate
    """

/// `export RUN --to DIR [--format huggingface|gptfromscratch]`.
func exportCommand(_ arguments: [String]) {
    let (positional, options) = parseOptions("export", arguments, known: ["--to", "--format"])
    guard positional.count == 1 else { commandUsageError("export", "expected one checkpoint folder RUN, got \(positional.count)") }
    guard let to = options["--to"] else { commandUsageError("export", "--to DIR is required: where the export goes") }
    let format = options["--format"] ?? "huggingface"
    guard ["huggingface", "gptfromscratch"].contains(format) else {
        commandUsageError("export", "--format \(format): expected huggingface or gptfromscratch")
    }
    let destination = URL(fileURLWithPath: to)
    var isFolder: ObjCBool = false
    if FileManager.default.fileExists(atPath: to, isDirectory: &isFolder) {
        guard isFolder.boolValue else { inputError("export", "--to \(to): a file is there, not a folder") }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: to)) ?? []
        if !contents.isEmpty {
            inputError("export", "--to \(to) is not empty (\(contents.sorted().prefix(3).joined(separator: ", "))…): "
                           + "choose a new or empty folder, so nothing in it is overwritten")
        }
    }
    let (loaded, tokenizer) = loadCheckpoint("export", positional[0])
    var model = loaded
    var conversions: [String] = []
    if format == "huggingface" {
        do {
            (model, conversions) = try model.convertedToGPT2Layout()
        } catch {
            inputError("export", "\(positional[0]) cannot be exported in GPT-2's layout: \(error)")
        }
        if case .characters(let characters) = tokenizer {
            do {
                _ = try characters.byteLevelVocabularyFileContents()
            } catch {
                inputError("export", "\(positional[0])'s character tokenizer cannot be written as GPT-2's: \(error)")
            }
            conversions.append("the character vocabulary written as byte-level tokens without merges (the same ids "
                               + "for its \(characters.vocabSize) ASCII characters)")
        }
    }
    do {
        try writeFolderAtomically(destination) { folder in
            if format == "huggingface" {
                try model.saveHuggingFaceGPT2(to: folder, bosTokenID: tokenizer.endOfText, eosTokenID: tokenizer.endOfText)
                try tokenizer.saveForHuggingFace(to: folder, contextLength: model.config.maxSeqLen)
            } else {
                try model.save(to: folder)
                try tokenizer.save(to: folder)
            }
        }
    } catch {
        inputError("export", "cannot write \(to): \(error)")
    }
    let written = ((try? FileManager.default.contentsOfDirectory(atPath: to)) ?? []).sorted()
    print("exported \(positional[0]) to \(to) (\(format == "huggingface" ? "Hugging Face GPT-2" : "ours")): "
          + written.joined(separator: ", "))
    for conversion in conversions { print("  converted: \(conversion)") }
    if format == "huggingface" {
        print("In Python: GPT2LMHeadModel.from_pretrained(\"\(to)\") and GPT2TokenizerFast.from_pretrained(\"\(to)\") "
              + "(docs/Handoff.md)")
    }
}

/// Runs `write` on a new hidden folder beside `destination`, then renames that folder to `destination`
/// (new, or an empty folder, which the rename replaces): a reader sees the whole folder or none of it,
/// and a thrown failure leaves nothing behind (a process killed midway can leave the hidden folder).
func writeFolderAtomically(_ destination: URL, _ write: (URL) throws -> Void) throws {
    let parent = destination.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
    let staging = parent.appendingPathComponent(".\(destination.lastPathComponent).partial-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
    do {
        try write(staging)
        guard rename(staging.path, destination.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey:
                "cannot move the finished folder into place: \(String(cString: strerror(errno)))"])
        }
    } catch {
        try? FileManager.default.removeItem(at: staging)
        throw error
    }
}
