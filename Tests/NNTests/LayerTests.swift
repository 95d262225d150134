// LayerTests.swift — what every layer shares: names, counts, modes, initialisation.
//
// After reading this file you should know how a model's parameters are found
// (`visitParameters`, by hand, each child under its name), that an update
// through `updateParameters` changes the layer itself, that train() and eval()
// reach every layer inside, and what each initialisation draws.

import NDArray
import NN
import XCTest

final class LayerTests: XCTestCase {
    func testUpdatingAParameterChangesTheLayer() {
        var rng = generator()
        let block = TransformerBlock<Float>(hiddenDim: 8, numHeads: 2, ffnDim: 16, attentionBias: true, using: &rng)
        block.updateParameters { name, value in if name == "attn.proj.bias" { value += 1 } }
        XCTAssertEqual(block.attn.proj.bias, .ones([8]))
        XCTAssertEqual(block.parameter(named: "attn.proj.bias"), .ones([8]))
        XCTAssertNil(block.parameter(named: "attn.nothing"))
    }

    func testTrainAndEvalReachEveryLayer() {
        var rng = generator()
        let decoder = DecoderBlock<Float>(hiddenDim: 8, numHeads: 2, ffnDim: 16, attentionBias: true, using: &rng)
        decoder.eval()
        let everyLayer: [any Layer] = [decoder.ln1, decoder.ln2, decoder.ln3, decoder.selfAttn, decoder.selfAttn.qkv,
                                       decoder.selfAttn.proj, decoder.selfAttn.residualDropout,
                                       decoder.crossAttn.attention, decoder.crossAttn.attention.dropout,
                                       decoder.ffn, decoder.ffn.up, decoder.ffn.down, decoder.ffn.dropout]
        XCTAssertTrue(everyLayer.allSatisfy { !$0.isTraining })
        decoder.train()
        XCTAssertTrue(everyLayer.allSatisfy { $0.isTraining })
    }

    func testInitialisations() {
        var rng = generator(2)
        let normal = Initialization<Float>.normal(std: 0.02).makeArray([200, 100], using: &rng)
        XCTAssertEqual(Double(normal.std()), 0.02, accuracy: 0.0004)
        let uniform = Initialization<Float>.uniform(bound: 0.5).makeArray([10_000], using: &rng)
        XCTAssertLessThanOrEqual(abs(uniform).max(), 0.5)
        XCTAssertEqual(Double(uniform.var()), 0.25 / 3, accuracy: 0.003)
        // Xavier: a = √(6 / (fanIn + fanOut)) = √(6 / (30 + 10)).
        let xavier = Initialization<Float>.xavierUniform.makeArray([100, 300], using: &rng)
        let a = (6.0 / 400).squareRoot()
        XCTAssertLessThanOrEqual(Double(abs(xavier).max()), a)
        XCTAssertEqual(Double(xavier.var()), a * a / 3, accuracy: 0.03 * a * a / 3)
        // Beyond two axes, both fans take the product of the rest: [40, 50, 30] has fanIn 50·30, fanOut 40·30.
        let kernel = Initialization<Float>.xavierUniform.makeArray([40, 50, 30], using: &rng)
        let b = (6.0 / Double(50 * 30 + 40 * 30)).squareRoot()
        XCTAssertLessThanOrEqual(Double(abs(kernel).max()), b)
        XCTAssertGreaterThan(Double(abs(kernel).max()), 0.99 * b)
        XCTAssertEqual(Initialization<Float>.zeros.makeArray([2], using: &rng), [0, 0])
        XCTAssertEqual(Initialization<Float>.ones.makeArray([2], using: &rng), [1, 1])
    }

    func testGPTLikeNamesNestUnderTheirParents() {
        // A model names its blocks "blocks.0.", "blocks.1.", … by passing them as prefixes.
        var rng = generator()
        let blocks = (0..<2).map { _ in TransformerBlock<Float>(hiddenDim: 8, numHeads: 2, ffnDim: 16, attentionBias: true, using: &rng) }
        var names: [String] = []
        for (i, block) in blocks.enumerated() {
            block.visitParameters(prefix: "blocks.\(i).") { name, _ in names.append(name) }
        }
        XCTAssertTrue(names.contains("blocks.0.attn.qkv.weight"))
        XCTAssertTrue(names.contains("blocks.1.ffn.down.bias"))
        XCTAssertEqual(names.count, 24)
    }
}
