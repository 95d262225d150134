// EncoderDecoderBackward.swift — the loss of the encoder-decoder and every parameter's gradient.
//
//   forward:   memory = encoderNorm(encoder(srcEmbedding[src]·√C + PE))
//              h = decoderNorm(decoder(tgtEmbedding[tgtIn]·√C + PE, memory))    logits = lmHead(h)
//   backward:  the decoder's blocks in reverse, each also returning its cross-attention's
//              gradient for the memory; the memory's gradients of all decoder blocks add up,
//              then flow back through encoderNorm and the encoder's blocks in reverse.
//
// The memory feeds every decoder block's cross-attention, so it collects one
// gradient from each: the sum is what the encoder receives.
//
// Depends on: EncoderDecoder.swift, Backprop.
// Not here: the training loop.

import Backprop
import NDArray
import NN

extension EncoderDecoderTransformer {
    /// What the backward reads from one encoder pass (`runEncoder(_:keeping: true)`).
    public struct EncoderSaved {
        /// The source embedding dropout's mask.
        public let embeddingDropout: Dropout<Scalar>.Saved
        /// Each encoder block's saved arrays.
        public let blocks: [TransformerBlock<Scalar>.Saved]
        /// encoderNorm's.
        public let norm: LayerNorm<Scalar>.Saved
    }

    /// What the backward reads from one decoder pass (`runDecoder(…, keeping: true)`).
    public struct DecoderSaved {
        /// The target embedding dropout's mask.
        public let embeddingDropout: Dropout<Scalar>.Saved
        /// Each decoder block's saved arrays.
        public let blocks: [DecoderBlock<Scalar>.Saved]
        /// decoderNorm's.
        public let norm: LayerNorm<Scalar>.Saved
        /// decoderNorm's output [B, T, C]: lmHead's input.
        public let final: NDArray<Scalar>
    }

    /// The mean cross-entropy of `targets` given the source and the shifted target (teacher forcing),
    /// with every parameter's gradient added into `gradients`.
    /// - Parameters:
    ///   - src: [B, S] (padId marks padding)
    ///   - tgtIn: [B, T], starting with BOS (padId marks padding)
    ///   - targets: [B, T], the next target token at each position (`ignoreIndex` where padded)
    /// - Returns: the loss
    @_specialize(where Scalar == Float)
    public func lossAndGradients(src: NDArray<Int>, tgtIn: NDArray<Int>, targets: NDArray<Int>, ignoreIndex: Int = -100,
                                 labelSmoothing: Double = 0, lossScale: Double = 1,
                                 into gradients: inout Gradients<Scalar>) -> Double {
        checkIds(src, "src")
        checkIds(tgtIn, "tgtIn")
        if targets.shape != tgtIn.shape {
            modelFailure("EncoderDecoderTransformer.lossAndGradients", "targets \(targets.shape) must have tgtIn's shape \(tgtIn.shape)")
        }
        let scale = Scalar(Double(config.hiddenDim).squareRoot())
        // Forward: the model's own encoder and decoder passes, keeping what each backward needs.
        let (memory, encoderKept) = runEncoder(src, keeping: true)
        let (logits, decoderKept) = runDecoder(tgtIn, memory: memory, memoryMask: paddingMask(src),
                                               maskTargetPadding: true, caches: nil, keeping: true)
        let (encoderSaved, decoderSaved) = (encoderKept!, decoderKept!)
        let h = decoderSaved.final                                                 // [B, T, C]
        let loss = crossEntropy(logits: logits, targets: targets, ignoreIndex: ignoreIndex, labelSmoothing: labelSmoothing)

        // Backward.
        let dLogits = crossEntropyBackward(logits: logits, targets: targets, ignoreIndex: ignoreIndex,
                                           labelSmoothing: labelSmoothing, dLoss: lossScale)
        var dZ = lmHead.backward(dLogits, Linear.Saved(input: h), prefix: "lmHead.", into: &gradients)
        dZ = decoderNorm.backward(dZ, decoderSaved.norm, prefix: "decoderNorm.", into: &gradients)
        var dMemory = NDArray<Scalar>.zeros(memory.shape)
        for (i, block) in decoder.enumerated().reversed() {
            let (dInput, dMemoryPart) = block.backward(dZ, decoderSaved.blocks[i], prefix: "decoder.\(i).",
                                                       into: &gradients)
            dZ = dInput
            dMemory += dMemoryPart                                                 // every cross-attention read it
        }
        dZ = embeddingDropout.backward(dZ, decoderSaved.embeddingDropout) * scale
        gradients.accumulate("tgtEmbedding.weight", embeddingBackward(dOut: dZ, ids: tgtIn, vocabSize: config.tgtVocabSize))
        var dX = encoderNorm.backward(dMemory, encoderSaved.norm, prefix: "encoderNorm.", into: &gradients)
        for (i, block) in encoder.enumerated().reversed() {
            dX = block.backward(dX, encoderSaved.blocks[i], prefix: "encoder.\(i).", into: &gradients)
        }
        dX = embeddingDropout.backward(dX, encoderSaved.embeddingDropout) * scale
        gradients.accumulate("srcEmbedding.weight", embeddingBackward(dOut: dX, ids: src, vocabSize: config.srcVocabSize))
        gradients.finishBackward()
        return loss
    }
}
