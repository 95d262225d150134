// PercentFormatTests.swift — how a lesson's source becomes cells, and cells the rendered copies.
//
// After reading this file you should know the lesson format's rules (prose cells are
// comments; every code cell that does more than import starts with `cell()`), which
// mistakes it refuses and how, and exactly what the Markdown and notebook copies hold.

import Foundation
import Notebook
import XCTest

final class PercentFormatTests: XCTestCase {
    let lesson = """
        // %% [markdown]
        // # Lesson 0 · A title
        //
        // Some *prose*.

        // %%
        import NDArray

        // %% [markdown]
        // ## A section

        // %%
        cell()
        let x = 1
        print(x)

        """

    func testProseCodeAndTheCellLine() throws {
        let cells = try parseLesson(lesson)
        XCTAssertEqual(cells.map(\.kind), [.markdown, .code, .markdown, .code])
        XCTAssertEqual(cells[0].lines, ["# Lesson 0 · A title", "", "Some *prose*."])
        XCTAssertEqual(cells[1].lines, ["import NDArray"])
        XCTAssertFalse(cells[1].marksOutput)
        XCTAssertEqual(cells[3].lines, ["let x = 1", "print(x)"], "cell() is left out of the shown code")
        XCTAssertTrue(cells[3].marksOutput)
        XCTAssertEqual(cells[3].sourceLines, 12...16)
        XCTAssertEqual(codeCellIndex(cells, containingLine: 13), 3)
        XCTAssertNil(codeCellIndex(cells, containingLine: 10), "line 10 is prose")
        XCTAssertEqual(cells[0].headings.map(\.level), [1])
        XCTAssertEqual(cells[2].headings.map(\.text), ["A section"])
    }

    func testMistakesAreRefusedWithTheirLine() {
        func error(_ source: String) -> String {
            do { _ = try parseLesson(source, file: "x.swift"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(error("let x = 1\n"), "x.swift:1: a lesson starts with a `// %% [markdown]` cell")
        XCTAssertEqual(error("// %%\ncell()\n"), "x.swift:1: a lesson starts with a `// %% [markdown]` cell")
        XCTAssertEqual(error("// %% [markdown]\n// # T\nlet x = 1\n"),
                       "x.swift:3: a prose cell holds comments only; start a code cell with `// %%` first")
        XCTAssertEqual(error("// %% [markdown]\n// # T\n// %%\nprint(1)\n"),
                       "x.swift:3: this code cell does more than import: start it with `cell()`, so its output is shown under it")
        XCTAssertEqual(error("// %% [markdown]\n// # T\n// %%\nlet a = 1\ncell()\n"),
                       "x.swift:5: `cell()` comes once, as the first line of its code cell")
    }

    func testMarkdownCopyPutsEachOutputUnderItsCode() throws {
        var cells = try parseLesson(lesson)
        cells[3].output = ["1", "⏱ 2.0 ms"]
        XCTAssertEqual(renderMarkdown(cells, source: "00-title.swift"), """
            <!-- Rendered from ../00-title.swift by `swift run -c release lesson render`: edit the lesson, not this copy. \
            Lines that start with ⏱ were measured on the machine that rendered it. -->

            # Lesson 0 · A title

            Some *prose*.

            ```swift
            import NDArray
            ```

            ## A section

            ```swift
            let x = 1
            print(x)
            ```

            ```text
            1
            ⏱ 2.0 ms
            ```

            """)
    }

    func testNotebookCopyIsJupyterJSONWithTheOutputs() throws {
        var cells = try parseLesson(lesson)
        cells[3].output = ["1", "a \"quoted\" \\ tab\t"]
        let json = try JSONSerialization.jsonObject(with: Data(renderNotebook(cells).utf8)) as! [String: Any]
        XCTAssertEqual(json["nbformat"] as? Int, 4)
        let jsonCells = json["cells"] as! [[String: Any]]
        XCTAssertEqual(jsonCells.map { $0["cell_type"] as! String }, ["markdown", "code", "markdown", "code"])
        XCTAssertEqual(jsonCells[0]["source"] as! [String], ["# Lesson 0 · A title\n", "\n", "Some *prose*."])
        XCTAssertEqual(jsonCells[3]["execution_count"] as? Int, 2)
        let outputs = jsonCells[3]["outputs"] as! [[String: Any]]
        XCTAssertEqual(outputs.count, 1)
        XCTAssertEqual(outputs[0]["output_type"] as? String, "stream")
        XCTAssertEqual(outputs[0]["text"] as! [String], ["1\n", "a \"quoted\" \\ tab\t"])
        XCTAssertEqual((jsonCells[1]["outputs"] as! [Any]).count, 0, "a cell that prints nothing has no outputs")
    }
}
