// Presenter.swift — how the tour talks: titles, text, code, and the pause
// between steps.
//
// On a terminal the tour waits after each step: Enter goes on, q quits.
// With --no-pause, or when the output is not a terminal (a pipe, a file, CI),
// it runs straight through.

import Foundation

/// Prints the tour and pauses between its steps.
struct Presenter {
    /// Whether to wait for Enter after each step.
    let pauses: Bool
    /// The run's seed (--seed): the chapters' training data, weights and samples.
    let seed: UInt64

    init(noPause: Bool, seed: UInt64) {
        pauses = !noPause && isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0
        self.seed = seed
    }

    /// A chapter heading.
    func chapter(_ number: Int, _ title: String) {
        let heading = "Chapter \(number): \(title)"
        print("\n" + heading)
        print(String(repeating: "=", count: heading.count))
    }

    /// A step heading.
    func step(_ title: String) {
        print("\n── \(title) " + String(repeating: "─", count: max(3, 70 - title.count)))   // a long title keeps a rule
    }

    /// A paragraph of explanation.
    func say(_ text: String) {
        print(text)
    }

    /// A line of Swift, as the reader would type it, followed by what it printed.
    func code(_ line: String, _ result: Any? = nil) {
        print("  > " + line)
        if let result {
            for resultLine in "\(result)".split(separator: "\n", omittingEmptySubsequences: false) {
                print("    " + resultLine)
            }
        }
    }

    /// Waits for Enter on a terminal; q (or the end of input) ends the tour.
    func pause() {
        guard pauses else { return }
        print("\n[Enter: next step · q: quit] ", terminator: "")
        fflush(nil)  // show the prompt before waiting
        guard let answer = readLine(), answer.trimmingCharacters(in: .whitespaces).lowercased() != "q" else {
            print("")
            exit(0)
        }
    }
}
