// Layer.swift — what every layer in this module has: named parameters, a
// parameter count, a training flag, and seeded initialisation.
//
//   visitParameters(prefix:)  each parameter by its stable name, read or written in place
//   "blocks.0.attn.qkv.weight" a layer's own name for a parameter, after its parents' names
//   train() / eval()          switch dropout on and off, in the layer and everything inside it
//
// A layer lists its own parameters by hand, and calls its children's
// `visitParameters` with their names as a prefix: no reflection, no property
// wrappers, no registry. So a layer file can be copied out with this file,
// NDArray, and the files its header names under "Depends on" (scripts/check_copyable_layers.sh
// copies each layer with exactly those and builds it). Names follow PyTorch's `named_parameters()`:
// dotted paths, in the order the layer created them. Checkpoints, optimizers and the
// parameter table all walk the same list.
//
// Depends on: NDArray.
//
// Initialisation always takes an explicit `SeededGenerator`: one seed builds
// one model, bit for bit, on every platform.
//
// Shape legend (all files of this module): B batch, T sequence (Tq queries,
// Tk keys), C channels (hidden), NH heads, HS head size (C / NH), V vocabulary.
//
// Not here: gradients (the Backprop module), devices, dtype casts of a built layer.

import NDArray

/// A layer: a function of arrays with named parameters. PyTorch: `nn.Module`.
///
/// Each layer has `forward` and `callAsFunction`, but they are not requirements of the protocol:
/// layers take different inputs (token ids, one array, query/key/value and a mask).
public protocol Layer: AnyObject {
    /// The element type of the parameters and activations: Float, or Double for precise checks.
    associatedtype Scalar: NDFloatingPoint

    /// Calls `body` with each parameter's full name (`prefix` + its name) and its value,
    /// which `body` may replace or update in place (an optimizer step, a checkpoint load).
    /// The order is fixed: the order in which the layer created its parameters.
    func visitParameters(prefix: String, _ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows

    /// Whether the layer is training (dropout active) or evaluating (dropout the identity).
    /// Setting it sets it in every layer inside. PyTorch: `module.training`.
    var isTraining: Bool { get set }
}

extension Layer {
    /// Each parameter with its full name, in order. PyTorch: `dict(module.named_parameters())`.
    public var namedParameters: [(name: String, value: NDArray<Scalar>)] {
        var result: [(name: String, value: NDArray<Scalar>)] = []
        visitParameters(prefix: "") { name, value in result.append((name, value)) }
        return result
    }

    /// The number of parameters (elements, not arrays). PyTorch: `sum(p.numel() for p in m.parameters())`.
    public var parameterCount: Int {
        var count = 0
        visitParameters(prefix: "") { _, value in count += value.count }
        return count
    }

    /// The parameter called `name`, or nil.
    public func parameter(named name: String) -> NDArray<Scalar>? {
        var found: NDArray<Scalar>?
        visitParameters(prefix: "") { n, value in if n == name { found = value } }
        return found
    }

    /// Calls `body` with each parameter's name and value, to read or change in place.
    public func updateParameters(_ body: (String, inout NDArray<Scalar>) throws -> Void) rethrows {
        try visitParameters(prefix: "", body)
    }

    /// Puts the layer and everything in it in training mode (dropout on). PyTorch: `module.train()`.
    public func train() { isTraining = true }

    /// Puts the layer and everything in it in evaluation mode (dropout off). PyTorch: `module.eval()`.
    public func eval() { isTraining = false }
}

/// Stops the program with `operation: detail`: how every layer reports a programmer error
/// (a wrong shape, an id out of range), in the words of NDArray's messages.
@usableFromInline
func layerFailure(_ operation: String, _ detail: String) -> Never {
    fatalError("\(operation): \(detail)")
}

/// How a layer fills a weight when it is built. PyTorch: `torch.nn.init`.
public enum Initialization<Scalar: NDFloatingPoint>: Sendable {
    /// U(−a, a) with a = √(6 / (fanIn + fanOut)). PyTorch: `nn.init.xavier_uniform_`.
    case xavierUniform
    /// N(0, std²); GPT-2 uses std 0.02. PyTorch: `nn.init.normal_(w, 0, std)`.
    case normal(std: Scalar)
    /// U(−bound, bound). PyTorch: `nn.init.uniform_(w, -bound, bound)`.
    case uniform(bound: Scalar)
    /// All zeros. PyTorch: `nn.init.zeros_`.
    case zeros
    /// All ones. PyTorch: `nn.init.ones_`.
    case ones

    /// A new array of `shape` filled this way. For a weight [out, in], fanIn = in and fanOut = out;
    /// beyond two axes each is multiplied by the product of the rest (PyTorch's rule).
    @inlinable
    @_specialize(where Scalar == Float)
    public func makeArray(_ shape: [Int], using generator: inout SeededGenerator) -> NDArray<Scalar> {
        switch self {
        case .xavierUniform:
            if shape.count < 2 {
                layerFailure("Initialization.xavierUniform", "needs at least 2 axes ([out, in]), got shape \(shape)")
            }
            let receptive = shape.dropFirst(2).reduce(1, *)
            let fanOut = shape[0] * receptive, fanIn = shape[1] * receptive
            let bound = Scalar((6.0 / Double(Swift.max(fanIn + fanOut, 1))).squareRoot())
            return .uniform(shape, low: -bound, high: bound, using: &generator)
        case .normal(let std):
            return .normal(shape, std: std, using: &generator)
        case .uniform(let bound):
            return .uniform(shape, low: -bound, high: bound, using: &generator)
        case .zeros:
            return .zeros(shape)
        case .ones:
            return .ones(shape)
        }
    }
}

/// The first entry of `indices` outside 0..<count, with its multi-index, or nil when all are inside.
/// Embedding (token ids) and the position tables (positions) check their inputs with it.
@inlinable
func firstOutOfRange(_ indices: NDArray<Int>, count: Int) -> (value: Int, index: [Int])? {
    indices.contiguous().withUnsafeBufferPointer { buffer in
        buffer.firstIndex { $0 < 0 || $0 >= count }.map { (buffer[$0], position(of: $0, in: indices.shape)) }
    }
}

/// Traps unless every position is in 0..<maxSeqLen, naming the layer, the position and where it was.
@inlinable
func checkPositions(_ positions: NDArray<Int>, maxSeqLen: Int, _ layer: String) {
    if let (value, index) = firstOutOfRange(positions, count: maxSeqLen) {
        layerFailure(layer, "position \(value) at index \(index) is outside 0..<\(maxSeqLen) (maxSeqLen)")
    }
}

/// Traps unless positions `offset..<offset + seqLen` are in a table of `maxSeqLen`, naming the layer.
@inlinable
func checkPositions(offset: Int, seqLen: Int, maxSeqLen: Int, _ layer: String) {
    if seqLen < 0 || offset < 0 || offset + seqLen > maxSeqLen {
        layerFailure(layer, "positions \(offset)..<\(offset + seqLen) are outside the table of \(maxSeqLen) positions "
                        + "(maxSeqLen)")
    }
}

/// The multi-index of the `flat`-th element of an array of `shape` in row-major order: `[1, 3]`.
@usableFromInline
func position(of flat: Int, in shape: [Int]) -> [Int] {
    var rest = flat, index = [Int](repeating: 0, count: shape.count)
    for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
        index[axis] = rest % shape[axis]
        rest /= shape[axis]
    }
    return index
}
