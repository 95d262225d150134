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

let package = Package(
    name: "GPTFromScratch",
    products: [
        .library(name: "NDArray", targets: ["NDArray"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Backprop", targets: ["Backprop"]),
        .library(name: "GPT", targets: ["GPT"]),
        .executable(name: "walkthrough", targets: ["walkthrough"]),
        .executable(name: "bench", targets: ["bench"]),
    ],
    targets: [
        .target(name: "NDArray"),
        .target(name: "NN", dependencies: ["NDArray"]),
        .target(name: "Backprop", dependencies: ["NDArray", "NN"]),
        .target(name: "GPT", dependencies: ["NDArray", "NN", "Backprop"]),
        .executableTarget(
            name: "walkthrough",
            dependencies: ["NDArray", "NN", "Backprop", "GPT"],
            path: "Sources/Walkthrough"),
        .executableTarget(
            name: "bench",
            dependencies: ["NDArray"],
            path: "Sources/Benchmarks"),
        .testTarget(
            name: "NDArrayTests",
            dependencies: ["NDArray"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "NNTests", dependencies: ["NN"]),
        .testTarget(name: "BackpropTests", dependencies: ["Backprop"]),
        .testTarget(name: "GPTTests", dependencies: ["GPT"]),
    ],
    swiftLanguageModes: [.v6]
)
