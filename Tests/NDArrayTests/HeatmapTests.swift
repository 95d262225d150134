// HeatmapTests.swift — the text picture of a matrix: shades, labels, legend, windows, colour.
//
// After reading this file you should know how a value becomes one of ten
// shades, why per-row scaling and a log scale exist (one large value hides the
// rest), how labels are shortened and columns cut to fit a terminal, and when
// the map is drawn in ANSI colours instead of characters.

import Foundation
@testable import NDArray
import XCTest

final class HeatmapTests: XCTestCase {
    /// An attention-like [3, 3] matrix: row i spreads over columns 0...i.
    let weights = NDArray<Float>([[1, 0, 0], [0.5, 0.5, 0], [0.2, 0.3, 0.5]])

    func plain(_ configure: (inout Heatmap) -> Void = { _ in }) -> Heatmap {
        var map = Heatmap(rowLabels: ["The", "cat", "sat"], columnLabels: ["The", "cat", "sat"])
        map.color = .plain
        map.width = 80
        configure(&map)
        return map
    }

    func testEachValueTakesTheShadeOfItsTenth() {
        // 0.5 is in [0.5, 0.6): '+'; 0.2 and 0.3 start ':' and '-'. Column labels read downwards.
        XCTAssertEqual(plain().render(weights), """
                 T c s
                 h a a
                 e t t
            The │@@    │
            cat │++++  │
            sat │::--++│
            legend: ' ' < 0.10 ≤ '.' < 0.20 ≤ ':' < 0.30 ≤ '-' < 0.40 ≤ '=' < 0.50 ≤ '+' < 0.60 ≤ '*' < 0.70 ≤ '#' < 0.80 ≤ '%' < 0.90 ≤ '@'  (linear, 0.00 … 1.00; ?? = NaN)
            """)
    }

    func rows(_ text: String) -> [String] { text.split(separator: "\n").filter { $0.contains("│") }.map(String.init) }

    func testPerRowScalingShowsRowsOfSmallValues() {
        // Later rows spread their weight thinly: on the whole map's range they fade out.
        let spread = NDArray<Float>([[1, 0, 0], [0.1, 0.2, 0], [0.05, 0.12, 0.3]])
        XCTAssertEqual(rows(plain().render(spread)), ["The │@@    │", "cat │..::  │", "sat │  ..--│"])
        // Each row from its own lowest to its highest: 0.1 is half of cat's 0…0.2 ('+'); sat's
        // 0.12 is 0.28 of the way from 0.05 to 0.3 (':').
        XCTAssertEqual(rows(plain { $0.perRowScaling = true }.render(spread)),
                       ["The │@@    │", "cat │++@@  │", "sat │  ::@@│"])
        XCTAssertTrue(plain { $0.perRowScaling = true }.render(spread).contains("each row from its own lowest"))
    }

    func testAFixedValueRangeMakesMapsComparable() {
        // Nearly uniform weights: on their own range (0.30 … 0.36) they fill every shade.
        let flat = NDArray<Float>([[0.36, 0.34, 0.30], [0.33, 0.34, 0.33], [0.30, 0.35, 0.35]])
        XCTAssertEqual(rows(plain().render(flat)), ["The │@@**  │", "cat │++**++│", "sat │  %%%%│"])
        // On 0…1 each is a third: 0.30…0.36 is in [0.3, 0.4), '-', whatever the others are.
        let fixed = plain { $0.valueRange = 0...1 }
        XCTAssertEqual(rows(fixed.render(flat)), ["The │------│", "cat │------│", "sat │------│"])
        XCTAssertTrue(fixed.render(flat).hasSuffix("(linear, 0.00 … 1.00; ?? = NaN)"))
        // Values outside the range take the end shades; a fixed range overrides per-row scaling.
        let outside = NDArray<Float>([[-1, 0.55, 2]])
        var map = Heatmap(rowLabels: ["x"], columnLabels: ["a", "b", "c"])
        (map.color, map.valueRange, map.perRowScaling) = (.plain, 0...1, true)
        XCTAssertEqual(rows(map.render(outside)), ["x │  ++@@│"])
        XCTAssertTrue(map.render(outside).contains("' ' < 0.10 ≤ '.'"), "the legend reads the fixed range")
        // On a log scale, 1e-4…1 (−4 … 0): 0.02 (−1.7) is 5.75 tenths up ('+').
        map.scale = .log
        XCTAssertEqual(rows(map.render(NDArray<Float>([[1e-4, 0.02, 1]]))), ["x │  ++@@│"])
    }

