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
import TestSupport
import XCTest

/// Tests/GPTTests/Fixtures/<path>.
func fixtureURL(_ path: String) -> URL { FixtureFolder(bundle: .module).url.appendingPathComponent(path) }

/// The .npy file Fixtures/<path>.npy.
func fixture<S: NDArrayScalar>(_ path: String, as type: S.Type = S.self) -> NDArray<S> {
    FixtureFolder(bundle: .module).load(path)
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
