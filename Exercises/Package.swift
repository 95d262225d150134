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
// The exercises are the folders Sources/NN-name, in order, listed below; the
// runner finds the same folders.

import Foundation
import PackageDescription

let here = URL(fileURLWithPath: Context.packageDirectory)
/// The project, beside this folder (or where GPTFROMSCRATCH_PATH says: CI checks a copy of the course).
let projectPath = ProcessInfo.processInfo.environment["GPTFROMSCRATCH_PATH"] ?? ".."
/// SwiftPM names a path dependency after its folder.
let project = (projectPath == ".." ? here.deletingLastPathComponent() : URL(fileURLWithPath: projectPath)).lastPathComponent
/// The exercises, in order: each a folder Sources/NN-name (SwiftPM caches this manifest, so the
/// list is written out; scripts/check_exercises.sh checks that it names every folder).
let folders = [
    "01-strides", "02-reshape-view", "03-transpose", "04-broadcasting", "05-sum-axis", "06-matmul-loops",
    "07-softmax", "08-layer-norm", "09-gelu-tanh", "10-causal-mask", "11-linear", "12-embedding",
    "13-sinusoidal-positions", "14-rotary-positions", "15-attention", "16-heads", "17-multi-head-attention",
    "18-feed-forward", "19-transformer-block", "20-gpt-forward", "21-cross-entropy", "22-sampling",
    "23-kv-cache", "24-bpe", "25-cross-entropy-backward", "26-linear-backward", "27-softmax-backward",
    "28-layer-norm-backward", "29-attention-backward", "30-gradient-check", "31-sgd-adamw",
    "32-warmup-cosine", "33-overfit-one-batch",
]
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
