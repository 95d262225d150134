// Interrupts.swift — Ctrl-C during a long command: finish the step, save, then stop.
//
//   first Ctrl-C    the command is told (`interrupted()` turns true) and says what it will do;
//                   `train` finishes its step, writes a checkpoint and exits 130
//   second Ctrl-C   exits 130 at once (a checkpoint being written is left as it was: files are
//                   renamed into place whole, so the last complete checkpoint stays loadable)
//
// The signal is caught with a dispatch source rather than a C handler, so the
// code that runs on Ctrl-C is ordinary Swift on a queue of its own, not code
// restricted to what is safe inside a signal handler.
//
// Depends on: Dispatch, Foundation.

import Dispatch
import Foundation

/// How many times Ctrl-C was pressed, shared between the signal's queue and the command.
private final class PressCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    /// Adds `presses` and returns the new total.
    func add(_ presses: Int) -> Int { lock.withLock { count += presses; return count } }
    var total: Int { lock.withLock { count } }
}

/// Runs `body` with Ctrl-C caught: `body` polls `interrupted()` at safe points. The first press
/// prints `notice` to standard error; the second exits 130 at once.
func catchingInterrupts<T>(notice: String, _ body: (_ interrupted: () -> Bool) throws -> T) rethrows -> T {
    let presses = PressCount()
    signal(SIGINT, SIG_IGN)                                     // the dispatch source receives it instead
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "interrupts"))
    source.setEventHandler { [source] in
        if presses.add(max(1, Int(source.data))) >= 2 {
            FileHandle.standardError.write(Data("\nCtrl-C again: quitting now\n".utf8))
            _exit(130)
        }
        FileHandle.standardError.write(Data(("\n" + notice + "\n").utf8))
    }
    let registered = DispatchSemaphore(value: 0)
    source.setRegistrationHandler { registered.signal() }
    source.resume()
    registered.wait()                                           // no Ctrl-C falls between ignoring and catching it
    defer {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
    return try body { presses.total > 0 }
}
