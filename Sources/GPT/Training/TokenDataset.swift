// TokenDataset.swift — a token stream cut into training and validation parts, and random windows from each.
//
//   tokens:      t₀ t₁ t₂ … t_{n−1}
//   split:       train = the first 90%        validation = the last 10%       (no token in both)
//   one window:  i ~ uniform in 0 ..< count − T
//                x = part[i ..< i + T]        y = part[i + 1 ... i + T]       (y is x shifted by one)
//
// nanoGPT's get_batch: B windows at random starting points, each target the
// token after its input. The split is a cut, not a shuffle, so no validation
// window overlaps the training text; the starting points come from the
// caller's seeded generator, so the same seed gives the same batches anywhere.
//
// Depends on: NDArray (SeededGenerator), TrainingConfig.swift (TrainingError).

import NDArray

/// A token stream split into training and validation parts.
public struct TokenDataset: Sendable {
    /// Which part of the stream.
    public enum Split: String, Sendable, Codable {
        case train, validation
    }

    /// The first part of the stream.
    public let train: [Int]
    /// The last part of the stream (after every training token).
    public let validation: [Int]

    /// Splits `tokens` at `1 − validationFraction`: nanoGPT's 90/10 with the default.
    /// - Throws: `TrainingError.notEnoughTokens` when either part cannot hold one window of `contextLength` + 1
    public init(tokens: [Int], validationFraction: Double = 0.1, contextLength: Int) throws {
        precondition((0..<1).contains(validationFraction), "TokenDataset: validationFraction must be in [0, 1), got \(validationFraction)")
        let cut = Int(Double(tokens.count) * (1 - validationFraction))
        self.train = Array(tokens[..<cut])
        self.validation = Array(tokens[cut...])
        for (split, part) in [(Split.train, train), (.validation, validation)] where part.count <= contextLength
            && !(split == .validation && validationFraction == 0) {
            let needed = contextLength < Int.max ? contextLength + 1 : Int.max      // a size read from a file can be anything
            throw TrainingError.notEnoughTokens(split: split.rawValue, count: part.count, needed: needed)
        }
    }

    /// The tokens of `split`.
    public subscript(split: Split) -> [Int] { split == .train ? train : validation }

    /// `batchSize` random windows of `split`.
    /// - Returns: inputs [B, T] and targets [B, T] (each the input's next token)
    public func batch(_ split: Split, batchSize: Int, contextLength: Int,
                      using generator: inout SeededGenerator) -> (inputs: NDArray<Int>, targets: NDArray<Int>) {
        let part = self[split]
        precondition(part.count > contextLength,
                     "TokenDataset.batch: the \(split.rawValue) part has \(part.count) tokens, a window needs \(contextLength + 1)")
        var inputs: [Int] = [], targets: [Int] = []
        inputs.reserveCapacity(batchSize * contextLength)
        targets.reserveCapacity(batchSize * contextLength)
        for _ in 0..<batchSize {
            let start = Int(generator.next(below: UInt64(part.count - contextLength)))
            inputs += part[start ..< start + contextLength]
            targets += part[start + 1 ... start + contextLength]
        }
        return (NDArray(shape: [batchSize, contextLength], scalars: inputs),
                NDArray(shape: [batchSize, contextLength], scalars: targets))
    }
}
