// InterruptTests.swift — Ctrl-C and kill -9 during `walkthrough train`, on a real child process.
//
//   Ctrl-C once     the step finishes, a checkpoint is written, the command exits 130, and
//                   `--resume` goes on from that step
//   Ctrl-C twice    the command quits at once
//   kill -9         at random moments, checkpoints every step: whatever instant the process dies,
//                   the folder still loads (`inspect`) and resumes (`train --resume`)

import Foundation
import GPT
import XCTest

/// `walkthrough arguments…` started in the background, its output going to files.
final class RunningWalkthrough {
    let process = Process()
    let output: URL, errors: URL

    init(_ arguments: [String], in folder: URL) throws {
        output = folder.appendingPathComponent("out-\(UUID().uuidString)")
        errors = folder.appendingPathComponent("err-\(UUID().uuidString)")
        for url in [output, errors] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        process.executableURL = productsFolder.appendingPathComponent("walkthrough")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
    }

    var printed: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
    var complaints: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    /// Waits (up to two minutes) until the output contains `text`; false if the process ended first.
    func waitFor(_ text: String) -> Bool {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if printed.contains(text) { return true }
            if !process.isRunning { return printed.contains(text) }
            usleep(5_000)
        }
        return false
    }

    /// Waits (up to two minutes) for the process to end; false if it did not.
    func waitForExit() -> Bool {
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        return !process.isRunning
    }
}

final class InterruptTests: XCTestCase {
    let flags = ["--preset", "tiny", "--context", "16", "--batch-size", "4", "--eval-every", "0",
                 "--log-every", "1", "--seed", "5"]

    /// `train` for a million steps (no checkpoints but the one Ctrl-C asks for) in a new folder.
    func startLongRun(_ name: String) throws -> (child: RunningWalkthrough, folder: URL, text: URL, run: URL) {
        let folder = try temporaryFolder(name)
        let text = folder.appendingPathComponent("input.txt"), run = folder.appendingPathComponent("run")
        try trainingText.write(to: text, atomically: true, encoding: .utf8)
        let child = try RunningWalkthrough(["train", text.path, "--out", run.path, "--steps", "1000000",
                                            "--checkpoint-every", "0"] + flags, in: folder)
        return (child, folder, text, run)
    }

    func testCtrlCFinishesTheStepWritesACheckpointAndTheRunResumesFromIt() throws {
        let (child, folder, text, run) = try startLongRun("walkthrough-interrupt")
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertTrue(child.waitFor("step 3/1000000"), child.printed + child.complaints)
        child.process.interrupt()                                           // SIGINT, as Ctrl-C sends
        XCTAssertTrue(child.waitForExit(), "still running after Ctrl-C")
        XCTAssertEqual(child.process.terminationReason, .exit)
        XCTAssertEqual(child.process.terminationStatus, 130, child.printed + child.complaints)
        XCTAssertTrue(child.complaints.contains("Ctrl-C: finishing this step, then writing a checkpoint"), child.complaints)
        let stopped = try XCTUnwrap(child.printed.firstMatch(of: /stopped at step (\d+)\/1000000: checkpoint written to/),
                                    child.printed)
        let step = Int(stopped.1)!
        XCTAssertGreaterThanOrEqual(step, 3)
        XCTAssertTrue(child.printed.contains("interrupted at step \(step) of 1000000; to go on:"), child.printed)

        // The checkpoint is the run at that step: --resume goes on from it.
        let resumed = try walkthrough(["train", text.path, "--out", run.path, "--resume", "--steps", "\(step + 2)"])
        XCTAssertEqual(resumed.status, 0, resumed.errors)
        XCTAssertTrue(resumed.output.contains("resuming at step \(step) of \(step + 2)"), resumed.output)
    }

    func testASecondCtrlCQuitsAtOnce() throws {
        let (child, folder, _, _) = try startLongRun("walkthrough-interrupt-twice")
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertTrue(child.waitFor("step 2/1000000"), child.printed + child.complaints)
        kill(child.process.processIdentifier, SIGINT)
        kill(child.process.processIdentifier, SIGINT)
        XCTAssertTrue(child.waitForExit(), "still running after two Ctrl-C")
        // Either the second press was seen ("quitting now", exit 130), or the run had already stopped
        // and restored Ctrl-C's default action, which ends the process by the signal: both quit at once.
        let quit = (child.process.terminationReason == .exit && child.process.terminationStatus == 130)
            || (child.process.terminationReason == .uncaughtSignal && child.process.terminationStatus == SIGINT)
        XCTAssertTrue(quit, "\(child.process.terminationReason.rawValue) \(child.process.terminationStatus)")
    }

    func testAKillDuringACheckpointLeavesTheLastOneLoadable() throws {
        let folder = try temporaryFolder("walkthrough-kill")
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("input.txt"), run = folder.appendingPathComponent("run")
        try trainingText.write(to: text, atomically: true, encoding: .utf8)
        var random = SystemRandomNumberGenerator()
        var kills = 0
        for round in 0..<6 {
            // A checkpoint every step, so that a random instant often falls inside a write.
            let arguments = round == 0 ? ["train", text.path, "--out", run.path, "--steps", "1000000", "--checkpoint-every", "1"] + flags
                                       : ["train", text.path, "--out", run.path, "--resume", "--steps", "1000000"]
            let child = try RunningWalkthrough(arguments, in: folder)
            guard child.waitFor(round == 0 ? "step 3/1000000" : "/1000000 | loss") else {
                return XCTFail("round \(round): " + child.printed + child.complaints)
            }
            usleep(UInt32.random(in: 0..<40_000, using: &random))
            kill(child.process.processIdentifier, SIGKILL)
            XCTAssertTrue(child.waitForExit())
            if child.process.terminationReason == .uncaughtSignal { kills += 1 }
            let inspected = try walkthrough(["inspect", run.path])
            XCTAssertEqual(inspected.status, 0, "round \(round): " + inspected.errors)
            XCTAssertNoThrow(try GPTModel<Float>.load(from: run), "round \(round)")
        }
        XCTAssertGreaterThan(kills, 0)
        // After the last kill, the run still resumes (each round above resumed from the one before).
        let last = try RunningWalkthrough(["train", text.path, "--out", run.path, "--resume", "--steps", "1000000"], in: folder)
        XCTAssertTrue(last.waitFor("/1000000 | loss"), last.printed + last.complaints)
        last.process.terminate()
        _ = last.waitForExit()
    }
}
