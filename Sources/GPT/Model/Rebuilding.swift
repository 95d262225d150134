// Rebuilding.swift — the same weights in a model of another configuration.
//
//   model.cropped(toContext: 256)     a 1024-position GPT-2 → 256 positions (wpe's first 256 rows)
//   model.withDropout(0.1)            the same model, with another dropout for fine-tuning
//
// nanoGPT does the first with `model.crop_block_size(block_size)` after
// `GPT.from_pretrained`, and the second by overriding `dropout` in
// `from_pretrained(override_args)`. `walkthrough train --init-from` uses both;
// `convertedToGPT2Layout()` (GPT2Checkpoint.swift) uses the same rebuilding.
//
// Depends on: GPTModel.swift, GPTConfig.swift.

import NDArray
import NN

extension GPTModel {
    /// A model of `config` whose parameters are this model's, by name: `replace(name, current)`
    /// may give another array for a parameter (`current` is nil when this model has no parameter
    /// of that name); a parameter neither has stays zero. Training mode is carried over.
    @_specialize(where Scalar == Float)
    func rebuilt(as config: GPTConfig,
                 replace: (String, NDArray<Scalar>?) -> NDArray<Scalar>? = { $1 }) -> GPTModel {
        var rng = SeededGenerator(seed: 0)
        let model = GPTModel(config: config, initialization: .zeros, using: &rng)
        let current = Dictionary(uniqueKeysWithValues: namedParameters.map { ($0.name, $0.value) })
        model.updateParameters { name, value in
            guard let new = replace(name, current[name]) else { return }
            if new.shape != value.shape {
                modelFailure("GPTModel.rebuilt", "\(name) has shape \(new.shape), but the new config needs \(value.shape)")
            }
            value = new
        }
        model.isTraining = isTraining
        return model
    }

    /// The model with a context of `length` positions (T ≤ maxSeqLen): a learned position table keeps
    /// its first `length` rows; sinusoidal and rotary tables are rebuilt for the shorter length. The
    /// logits of any sequence of at most `length` tokens are unchanged. nanoGPT: `model.crop_block_size(length)`.
    /// - Precondition: 1 ≤ `length` ≤ `config.maxSeqLen` (a longer context has positions no weight was trained for).
    public func cropped(toContext length: Int) -> GPTModel {
        guard length >= 1 && length <= config.maxSeqLen else {
            modelFailure("GPTModel.cropped", "a context of \(length) positions: it must be in 1…\(config.maxSeqLen) "
                             + "(the model's maxSeqLen)")
        }
        if length == config.maxSeqLen { return self }
        var shorter = config
        shorter.maxSeqLen = length
        return rebuilt(as: shorter) { name, value in
            name == "wpe.weight" ? value.map { $0[0..<length].contiguous() } : value
        }
    }

    /// The same weights with dropout probability `p` everywhere the config applies it (the embeddings,
    /// attention's weights, each residual branch). nanoGPT: `GPT.from_pretrained(…, dict(dropout=p))`.
    /// - Precondition: 0 ≤ p < 1.
    public func withDropout(_ p: Double) -> GPTModel {
        guard p >= 0 && p < 1 else { modelFailure("GPTModel.withDropout", "dropout must be in [0, 1), not \(p)") }
        if p == config.dropout { return self }
        var changed = config
        changed.dropout = p
        return rebuilt(as: changed)
    }
}
