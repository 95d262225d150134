// SeededGenerator.swift — a random number generator whose stream is the same
// on every platform, so one seed gives one model everywhere.
//
//   seeding   SplitMix64(seed) → the four state words
//   next()    xoshiro256** (Blackman and Vigna): 64 random bits per call
//   uniform   the top 24 (Float) or 53 (Double) bits, scaled to [0, 1)
//   integers  Lemire's multiply-and-reject method: unbiased in [0, n)
//   normal    Box–Muller from two uniforms, the second value kept for the next call
//
// Box–Muller needs log, sin and cos. The C library's versions may differ in
// the last bit between platforms, so this file computes them with + − × ÷ and
// sqrt only, which IEEE 754 rounds identically everywhere.
//
// Not here: NumPy's or PyTorch's streams (a seed here gives different numbers
// than `np.random.default_rng(seed)`), jumping ahead, cryptographic randomness.

/// A seedable random number generator with a platform-independent stream
/// (xoshiro256**, seeded through SplitMix64).
///
/// ```swift
/// var rng = SeededGenerator(seed: 42)
/// let w = NDArray<Float>.normal([768, 768], std: 0.02, using: &rng)
/// ```
///
/// It is also a Swift `RandomNumberGenerator`, but Swift's own
/// `Int.random(in:using:)` may change its algorithm between releases; use
/// `next(below:)`, `nextUniform()` and `nextNormal()` for reproducible draws.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable, Codable {
    // The four xoshiro256** state words.
    @usableFromInline var s0, s1, s2, s3: UInt64
    /// The second Box–Muller value, waiting for the next `nextNormal()`.
    public private(set) var spareNormal: Double?

    /// The four xoshiro256** state words (with `spareNormal`, the whole state).
    public var stateWords: [UInt64] { [s0, s1, s2, s3] }

    /// A generator whose stream is fixed by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = nextSplitMix()
        s1 = nextSplitMix()
        s2 = nextSplitMix()
        s3 = nextSplitMix()
        spareNormal = nil
    }

    private enum CodingKeys: String, CodingKey { case s0, s1, s2, s3, spareNormal }

    /// A saved generator (a checkpoint's). A state of four zero words is refused: xoshiro256**
    /// would return 0 forever from it (seeding never makes it), and `next(below:)` would never end.
    /// - Throws: `DecodingError.dataCorrupted` for that state or a non-finite spare normal
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        s0 = try container.decode(UInt64.self, forKey: .s0)
        s1 = try container.decode(UInt64.self, forKey: .s1)
        s2 = try container.decode(UInt64.self, forKey: .s2)
        s3 = try container.decode(UInt64.self, forKey: .s3)
        spareNormal = try container.decodeIfPresent(Double.self, forKey: .spareNormal)
        if s0 | s1 | s2 | s3 == 0 {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "a xoshiro256** state of four zero words cannot generate (it returns 0 forever)"))
        }
        if let spare = spareNormal, !spare.isFinite {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [CodingKeys.spareNormal],
                                                    debugDescription: "a spare normal draw of \(spare) is not finite"))
        }
    }

    /// 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    /// A uniform integer in `0..<bound` (Lemire's method, no modulo bias). Traps when `bound` is 0.
    @inlinable
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "SeededGenerator.next(below:): bound must be positive")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// A uniform value in [0, 1) with every representable step of `2^-(significand bits + 1)`:
    /// 24 random bits for Float, 53 for Double.
    @inlinable
    public mutating func nextUniform<F: BinaryFloatingPoint>(_ type: F.Type = Double.self) -> F {
        let bits = F.significandBitCount + 1
        return F(next() >> UInt64(64 - bits)) * F(sign: .plus, exponent: F.Exponent(-bits), significand: 1)
    }

    /// A standard normal value (mean 0, standard deviation 1), by Box–Muller.
    public mutating func nextNormal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let u1 = 1 - nextUniform(Double.self)  // in (0, 1], so the log is finite
        let u2 = nextUniform(Double.self)
        let radius = (-2 * PortableMath.log(u1)).squareRoot()
        let (sine, cosine) = PortableMath.sinCosOfTurns(u2)
        spareNormal = radius * sine
        return radius * cosine
    }
}

@inlinable
func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
}

/// log, sin and cos computed with + − × ÷ only, so they round the same on every
/// platform. Accurate to a few units in the last place: enough for sampling.
enum PortableMath {
    /// The natural logarithm of a positive, finite `x`.
    static func log(_ x: Double) -> Double {
        // x = m · 2^e with m in [√2/2, √2]; log x = e·ln 2 + log m.
        var m = x.significand
        var e = Double(x.exponent)
        if m > 1.4142135623730951 {
            m /= 2
            e += 1
        }
        // log m = 2·atanh(s) = 2(s + s³/3 + s⁵/5 + …) with s = (m − 1)/(m + 1), |s| < 0.172.
        let s = (m - 1) / (m + 1)
        let z = s * s
        var series = 0.0
        for k in stride(from: 11, through: 0, by: -1) {
            series = series * z + 1 / Double(2 * k + 1)
        }
        let ln2High = 6.93147180369123816490e-01  // ln 2 split so that e·ln2High is exact
        let ln2Low = 1.90821492927058770002e-10
        return e * ln2High + (e * ln2Low + 2 * s * series)
    }

    /// (sin 2πt, cos 2πt) for t in [0, 1).
    static func sinCosOfTurns(_ t: Double) -> (sin: Double, cos: Double) {
        // Reduce to the nearest quarter turn: t = q/4 + r with |r| ≤ 1/8 (both steps exact).
        let q = (t * 4).rounded()
        let r = t - q / 4
        let phi = r * 6.283185307179586  // |phi| ≤ π/4
        let p2 = phi * phi
        var sine = 0.0, cosine = 0.0
        for k in stride(from: 8, through: 0, by: -1) {
            sine = sine * p2 + sineCoefficients[k]
            cosine = cosine * p2 + cosineCoefficients[k]
        }
        sine *= phi
        switch Int(q) % 4 {
        case 0: return (sine, cosine)
        case 1: return (cosine, -sine)
        case 2: return (-sine, -cosine)
        default: return (-cosine, sine)
        }
    }

    /// (−1)^k / (2k + 1)! and (−1)^k / (2k)!: the Taylor coefficients of sin and cos
    /// to the 17th and 18th power (error below 1e-19 for |φ| ≤ π/4).
    private static let sineCoefficients: [Double] = (0...8).map { k in alternating(k) / factorial(2 * k + 1) }
    private static let cosineCoefficients: [Double] = (0...8).map { k in alternating(k) / factorial(2 * k) }

    private static func alternating(_ k: Int) -> Double { k % 2 == 0 ? 1 : -1 }

    /// n! in Double, exact up to 18!.
    private static func factorial(_ n: Int) -> Double {
        (1...Swift.max(n, 1)).reduce(1.0) { $0 * Double($1) }
    }
}
