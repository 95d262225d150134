// LoaderFuzzTests.swift — thousands of damaged files for every loader: each one loads, or throws
// the loader's own error type, within a time bound. Nothing traps, nothing hangs.
//
//   loader                 file it is fed                         the call
//   npy                    a .npy fixture                         AnyNDArray(npyData:)
//   safetensors            the tiny GPT-2's weights               SafeTensorsFile(data:), every tensor read
//   huggingface-folder     config.json + model.safetensors        GPTModel.load(from:)
//   checkpoint-folder      our config.json + model.safetensors    GPTModel.load(from:)
//   training-checkpoint    training.safetensors (metadata JSON)   Trainer.resume(from:data:), then one step
//   bpe                    vocab.json + merges.txt                BPETokenizer(directory:), encode, decode
//   char-tokenizer         the character vocabulary's JSON        CharTokenizer(contentsOf:), encode, decode
//
// The mutations are seeded, so every run tries the same files: bit flips (mostly in
// the header), truncations, bytes set to JSON's punctuation, bytes inserted or
// removed, length fields set to 0, ±1 or huge, JSON values replaced by another
// type or a huge, negative or overflowing number (inside the safetensors header
// too, with its length fixed up so that the edit reaches the checks behind the
// JSON), numbers inside the checkpoint's metadata strings replaced the same way.
//
//   LOADER_FUZZ_CASES=20000   cases per loader (default 3000: the whole test in under a minute)
//   LOADER_FUZZ_TRACE=1       print each case before it runs (the last line names a crash)
//   LOADER_FUZZ_ONLY=bpe      one loader only;  LOADER_FUZZ_FROM=N  start at case N (to go on after a crash)
//   LOADER_FUZZ_SCRATCH=DIR   work in DIR (kept), so that a crashing case's damaged file can be copied
//
// A file that ever crashed or hung goes into Fixtures/fuzz-regressions/<loader>/<case>/,
// where testEveryRegressionStaysFixed loads it on every run.

import Foundation
@testable import GPT
import NDArray
import NN
import XCTest

/// How one case ended.
enum FuzzOutcome: Equatable {
    case loaded
    case refused(String)          // the loader's own error type
    case untyped(String)          // any other error: a defect (it should be typed)
    case hung
}

/// One loader: its files, and the call that loads them.
struct FuzzLoader {
    var name: String
    /// The loader's files, by name (one file for npy, safetensors and the character tokenizer).
    var files: [String: [UInt8]]
    /// Loads `folder` (holding `files`, one of them damaged); throws what the loader throws.
    var load: @Sendable (URL) throws -> Void
    /// Whether an error is of the loader's own types.
    var isTyped: @Sendable (any Error) -> Bool
}

/// Seeded damage to one file.
struct Mutator {
    var rng: SeededGenerator

    static let values = ["null", "true", "false", "0", "-1", "1", "2.0", "1.5", "\"100\"", "\"x\"", "[]", "{}",
                         "9223372036854775807", "9223372036854775808", "-9223372036854775808", "18446744073709551616",
                         "1e308", "1e-320", "2147483648", "16777216", "1099511627776", "4294967296", "[2.0, 3.0]"]
    static let numbers = ["0", "-1", "1", "2", "3", "2147483648", "16777216", "1099511627776", "9223372036854775807",
                          "9223372036854775808", "-9223372036854775808", "18446744073709551615", "1e308", "0.5", "-0"]
    static let punctuation = Array("{}[]\",:09-.entf\\ ".utf8) + [0, 0xFF, 0xEF, 0x0A]

    mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next(below: UInt64(items.count)))] }
    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next(below: UInt64(n))) }

    /// Where a file's header ends (the part most damage goes to), and where its length field is.
    static func layout(_ name: String, _ bytes: [UInt8]) -> (headerEnd: Int, lengthField: (at: Int, size: Int)?) {
        if name.hasSuffix(".safetensors"), bytes.count >= 8 {
            let length = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
            return (min(bytes.count, 8 + length), (0, 8))
        }
        if name.hasSuffix(".npy"), bytes.count >= 10 {
            return (min(bytes.count, 10 + Int(bytes[8]) + Int(bytes[9]) << 8), (8, 2))
        }
        return (bytes.count, nil)                                        // text: all of it is header
    }

    /// `bytes` damaged one way, and a description of the damage.
    mutating func mutate(_ name: String, _ bytes: [UInt8]) -> ([UInt8], String) {
        var bytes = bytes
        let (headerEnd, lengthField) = Self.layout(name, bytes)
        func headerPosition(_ m: inout Mutator) -> Int {
            m.below(4) < 3 ? m.below(headerEnd) : m.below(bytes.count)
        }
        func setLength(_ value: UInt64) {
            guard let (at, size) = lengthField else { return }
            for i in 0..<size { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        }
        let textStart = lengthField.map { $0.at + $0.size } ?? 0
        switch below(7) {
        case 0:
            var flipped: [Int] = []
            for _ in 0...below(4) {
                let at = headerPosition(&self)
                bytes[at] ^= 1 << UInt8(below(8))
                flipped.append(at)
            }
            return (bytes, "bits flipped at \(flipped)")
        case 1:
            let length = below(bytes.count)
            return (Array(bytes.prefix(length)), "truncated to \(length) bytes")
        case 2:
            let at = headerPosition(&self), byte = pick(Self.punctuation)
            bytes[at] = byte
            return (bytes, "byte \(at) set to 0x\(String(byte, radix: 16))")
        case 3:
            let at = max(textStart, headerPosition(&self)), count = 1 + below(8)
            if below(2) == 0 {
                bytes.removeSubrange(at..<min(bytes.count, at + count))
                return (bytes, "\(count) bytes removed at \(at)")
            }
            bytes.insert(contentsOf: (0..<count).map { _ in pick(Self.punctuation) }, at: at)
            return (bytes, "\(count) bytes inserted at \(at)")
        case 4 where lengthField != nil:
            let actual = UInt64(headerEnd - textStart)
            let value = pick([0, 1, actual - 1, actual + 1, UInt64(bytes.count), 1 << 31, 1 << 63, UInt64.max, actual * 2])
            setLength(value)
            return (bytes, "length field set to \(value)")
        case 5, 4:
            // A JSON value (or, in a .npy header, a Python literal) replaced by another type or size.
            return replaceToken(bytes, textStart: textStart, headerEnd: headerEnd, pattern: Self.tokenPattern,
                                with: pick(Self.values))
        default:
            // A number anywhere in the header, inside strings too (the checkpoint's metadata is JSON in a string).
            return replaceToken(bytes, textStart: textStart, headerEnd: headerEnd, pattern: Self.numberPattern,
                                with: pick(Self.numbers))
        }
    }

    static let tokenPattern = try! NSRegularExpression(pattern: #"-?\d+(\.\d+)?([eE][+-]?\d+)?|"(?:[^"\\]|\\.)*"|'[^']*'|true|false|null|True|False"#)
    static let numberPattern = try! NSRegularExpression(pattern: #"-?\d+(\.\d+)?([eE][+-]?\d+)?"#)

    mutating func replaceToken(_ bytes: [UInt8], textStart: Int, headerEnd: Int, pattern: NSRegularExpression,
                               with value: String) -> ([UInt8], String) {
        let header = String(decoding: bytes[textStart..<headerEnd], as: UTF8.self)
        let utf16 = NSString(string: header)
        let matches = pattern.matches(in: header, range: NSRange(location: 0, length: utf16.length))
        guard !matches.isEmpty else { return (bytes, "unchanged (no value to replace)") }
        let match = matches[below(matches.count)]
        let old = utf16.substring(with: match.range)
        let edited = Array(utf16.replacingCharacters(in: match.range, with: value).utf8)
        var result = Array(bytes[..<textStart]) + edited + Array(bytes[headerEnd...])
        let keepLength = below(4) == 0                                   // mostly fixed up, sometimes left stale
        if !keepLength, textStart > 0 {
            var copy = result
            let newLength = UInt64(edited.count)
            let size = textStart == 8 ? 8 : 2
            guard size == 8 || newLength < 65536 else { return (result, "value \(old) → \(value)") }
            for i in 0..<size { copy[textStart - size + i] = UInt8(truncatingIfNeeded: newLength >> (8 * UInt64(i))) }
            result = copy
        }
        return (result, "value \(old.prefix(40)) → \(value)" + (keepLength ? " (length left stale)" : ""))
    }
}

final class LoaderFuzzTests: XCTestCase {
    static let casesPerLoader = Int(ProcessInfo.processInfo.environment["LOADER_FUZZ_CASES"] ?? "") ?? 3000
    static let environment = ProcessInfo.processInfo.environment
    static let trace = environment["LOADER_FUZZ_TRACE"] == "1"
    /// A load that takes longer than this is a hang (each file here is under 200 KB).
    static let timeBound: DispatchTimeInterval = .seconds(20)

    /// Every loader, with its undamaged files.
    static func loaders(scratch: URL) throws -> [FuzzLoader] {
        func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: fixtureURL(path))) }
        func files(in folder: URL) throws -> [String: [UInt8]] {
            var result: [String: [UInt8]] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                result[name] = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
            }
            return result
        }
        let checkpointTyped: @Sendable (any Error) -> Bool = {
            $0 is CheckpointError || $0 is SafeTensorsError || $0 is TrainingError
        }
        // Our checkpoint folder and a training run, made here.
        let native = scratch.appendingPathComponent("native-base"), training = scratch.appendingPathComponent("training-base")
        try smallModel().save(to: native)
        let tokens = (0..<400).map { $0 % 7 == 6 ? 10 + $0 % 3 : $0 % 10 }
        let data = try TokenDataset(tokens: tokens, contextLength: 8)
        var rng = SeededGenerator(seed: 3)
        let model = GPTModel<Float>(config: GPTConfig(vocabSize: 13, maxSeqLen: 8, numLayers: 1, numHeads: 2, hiddenDim: 8,
                                                      dropout: 0.1), using: &rng)
        var config = TrainingConfig(steps: 2, batchSize: 2, contextLength: 8, schedule: .constant(1e-3))
        config.evalEvery = 0
        let trainer = Trainer(model: model, data: data, config: config)
        try trainer.run(checkpointDirectory: training, log: { _ in })
        let characters = CharTokenizer(text: "hello, world\n")
        let charFile = scratch.appendingPathComponent("chars.json")
        try characters.write(to: charFile)

        return [
            FuzzLoader(name: "npy", files: ["a.npy": try read("gpt2_tiny/logits.npy")],
                       load: { folder in _ = try AnyNDArray(npyData: Data(contentsOf: folder.appendingPathComponent("a.npy"))) },
                       isTyped: { $0 is NPYError }),
            FuzzLoader(name: "safetensors", files: ["model.safetensors": try read("gpt2_tiny/model.safetensors")],
                       load: { folder in
                           let file = try SafeTensorsFile(data: Data(contentsOf: folder.appendingPathComponent("model.safetensors")))
                           for name in file.names {
                               if file.tensors[name]!.dtype.isFloatingPoint { _ = try file.array(name, as: Float.self) }
                               else { _ = try file.integerArray(name) }
                           }
                       },
                       isTyped: { $0 is SafeTensorsError }),
            FuzzLoader(name: "huggingface-folder",
                       files: ["config.json": try read("gpt2_tiny/config.json"),
                               "model.safetensors": try read("gpt2_tiny/model.safetensors")],
                       load: { folder in _ = try GPTModel<Float>.load(from: folder) }, isTyped: checkpointTyped),
            FuzzLoader(name: "checkpoint-folder", files: try files(in: native),
                       load: { folder in _ = try GPTModel<Float>.load(from: folder) }, isTyped: checkpointTyped),
            FuzzLoader(name: "training-checkpoint",
                       files: [Trainer<Float>.checkpointFileName: Array(try Data(contentsOf: training.appendingPathComponent(Trainer<Float>.checkpointFileName)))],
                       load: { folder in
                           let resumed = try Trainer<Float>.resume(from: folder, data: data)
                           let c = resumed.config
                           // One step, when it is small enough to be quick: a step count or an optimizer
                           // step near Int.max once trapped there.
                           if c.batchSize * c.contextLength * c.gradientAccumulation <= 4096 && resumed.step < c.steps {
                               try resumed.takeStep()
                           }
                       }, isTyped: checkpointTyped),
            FuzzLoader(name: "bpe", files: ["vocab.json": try read("tokenizer/vocab.json"), "merges.txt": try read("tokenizer/merges.txt")],
                       load: { folder in
                           let tokenizer = try BPETokenizer(directory: folder, specialTokens: [])
                           _ = try tokenizer.decode(tokenizer.encode("Hello, world! Ġ the café"))
                       }, isTyped: { $0 is TokenizerError }),
            FuzzLoader(name: "char-tokenizer", files: ["chars.json": Array(try Data(contentsOf: charFile))],
                       load: { folder in
                           let tokenizer = try CharTokenizer(contentsOf: folder.appendingPathComponent("chars.json"))
                           _ = try? tokenizer.decode(tokenizer.encode("hello"))
                       }, isTyped: { $0 is TokenizerError }),
        ]
    }

    /// Runs `load` on `folder` with a time bound.
    static func outcome(_ loader: FuzzLoader, _ folder: URL) -> FuzzOutcome {
        final class Box: @unchecked Sendable { var outcome = FuzzOutcome.hung }
        let box = Box(), done = DispatchSemaphore(value: 0)
        let load = loader.load, isTyped = loader.isTyped
        Thread.detachNewThread {
            do {
                try load(folder)
                box.outcome = .loaded
            } catch {
                box.outcome = isTyped(error) ? .refused("\(type(of: error))") : .untyped("\(type(of: error)): \(error)")
            }
            done.signal()
        }
        return done.wait(timeout: .now() + timeBound) == .timedOut ? .hung : box.outcome
    }

    func testEveryDamagedFileLoadsOrThrowsItsLoadersErrorInTime() throws {
        let kept = Self.environment["LOADER_FUZZ_SCRATCH"].map { URL(fileURLWithPath: $0) }
        let scratch = kept ?? FileManager.default.temporaryDirectory.appendingPathComponent("loader-fuzz-\(UUID())")
        defer { if kept == nil { try? FileManager.default.removeItem(at: scratch) } }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let first = Int(Self.environment["LOADER_FUZZ_FROM"] ?? "") ?? 0
        var summary: [String] = []
        for (index, loader) in try Self.loaders(scratch: scratch).enumerated()
        where Self.environment["LOADER_FUZZ_ONLY"].map({ $0 == loader.name }) ?? true {
            let folder = scratch.appendingPathComponent(loader.name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, bytes) in loader.files { try Data(bytes).write(to: folder.appendingPathComponent(name)) }
            XCTAssertEqual(Self.outcome(loader, folder), .loaded, "\(loader.name): the undamaged files must load")
            var mutator = Mutator(rng: SeededGenerator(seed: 0xF022 &+ UInt64(index)))
            var counts: [String: Int] = [:]
            let names = loader.files.keys.sorted()
            for number in 0..<Self.casesPerLoader {
                let name = mutator.pick(names)
                let (damaged, what) = mutator.mutate(name, loader.files[name]!)
                if number < first { continue }
                if Self.trace { print("\(loader.name) case \(number): \(name): \(what)"); fflush(nil) }
                try Data(damaged).write(to: folder.appendingPathComponent(name))
                let outcome = Self.outcome(loader, folder)
                switch outcome {
                case .loaded: counts["loaded", default: 0] += 1
                case .refused: counts["refused", default: 0] += 1
                case .untyped(let message):
                    counts["untyped", default: 0] += 1
                    XCTFail("\(loader.name) case \(number) (\(name): \(what)): an error of no loader type: \(message)")
                case .hung:
                    counts["hung", default: 0] += 1
                    XCTFail("\(loader.name) case \(number) (\(name): \(what)): no answer within the time bound")
                }
                try Data(loader.files[name]!).write(to: folder.appendingPathComponent(name))     // undamaged again
            }
            summary.append("\(loader.name): \(Self.casesPerLoader) files, \(counts["refused", default: 0]) refused, "
                           + "\(counts["loaded", default: 0]) loaded, \(counts["untyped", default: 0]) untyped errors, "
                           + "\(counts["hung", default: 0]) hangs")
            if first == 0 {
                XCTAssertGreaterThan(counts["refused", default: 0], Self.casesPerLoader / 5, "\(loader.name): too little damage is seen")
            }
        }
        print(summary.joined(separator: "\n"))
    }

    /// Every file that once crashed or hung a loader: Fixtures/fuzz-regressions/<loader>/<case>/ holds
    /// the loader's files with the damage in them.
    func testEveryRegressionStaysFixed() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("loader-regressions-\(UUID())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let root = fixtureURL("fuzz-regressions")
        let loaders = Dictionary(uniqueKeysWithValues: try Self.loaders(scratch: scratch).map { ($0.name, $0) })
        var checked = 0
        for loaderName in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() where loaders[loaderName] != nil {
            let loader = loaders[loaderName]!
            let cases = root.appendingPathComponent(loaderName)
            for caseName in try FileManager.default.contentsOfDirectory(atPath: cases.path).sorted() {
                // The loader's undamaged files, with the case's files over them.
                let folder = scratch.appendingPathComponent("\(loaderName)-\(caseName)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for (name, bytes) in loader.files { try Data(bytes).write(to: folder.appendingPathComponent(name)) }
                let source = cases.appendingPathComponent(caseName)
                for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name != "README" {
                    try Data(contentsOf: source.appendingPathComponent(name)).write(to: folder.appendingPathComponent(name))
                }
                switch Self.outcome(loader, folder) {
                case .loaded, .refused: checked += 1
                case let other: XCTFail("\(loaderName)/\(caseName): \(other)")
                }
            }
        }
        XCTAssertGreaterThan(checked, 0)
    }
}
