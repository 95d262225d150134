// TourTests.swift — the tour end to end: `walkthrough --no-pause`, its chapters, the shapes it
// prints, and its options.

import XCTest

final class TourTests: XCTestCase {
    /// The tour trains three models; a debug binary takes most of an hour for them.
    func skipInDebug() throws {
        #if DEBUG
        throw XCTSkip("the tour trains models, far too slowly in debug: run the tests optimised, as the README's "
                      + "command does (swift test -c release -Xswiftc -enable-testing)")
        #endif
    }

    func testTheWholeTourRunsStraightThroughPrintingEveryChapterAndItsShapes() throws {
        try skipInDebug()
        let run = try walkthrough(["--no-pause"])
        XCTAssertEqual(run.status, 0, run.errors)
        let out = run.output
        let headings = ["Chapter 1: Arrays and views", "Chapter 2: Broadcasting",
                        "Chapter 3: Matrix multiplication, and why blocking makes it fast",
                        "Chapter 4: A GPT, one forward pass at a time", "Chapter 5: One backward pass, and the gradient check",
                        "Chapter 6: Training, and the loss curve"]
        var previous = out.startIndex
        for heading in headings {
            guard let found = out.range(of: heading, range: previous..<out.endIndex) else {
                XCTFail("missing, or out of order: \(heading)")
                continue
            }
            previous = found.upperBound
        }
        // Chapter 1: the layout of x = arange(12).reshaped(3, 4) and its transpose.
        XCTAssertTrue(out.contains("storage[0 + 2·4 + 1·1] = storage[9] = 9.0"))
        // Chapter 2: the bias broadcast, worked out.
        XCTAssertTrue(out.contains("2. Pad the shorter with leading 1s: [2, 3, 4] and [1, 1, 4]."))
        XCTAssertTrue(out.contains("[[112. 213. 314. 415.]"))
        // Chapter 3: the three products agree (to rounding).
        if !out.contains("The three products are identical, bit for bit") {
            let marker = "The three products differ by at most "
            let difference = out.range(of: marker).flatMap { Double(out[$0.upperBound...].prefix { $0 != ":" }) }
            XCTAssertLessThan(try XCTUnwrap(difference, "chapter 3 does not compare its products"), 1e-3)
        }
        // Chapter 4: every shape along the forward pass, for the prompt "hgfedc|hgf" (T = 10, C = 64, NH = 4, V = 10).
        for shape in ["shape [1, 10, 64]  [B, T, C]", "shape [1, 10, 192]  [B, T, 3C]",
                      "shape [1, 4, 10, 16]  [B, NH, T, HS]: 4 heads of 16", "shape [1, 4, 10, 10]  [B, NH, T, T]",
                      "shape [1, 10, 10]  [B, T, V]"] {
            XCTAssertTrue(out.contains(shape), "missing: \(shape)")
        }
        for shape in ["shape [1, 4, 10, 16]  [B, NH, T, HS]: each head's weighted mix of values",
                      "shape [1, 10, 256]  [B, T, 4C]", "Block 1: queries, keys and values (the same steps, on block 0's output)"] {
            XCTAssertTrue(out.contains(shape), "missing: \(shape)")
        }
        // The pass by hand gives what model.forward gives.
        let marker = "logits and attention weights differ from ours by at most "
        let difference = out.range(of: marker).flatMap { Double(out[$0.upperBound...].prefix { !$0.isWhitespace }) }
        XCTAssertLessThan(try XCTUnwrap(difference), 1e-5)
        for layer in 0..<2 {
            for head in 0..<4 { XCTAssertTrue(out.contains("layer \(layer), head \(head): row = the token looking")) }
        }
        XCTAssertTrue(out.contains("legend: ' ' < "))
        // The trained model copies the prompt's letters, with the cache.
        XCTAssertTrue(out.contains("The prompt's letters were copied: hgfedc|hgf → hgfedc|hgfedc\\n."))
        // Chapter 5: the loss of an untrained model is near ln 8, and every gradient checks.
        XCTAssertTrue(out.contains("(an untrained model guesses evenly: ln 8 = 2.079442)"))
        XCTAssertEqual(out.components(separatedBy: "✓").count - 1, 51)
        XCTAssertFalse(out.contains("✗"))
        // Chapter 6: the resumed run ends with the same weights as the uninterrupted one.
        XCTAssertTrue(out.contains("at step 300"))
        XCTAssertTrue(out.contains("resumed.setTotalSteps(600)"))
        XCTAssertTrue(out.contains("resumed.model.namedParameters.map(\\.value) == straight.model.namedParameters.map(\\.value)\n    true\n"))
        XCTAssertTrue(out.contains("That is the end of the tour."))
        // Every step heading keeps its rule, however long its title ("Block 1: … (the same steps, on block 0's output)").
        let stepHeadings = out.split(separator: "\n").filter { $0.hasPrefix("── ") }
        XCTAssertGreaterThan(stepHeadings.count, 20)
        for heading in stepHeadings { XCTAssertTrue(heading.hasSuffix("───") && heading.contains(" ───"), "a heading without its rule: \(heading)") }
        XCTAssertTrue(stepHeadings.contains { $0.count > 73 }, "no long heading: the check above proves nothing")
        // The code lines are Swift: no pseudo-notation after a prompt (CI also compiles every one of them,
        // scripts/tour_code_blocks.sh). Comments may use math.
        let codeLines = out.split(separator: "\n").filter { $0.hasPrefix("  > ") }
        XCTAssertGreaterThan(codeLines.count, 50)
        for line in codeLines {
            let code = line.components(separatedBy: "//")[0]
            for notation in ["ᵀ", "√", "·", "[...", "−", "×"] {
                XCTAssertFalse(code.contains(notation), "pseudo-notation \(notation) in a code line: \(line)")
            }
        }
        // Chapter 2 shows centred[0] on a line of its own; the sampler's column is named for what it holds.
        XCTAssertTrue(out.contains("  > centred[0]\n"))
        XCTAssertTrue(out.contains("softmax(logit/T)"))
    }

