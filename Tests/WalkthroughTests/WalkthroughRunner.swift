// WalkthroughRunner.swift — runs the built `walkthrough` binary as a user would, and keeps what it printed.
//
// The test target depends on the walkthrough executable, so `swift test` builds
// it next to the test bundle. Output goes to files, not pipes, so a long tour
// can never fill a pipe and stall.

import Foundation
import XCTest

/// One run of the binary: its exit status and everything it printed.
struct WalkthroughRun {
    var status: Int32
    var output: String
    var errors: String
}

/// The folder the build put the binaries in (beside the test bundle).
let productsFolder: URL = {
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        return bundle.bundleURL.deletingLastPathComponent()
    }
    return Bundle.main.bundleURL
}()

/// Runs `walkthrough arguments…` with COLUMNS=100 and no colour, and waits for it.
func walkthrough(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> WalkthroughRun {
    let binary = productsFolder.appendingPathComponent("walkthrough")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        XCTFail("no walkthrough binary at \(binary.path)", file: file, line: line)
        throw CocoaError(.fileNoSuchFile)
    }
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("walkthrough-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["COLUMNS"] = "100"
    environment["NO_COLOR"] = "1"
    process.environment = environment
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    try process.run()
    process.waitUntilExit()
    return WalkthroughRun(status: process.terminationStatus,
                          output: try String(contentsOf: outURL, encoding: .utf8),
                          errors: try String(contentsOf: errURL, encoding: .utf8))
}

/// A fresh empty folder under the temporary directory.
func temporaryFolder(_ name: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// The text the command tests train on: short lines over a small alphabet (18 characters).
let trainingText = (0..<120).map { i in
    ["the cat sat on the mat.", "a dog ran to the cat.", "the bird saw a dog."][i % 3] + "\n"
}.joined()

/// A checkpoint made once for all the command tests: 30 steps of the tiny preset on `trainingText`.
let tinyCheckpoint: (folder: URL, text: URL, log: WalkthroughRun) = {
    let folder = try! temporaryFolder("walkthrough-tiny")
    let text = folder.appendingPathComponent("input.txt")
    try! trainingText.write(to: text, atomically: true, encoding: .utf8)
    let run = try! walkthrough(["train", text.path, "--out", folder.appendingPathComponent("run").path] + tinyTrainFlags)
    return (folder.appendingPathComponent("run"), text, run)
}()

/// The settings of `tinyCheckpoint`: small and quick.
let tinyTrainFlags = ["--preset", "tiny", "--context", "16", "--steps", "30", "--batch-size", "4", "--eval-every", "15",
                      "--eval-batches", "2", "--checkpoint-every", "15", "--log-every", "10", "--seed", "5"]

/// The Hugging Face GPT-2 folder of the GPT tests' fixtures (2 layers, 4 heads, C = 32).
let gpt2Folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("GPTTests/Fixtures/gpt2_tiny")