    func testTheLogScaleShowsWhatASinkHides() {
        // Every row puts almost all its weight on token 0 (an attention sink).
        let sink = NDArray<Float>([[1, 0, 0], [0.96, 0.04, 0], [0.9, 0.02, 0.08]])
        XCTAssertEqual(rows(plain().render(sink)), ["The │@@    │", "cat │@@    │", "sat │%%    │"])   // the rest is blank
        // log₁₀ from 0.02 (−1.7) to 1 (0): 0.04 is 1.8 tenths up ('.'), 0.08 is 3.5 ('-').
        XCTAssertEqual(rows(plain { $0.scale = .log }.render(sink)), ["The │@@    │", "cat │@@..  │", "sat │@@  --│"])
        XCTAssertTrue(plain { $0.scale = .log }.render(sink).hasSuffix("(log, 0.02 … 1.00; ?? = NaN)"))
    }

    func testNaNAndInfinityAreMarked() {
        let odd = NDArray<Float>([[.nan, 1], [0, .infinity]])
        var map = Heatmap()
        map.color = .plain
        let text = map.render(odd)
        XCTAssertTrue(text.contains("0 │??@@│"), text)                               // row numbers when unlabelled
        XCTAssertTrue(text.contains("1 │  @@│"), text)                               // +∞: the top shade
    }

    func testLabelsAreShortenedAndColumnsWindowedToTheWidth() {
        let wide = NDArray<Float>.zeros([2, 40])
        var map = Heatmap(rowLabels: ["a very long token", "\n"], columnLabels: (0..<40).map { "tok\($0)" })
        (map.color, map.width, map.maxRowLabel, map.maxColumnLabel) = (.plain, 30, 8, 4)
        let lines = map.render(wide).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "          t t t t t t t t t")               // 9 columns of 2 fit in 30 − 8 − 3
        XCTAssertEqual(lines[3], "          0 1 2 3 4 5 6 7 8")               // "tok0" fits in 4 characters
        XCTAssertTrue(lines.contains("a very … │                  │"), lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains("\\n       │                  │"), lines.joined(separator: "\n"))   // a newline token shows as \n
        XCTAssertEqual(lines.last, "(columns 0–8 of 40: a wider terminal, or `columns:`, shows others)")
        map.columns = 30..<40
        let window = map.render(wide).split(separator: "\n").map(String.init)
        XCTAssertEqual(window[3], "          … … … … … … … … … …")             // "tok30" is cut to "tok…"
        XCTAssertEqual(window.last, "(columns 30–39 of 40: a wider terminal, or `columns:`, shows others)")
    }

    func testColourCellsOnlyWhenAsked() {
        var map = plain { $0.color = .ansi256 }
        let text = map.render(weights)
        XCTAssertTrue(text.contains("The │\u{1B}[48;5;231m  \u{1B}[48;5;233m  \u{1B}[48;5;233m  \u{1B}[0m│"), text)
        map.color = .plain
        XCTAssertFalse(map.render(weights).contains("\u{1B}"))
        XCTAssertTrue(Heatmap.colorIsAvailable(environment: ["TERM": "xterm-256color"], isTerminal: true))
        XCTAssertFalse(Heatmap.colorIsAvailable(environment: ["TERM": "xterm-256color", "NO_COLOR": "1"], isTerminal: true))
        XCTAssertFalse(Heatmap.colorIsAvailable(environment: ["TERM": "dumb"], isTerminal: true))
        XCTAssertFalse(Heatmap.colorIsAvailable(environment: ["TERM": "xterm"], isTerminal: false))   // piped to a file
    }
}
