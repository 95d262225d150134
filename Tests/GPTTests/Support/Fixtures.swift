// Fixtures.swift — finding the committed fixtures, building small models, comparing arrays.
//
// scripts/make_gpt_fixtures.py and scripts/make_tokenizer_fixtures.py wrote
// Tests/GPTTests/Fixtures/: a tiny random GPT-2 in Hugging Face's layout with
// what transformers computed from it, an encoder-decoder built in PyTorch,
// safetensors files and tokenizer files made by Hugging Face `tokenizers`.

import Foundation
import GPT
import NDArray
import NN
import XCTest

/// Tests/GPTTests/Fixtures/<path>.
func fixtureURL(_ path: String) -> URL {
    Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(path)
}

/// The .npy file Fixtures/<path>.npy.
func fixture<S: NDArrayScalar>(_ path: String, as type: S.Type = S.self) -> NDArray<S> {
    do {
        return try NDArray<S>(contentsOfNPY: fixtureURL(path + ".npy"), converting: true)
    } catch {
        fatalError("fixture \(path).npy: \(error)")
    }
}

/// A small GPT in eval mode: V = 23, context 16, 2 blocks of 4 heads, 32 wide.
func smallModel(_ positions: PositionEncodingKind = .learned, seed: UInt64 = 1, maxSeqLen: Int = 16,
                tieWeights: Bool = true) -> GPTModel<Float> {
    var rng = SeededGenerator(seed: seed)
    let config = GPTConfig(vocabSize: 23, maxSeqLen: maxSeqLen, numLayers: 2, numHeads: 4, hiddenDim: 32,
                           dropout: 0.1, positionEncoding: positions, tieWeights: tieWeights)
    let model = GPTModel<Float>(config: config, using: &rng)
    // GPT-2's initialisation gives near-uniform logits; larger weights make every comparison sharper.
    model.updateParameters { name, value in
        if !name.contains(".ln") && !name.hasPrefix("lnF") { value = value * 10 }
    }
    model.eval()
    return model
}

/// Fails unless `actual` has `expected`'s shape and every element is within `tolerance`
/// (absolute, plus relative to the expected magnitude); reports the worst index.
func assertClose<S: NDFloatingPoint>(_ actual: NDArray<S>, _ expected: NDArray<S>, tolerance: Double = 1e-5,
                                     _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.shape == expected.shape else {
        XCTFail("\(message) shape \(actual.shape) != expected \(expected.shape)", file: file, line: line)
        return
    }
    let a = actual.scalars.map(Double.init), e = expected.scalars.map(Double.init)
    var worst = -1, worstError = 0.0
    for i in a.indices where !(a[i] == e[i]) {
        let error = a[i].isFinite && e[i].isFinite ? Swift.abs(a[i] - e[i]) / (1 + Swift.abs(e[i])) : .infinity
        if error > worstError { worstError = error; worst = i }
    }
    if worst >= 0 && worstError > tolerance {
        XCTFail("\(message) shape \(actual.shape): worst at flat index \(worst) of \(a.count): expected \(e[worst]), "
                + "got \(a[worst]) (error \(worstError) > \(tolerance))", file: file, line: line)
    }
}