    func testChapterStartsAtTheNamedChapterAndSeedChangesTheRun() throws {
        try skipInDebug()
        let first = try walkthrough(["--chapter", "training", "--no-pause"])
        XCTAssertEqual(first.status, 0, first.errors)
        XCTAssertFalse(first.output.contains("Chapter 5"))
        XCTAssertTrue(first.output.contains("Chapter 6: Training, and the loss curve"))
        XCTAssertTrue(first.output.contains("step 600/600"))
        let again = try walkthrough(["--chapter", "training", "--seed", "1"])         // 1 is the default
        let other = try walkthrough(["--chapter", "training", "--seed", "2"])
        for run in [again, other] {                                       // no --no-pause: the output is not a terminal
            XCTAssertFalse(run.output.contains("[Enter: next step"), "the tour must not pause when its output is not a terminal")
        }
        func losses(_ run: WalkthroughRun) -> [Substring] {
            run.output.split(separator: "\n").filter { $0.contains("val loss") }
        }
        XCTAssertEqual(losses(first), losses(again))
        XCTAssertNotEqual(losses(first), losses(other))
        XCTAssertEqual(losses(first).count, 5)                 // steps 0, 200, 300 | resumed: 400, 600
    }

    func testHelpListsEveryChapterAndCommand() throws {
        let run = try walkthrough(["--help"])
        XCTAssertEqual(run.status, 0)
        for name in ["arrays", "broadcasting", "matmul", "gpt", "backward", "training",
                     "train", "generate", "attention", "tokenize", "inspect", "gradcheck"] {
            XCTAssertTrue(run.output.contains("\n  \(name) "), "--help does not list \(name)")
        }
    }

    func testBadTourOptionsPrintTheUsageAndExit2() throws {
        for (arguments, message) in [(["--bogus"], "unknown option '--bogus'"), (["--chapter"], "--chapter needs a chapter name"),
                                     (["--chapter", "nope"], "unknown chapter 'nope'"),
                                     (["--seed", "x"], "--seed x: expected a non-negative integer")] {
            let run = try walkthrough(arguments)
            XCTAssertEqual(run.status, 2, "\(arguments)")
            XCTAssertTrue(run.errors.contains(message), "\(arguments): \(run.errors)")
            XCTAssertTrue(run.errors.contains("usage: walkthrough"), "\(arguments)")
            XCTAssertEqual(run.output, "")
        }
    }
}
