// NDArray+LayerNorm.swift — layer normalisation along the last axis.
//
//   μ = mean(x),  var = mean((x − μ)²),  rstd = 1/√(var + eps)
//   layerNorm(x) = (x − μ)·rstd·weight + bias            per row of C values
//
//   x [B, T, C], weight [C], bias [C]  →  [B, T, C]
//   layerNormStatistics(x)             →  mean [B, T], rstd [B, T]   (what a backward pass keeps)
//
// The variance is the biased one (divide by C), as in PyTorch's LayerNorm,
// computed in a second pass over x − μ so large offsets do not cancel. Float
// and Double rows run the vectorised kernel in Kernels/RowKernels.swift on every
// thread; `layerNormReference` composes the same function from mean, var and
// broadcasting, for the tests.
//
// Not here: the LayerNorm layer with its parameters (NN), RMSNorm (NN).

extension NDArray where Scalar: NDFloatingPoint {
    /// Normalises each row of the last axis to mean 0 and variance 1, then
    /// scales by `weight` and shifts by `bias` when given.
    /// PyTorch: `torch.nn.functional.layer_norm(x, [C], weight, bias, eps)`.
    ///
    /// - Parameters:
    ///   - weight: `[C]` or nil (a weight of ones)
    ///   - bias: `[C]` or nil (a bias of zeros)
    ///   - eps: added to the variance before the square root
    /// - Returns: the shape of `self`, `[B, T, C]` → `[B, T, C]`.
    @inlinable
    public func layerNorm(weight: NDArray? = nil, bias: NDArray? = nil, eps: Scalar = 1e-5) -> NDArray {
        let (w, b) = layerNormParameters(weight, bias, operation: "layer_norm")
        let weightBase = w.map { UnsafePointer($0.storage.base + $0.offset) }
        let biasBase = b.map { UnsafePointer($0.storage.base + $0.offset) }
        let kernel = RowKernel<Scalar>.layerNorm(eps: eps, weight: weightBase, bias: biasBase, mean: nil, rstd: nil)
        let result = withExtendedLifetime((w, b)) {
            applyRowKernel(kernel, "layer_norm", axis: -1, reducing: false)
        }
        return result ?? layerNormReference(weight: weight, bias: bias, eps: eps)
    }

    /// `layerNorm(weight:bias:eps:)` and each row's statistics from the same pass (what a backward
    /// keeps): the kernel writes mean and rstd as it normalises, so nothing is computed twice.
    ///
    /// - Returns: the output (`self`'s shape, e.g. [B, T, C]), and `mean` and `rstd` ([B, T])
    @inlinable
    public func layerNormWithStatistics(weight: NDArray? = nil, bias: NDArray? = nil, eps: Scalar = 1e-5)
        -> (output: NDArray, mean: NDArray, rstd: NDArray) {
        guard ndim > 0, Scalar.self == Float.self || Scalar.self == Double.self else {
            let (mean, rstd) = layerNormStatistics(eps: eps)
            return (layerNorm(weight: weight, bias: bias, eps: eps), mean, rstd)
        }
        let (w, b) = layerNormParameters(weight, bias, operation: "layer_norm")
        let mean = NDArray(uninitializedShape: Array(shape.dropLast()))
        let rstd = NDArray(uninitializedShape: Array(shape.dropLast()))
        let kernel = RowKernel<Scalar>.layerNorm(eps: eps, weight: w.map { UnsafePointer($0.storage.base + $0.offset) },
                                                 bias: b.map { UnsafePointer($0.storage.base + $0.offset) },
                                                 mean: mean.storage.base, rstd: rstd.storage.base)
        let output = withExtendedLifetime((w, b)) { applyRowKernel(kernel, "layer_norm", axis: -1, reducing: false) }
        guard let output else {
            let (mean, rstd) = layerNormStatistics(eps: eps)
            return (layerNormReference(weight: weight, bias: bias, eps: eps), mean, rstd)
        }
        return (output, mean, rstd)
    }

    /// The mean and `1/√(var + eps)` of each row of the last axis.
    ///
    /// - Returns: `mean` and `rstd`, each the shape of `self` without its last axis
    ///   (`[B, T, C]` → `[B, T]`).
    @inlinable
    public func layerNormStatistics(eps: Scalar = 1e-5) -> (mean: NDArray, rstd: NDArray) {
        if ndim == 0 { shapeFailure("layer_norm", "a 0-d array has no last axis to normalise") }
        guard Scalar.self == Float.self || Scalar.self == Double.self else {
            let mean = self.mean(axis: -1)
            return (mean, 1 / sqrt(self.var(axis: -1) + NDArray(eps)))
        }
        let mean = NDArray(uninitializedShape: Array(shape.dropLast()))
        let rstd = NDArray(uninitializedShape: Array(shape.dropLast()))
        let kernel = RowKernel<Scalar>.layerNormStatistics(eps: eps, mean: mean.storage.base, rstd: rstd.storage.base)
        // The kernel writes the statistics itself; the (empty) row output is not used.
        _ = applyRowKernel(kernel, "layer_norm", axis: -1, reducing: true)
        return (mean, rstd)
    }

    /// `layerNorm` composed from mean, var, sqrt and broadcasting: the test oracle.
    @inlinable
    public func layerNormReference(weight: NDArray? = nil, bias: NDArray? = nil, eps: Scalar = 1e-5) -> NDArray {
        _ = layerNormParameters(weight, bias, operation: "layer_norm")
        let mean = self.mean(axis: -1, keepDims: true)
        let variance = self.var(axis: -1, keepDims: true)
        var y = (self - mean) / sqrt(variance + NDArray(eps))
        if let weight { y = y * weight }
        if let bias { y = y + bias }
        return y
    }

    /// Checks that weight and bias are `[C]`; returns them contiguous.
    @inlinable
    func layerNormParameters(_ weight: NDArray?, _ bias: NDArray?, operation: String) -> (NDArray?, NDArray?) {
        if ndim == 0 { shapeFailure(operation, "a 0-d array has no last axis to normalise") }
        let c = shape[ndim - 1]
        for (name, p) in [("weight", weight), ("bias", bias)] {
            if let p, p.shape != [c] {
                shapeFailure(operation, "\(name) of shape \(describe(p.shape)) does not match the last axis of "
                                + "input shape \(describe(shape)): expected [\(c)] (axis -1)")
            }
        }
        return (weight?.contiguous(), bias?.contiguous())
    }
}
