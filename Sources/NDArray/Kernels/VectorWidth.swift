// VectorWidth.swift — how wide the GEMM's vectors are, chosen when the program starts.
//
//   KernelVectors.bits                  256 (8 floats) or 512 (16 floats)
//   NDARRAY_VECTOR_BITS=256 swift run …  the environment, read once at first use
//
// Swift compiles a module for one target CPU, and the default build
// (the NativeCPU trait) compiles for the machine that builds it. So the
// binary holds the GEMM twice, for 8-float and for 16-float vectors, and the
// instructions each becomes are that CPU's: on a CPU with AVX-512 the 16-float
// kernel is one 512-bit register per vector and holds a 12 × 32 tile of C in
// 24 of its 32 registers; with AVX2 the 8-float kernel holds 6 × 16 in 12 of
// 16. At start the 512-bit kernel is chosen when the CPU has AVX-512 and the
// build is native (it fuses multiply-adds); anything else takes 256. (A native
// binary is meant for CPUs like the one that built it: one built on an AVX2
// machine and run on an AVX-512 one would choose 512 bits and run the wide
// kernel as pairs of 256-bit halves, slowly; `NDARRAY_VECTOR_BITS=256` fixes
// that, rebuilding fixes it better.)
//
// Both kernels sum every element of C in the same order (one lane per
// element, over p, slice by slice), so the width never changes a result's
// bits: the tests compare the two widths bit for bit in every native build
// (the 16-float kernel runs as pairs of 256-bit halves on a CPU without
// AVX-512, slower but the same arithmetic). The portable x86-64 build has one
// kernel, 4-float SSE vectors, and ignores the width.
//
// Not here: wider vectors for the element-wise, row and matrix-vector kernels
// (they stream memory, where 512-bit vectors measured no faster), and
// run-time dispatch between instruction sets (Swift cannot compile one
// function for two target CPUs in one module: the portable build stays
// portable and slower).

import Foundation

/// The vector width of NDArray's matrix-product kernel, and what the CPU offers.
///
/// ```swift
/// print(KernelVectors.summary)   // "16 floats per vector (512-bit; the CPU has AVX-512), fused multiply-add"
/// let c = KernelVectors.withBits(256) { matmul(a, b) }   // the same bits as at 512
/// ```
public enum KernelVectors {
    /// The width of the vectors the matrix product uses: 256 (8 floats) or 512 (16 floats).
    ///
    /// Defaults to 512 on a CPU with AVX-512 in the native build, 256 otherwise, or to
    /// `NDARRAY_VECTOR_BITS` when set (read once; a value other than 256 or 512 stops the program
    /// with a message naming it). Results do not depend on it. The portable x86-64 build
    /// (`--disable-default-traits`) always runs its 4-float SSE kernel.
    public static var bits: Int {
        get { setting.value }
        set {
            precondition(newValue == 256 || newValue == 512,
                         "KernelVectors.bits: \(newValue) is not a vector width (256 or 512)")
            setting.value = newValue
        }
    }

    /// Runs `body` with vectors of `bits`, then restores the previous width. The setting is global.
    public static func withBits<R>(_ bits: Int, _ body: () throws -> R) rethrows -> R {
        let previous = self.bits
        self.bits = bits
        defer { self.bits = previous }
        return try body()
    }

    /// The widest vectors this CPU has: "AVX-512", "AVX2", "SSE" (x86-64) or "NEON" (arm64).
    public static let cpuVectors: String = {
#if arch(x86_64)
        let flags = cpuFlags()
        if flags.contains("avx512f") { return "AVX-512" }
        if flags.contains("avx2") { return "AVX2" }
        return "SSE"
#elseif arch(arm64)
        return "NEON"
#else
        return "scalar"
#endif
    }()

    /// The width used when nothing was set: `NDARRAY_VECTOR_BITS`, or 512 where the CPU and the build allow it.
    public static let defaultBits: Int =
        environmentSetting("NDARRAY_VECTOR_BITS", vectorBits(fromEnvironment:))
            ?? (cpuVectors == "AVX-512" && buildUsesFusedMultiplyAdd ? 512 : 256)

    /// One line for a benchmark's or a lesson's header: the width in use, what the CPU has, and
    /// whether multiply-adds are fused. For example "16 floats per vector (512-bit; the CPU has
    /// AVX-512), fused multiply-add".
    public static var summary: String {
#if arch(x86_64) && !NDARRAY_NATIVE_FMA
        return "4 floats per vector (128-bit SSE: the portable build; the CPU has \(cpuVectors)), "
            + "separate multiply and add"
#else
        return "\(bits / 32) floats per vector (\(bits)-bit; the CPU has \(cpuVectors)), fused multiply-add"
#endif
    }

    /// Reads `NDARRAY_VECTOR_BITS`: nil when unset, a message when it is not 256 or 512.
    static func vectorBits(fromEnvironment text: String?) -> Result<Int?, EnvironmentSettingError> {
        wholeNumber(text, named: "NDARRAY_VECTOR_BITS", allowed: { $0 == 256 || $0 == 512 },
                    expected: "256 or 512 (unset it to use the CPU's widest)")
    }

    /// The CPU's feature flags, from /proc/cpuinfo (Linux) or sysctl (macOS); empty when unknown.
    static func cpuFlags() -> Set<String> {
#if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":")
        else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
#elseif canImport(Darwin)
        var flags: Set<String> = []
        for (name, flag) in [("hw.optional.avx512f", "avx512f"), ("hw.optional.avx2_0", "avx2")] {
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            if sysctlbyname(name, &value, &size, nil, 0) == 0 && value != 0 { flags.insert(flag) }
        }
        return flags
#else
        return []
#endif
    }

    private static let setting = IntSetting { KernelVectors.defaultBits }
}
