// swift-tools-version: 6.2
//
// GPTFromScratch: an educational, NumPy-style array framework in pure Swift,
// with a GPT built on top. The modules form a stack, each depending only on
// the ones above it:
//
//   NDArray → NN → Backprop → GPT → walkthrough
//
// No package dependencies: the standard library, Foundation, Dispatch,
// XCTest and Swift Testing only.

import PackageDescription

// Native speed by default: the NativeCPU trait, on unless disabled, compiles every target for
// the building machine's CPU (`-target-cpu native`): fused multiply-adds and the CPU's widest
// vectors (AVX2 or AVX-512 on x86-64; arm64 always has FMA). A portable build, for a binary
// that must run on other x86-64 CPUs, leaves the trait out: `swift build -c release
// --disable-default-traits`, or as a dependency `.package(url: …, from: …, traits: [])`.
// See docs/Performance.md.
let nativeCPU: [SwiftSetting] = [
    .define("NDARRAY_NATIVE_FMA", .when(traits: ["NativeCPU"])),
    .unsafeFlags(["-target-cpu", "native"], .when(traits: ["NativeCPU"])),
]

// The notebooks: one executable per lesson (lesson01 …), each a single file of Notebooks/ in
// the percent format, and the `lesson` command that runs them and renders their copies
// (docs/Notebooks.md).
let lessons = [
    "01-arrays", "02-broadcasting", "03-matmul", "04-softmax-and-norms", "05-tokens",
    "06-embeddings-and-positions", "07-attention", "08-transformer-block", "09-sampling", "10-kv-cache",
    "11-backprop", "12-training", "13-gpt2", "14-encoder-decoder",
]
let lessonTargets: [Target] = lessons.map { lesson in
    .executableTarget(
        name: "lesson" + lesson.prefix(2),
        dependencies: ["NDArray", "NN", "Backprop", "GPT", "Notebook"],
        path: "Notebooks",
        exclude: ["Rendered", "README.md"] + lessons.filter { $0 != lesson }.map { $0 + ".swift" },
        sources: [lesson + ".swift"],
        swiftSettings: nativeCPU)
}

let package = Package(
    name: "GPTFromScratch",
    products: [
        .library(name: "NDArray", targets: ["NDArray"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Backprop", targets: ["Backprop"]),
        .library(name: "GPT", targets: ["GPT"]),
        .executable(name: "walkthrough", targets: ["walkthrough"]),
        .executable(name: "bench", targets: ["bench"]),
        .executable(name: "lesson", targets: ["lesson"]),
        .library(name: "Notebook", targets: ["Notebook"]),
    ],
    traits: [
        .trait(name: "NativeCPU",
               description: "Compile for the building machine's CPU (-target-cpu native), with fused "
                   + "multiply-adds and its widest vectors: full kernel speed. On by default; the "
                   + "binaries then need a CPU like the one that built them."),
        .default(enabledTraits: ["NativeCPU"]),
    ],
    targets: [
        .target(name: "NDArray", swiftSettings: nativeCPU),
        .target(name: "NN", dependencies: ["NDArray"], swiftSettings: nativeCPU),
        .target(name: "Backprop", dependencies: ["NDArray", "NN"], swiftSettings: nativeCPU),
        .target(name: "GPT", dependencies: ["NDArray", "NN", "Backprop"], swiftSettings: nativeCPU),
        .executableTarget(
            name: "walkthrough",
            dependencies: ["NDArray", "NN", "Backprop", "GPT"],
            path: "Sources/Walkthrough",
            swiftSettings: nativeCPU),
        .executableTarget(
            name: "bench",
            dependencies: ["NDArray", "NN", "Backprop", "GPT"],
            path: "Sources/Benchmarks",
            swiftSettings: nativeCPU),
        // What a lesson calls (cell(), printMeasured) and the percent format's reader and renderers.
        .target(name: "Notebook"),
        // `lesson 07`, `lesson render`, `lesson check`; depending on the lessons makes it build them.
        .executableTarget(
            name: "lesson",
            dependencies: ["Notebook"] + lessons.map { .target(name: "lesson" + $0.prefix(2)) },
            path: "Sources/LessonRunner"),
        // What every test target shares: assertClose and friends, and .npy fixture loading.
        .target(name: "TestSupport", dependencies: ["NDArray"], path: "Tests/TestSupport"),
        .testTarget(
            name: "NDArrayTests",
            dependencies: ["NDArray", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "NNTests",
            dependencies: ["NN", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "BackpropTests",
            dependencies: ["Backprop", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "GPTTests",
            dependencies: ["GPT", "Backprop", "TestSupport"],
            resources: [.copy("Fixtures")]),
        // Runs the built walkthrough binary end to end (the dependency makes `swift test` build it).
        .testTarget(name: "NotebookTests", dependencies: ["Notebook"]),
        .testTarget(
            name: "WalkthroughTests",
            dependencies: ["walkthrough", "GPT", "NDArray"]),
    ] + lessonTargets,
    swiftLanguageModes: [.v6]
)
