// swift-tools-version: 6.2
//
// The course: exercises a learner writes, each checked against the library.
//
//   cd Exercises && swift run exercises        the list, your progress, and what to do next
//
// A package of its own, depending on the project by path: a half-written
// exercise can never break the project's build or its `swift test`, and each
// exercise is a target of its own, so one that does not compile yet does not
// stop the others from running (docs/Exercises.md says more).
//
// The exercises are the folders Sources/NN-name, in order; adding a folder adds
// an exercise (this manifest and the runner both list them).

import Foundation
import PackageDescription

let here = URL(fileURLWithPath: Context.packageDirectory)
/// The project, beside this folder (or where GPTFROMSCRATCH_PATH says: CI checks a copy of the course).
let projectPath = ProcessInfo.processInfo.environment["GPTFROMSCRATCH_PATH"] ?? ".."
/// SwiftPM names a path dependency after its folder.
let project = (projectPath == ".." ? here.deletingLastPathComponent() : URL(fileURLWithPath: projectPath)).lastPathComponent
let folders = ((try? FileManager.default.contentsOfDirectory(atPath: here.appendingPathComponent("Sources").path)) ?? [])
    .filter { $0.range(of: #"^[0-9]{2}-[a-z0-9-]+$"#, options: .regularExpression) != nil }
    .sorted()
let library: [Target.Dependency] = ["NDArray", "NN", "Backprop", "GPT"].map { .product(name: $0, package: project) }

let package = Package(
    name: "Exercises",
    products: [.executable(name: "exercises", targets: ["exercises"])],
    dependencies: [.package(path: projectPath)],
    targets: [
        // The checks' shared voice: comparing with the reference, naming the case, the index and the hint.
        .target(name: "CourseKit", dependencies: library),
        // The runner: list, next, check, hint, reset, solution, watch (Foundation only, so it builds at once).
        .executableTarget(name: "exercises"),
    ] + folders.map { folder in
        .executableTarget(name: "ex" + folder.replacingOccurrences(of: "-", with: "_"),
                          dependencies: ["CourseKit"] + library, path: "Sources/" + folder, exclude: ["Hints.md"])
    },
    swiftLanguageModes: [.v6]
)
