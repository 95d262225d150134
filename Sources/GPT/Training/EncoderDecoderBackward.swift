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
        // Encoder.
        let sourceMask = paddingMask(src)                                          // [B, 1, 1, S]
        let (sourceIn, sourceDropout) = embeddingDropout.forwardSaving(srcEmbedding(src) * scale
                                                                       + positions(seqLen: src.shape[1]))
        var x = sourceIn
        var encoderSaved: [TransformerBlock<Scalar>.Saved] = []
        for block in encoder {
            let (y, _, s) = block.forwardSaving(x, mask: sourceMask)
            x = y
            encoderSaved.append(s)
        }
        let (memory, encoderNormSaved) = encoderNorm.forwardSaving(x)
        // Decoder.
        let t = tgtIn.shape[1]
        let targetMask = paddingMask(tgtIn) + createCausalMask(seqLen: t)          // [B, 1, T, T]
        let (targetIn, targetDropout) = embeddingDropout.forwardSaving(tgtEmbedding(tgtIn) * scale + positions(seqLen: t))
        var z = targetIn
        var decoderSaved: [DecoderBlock<Scalar>.Saved] = []
        for block in decoder {
            let (y, s) = block.forwardSaving(z, memory: memory, mask: targetMask, memoryMask: sourceMask)
            z = y
            decoderSaved.append(s)
        }
        let (h, decoderNormSaved) = decoderNorm.forwardSaving(z)
        let logits = lmHead(h)
        let loss = crossEntropy(logits: logits, targets: targets, ignoreIndex: ignoreIndex, labelSmoothing: labelSmoothing)

        // Backward.
        let dLogits = crossEntropyBackward(logits: logits, targets: targets, ignoreIndex: ignoreIndex,
                                           labelSmoothing: labelSmoothing, dLoss: lossScale)
        var dZ = lmHead.backward(dLogits, Linear.Saved(input: h), prefix: "lmHead.", into: &gradients)
        dZ = decoderNorm.backward(dZ, decoderNormSaved, prefix: "decoderNorm.", into: &gradients)
        var dMemory = NDArray<Scalar>.zeros(memory.shape)
        for (i, block) in decoder.enumerated().reversed() {
            let (dInput, dMemoryPart) = block.backward(dZ, decoderSaved[i], prefix: "decoder.\(i).", into: &gradients)
            dZ = dInput
            dMemory += dMemoryPart                                                 // every cross-attention read it
        }
        dZ = embeddingDropout.backward(dZ, targetDropout) * scale
        gradients.accumulate("tgtEmbedding.weight", embeddingBackward(dOut: dZ, ids: tgtIn, vocabSize: config.tgtVocabSize))
        var dX = encoderNorm.backward(dMemory, encoderNormSaved, prefix: "encoderNorm.", into: &gradients)
        for (i, block) in encoder.enumerated().reversed() {
            dX = block.backward(dX, encoderSaved[i], prefix: "encoder.\(i).", into: &gradients)
        }
        dX = embeddingDropout.backward(dX, sourceDropout) * scale
        gradients.accumulate("srcEmbedding.weight", embeddingBackward(dOut: dX, ids: src, vocabSize: config.srcVocabSize))
        gradients.finishBackward()
        return loss
    }
}
