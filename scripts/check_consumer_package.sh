#!/usr/bin/env bash
# Proves that GPTFromScratch works as a versioned SwiftPM dependency, in both builds.
#
#   scripts/check_consumer_package.sh
#
# 1. The manifest has no unconditional unsafe flags: every unsafeFlags setting
#    is behind a package trait (NativeCPU), so the portable build needs none.
# 2. A small consumer package depends on a tagged local git clone of this
#    repository (`from: "99.0.0"`, the committed HEAD), builds in release and
#    checks a matmul against the reference, runs an NN block, trains a tokenizer
#    and generates with a GPT: the default build, native (NativeCPU is a default
#    trait), which fuses multiply-adds.
# 3. The same consumer asks for no traits (`traits: []`): the portable build,
#    which on x86-64 does not fuse, and still gives the right product.
# Exits non-zero, saying which step failed.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "check_consumer_package: $*" >&2; exit 1; }

echo "== 1. unsafe flags only behind traits"
manifest="$(cd "$repo" && swift package dump-package)"
# In each setting, a "condition" with "traits" comes before its "kind".
unconditional="$(printf '%s\n' "$manifest" | awk '
    /"condition"/ { condition = NR; traits = 0 }
    /"traits"/ && condition { traits = NR }
    /"unsafeFlags"/ { total++; if (!(traits > condition && NR - traits < 20)) bad++ }
    END { printf "%d %d", total, bad }')"
read -r total bad <<< "$unconditional"
[ "$bad" -eq 0 ] || fail "$bad of $total unsafeFlags settings are not conditioned on a trait"
echo "   $total unsafeFlags settings, all conditioned on a trait"

echo "== 2. consumer of a tagged clone, default build"
git clone --quiet "$repo" "$work/dependency"
git -C "$work/dependency" tag 99.0.0
mkdir -p "$work/consumer/Sources/Consumer"
write_manifest() {
    cat > "$work/consumer/Package.swift" <<MANIFEST
// swift-tools-version: 6.2
import PackageDescription
let package = Package(
    name: "Consumer",
    dependencies: [.package(url: "$work/dependency", from: "99.0.0"$1)],
    targets: [.executableTarget(name: "Consumer",
                                dependencies: [.product(name: "NDArray", package: "dependency"),
                                               .product(name: "NN", package: "dependency"),
                                               .product(name: "GPT", package: "dependency")])]
)
MANIFEST
}
cat > "$work/consumer/Sources/Consumer/main.swift" <<'SWIFT'
import GPT
import NDArray
import NN
var rng = SeededGenerator(seed: 1)
let a = NDArray<Float>.uniform([67, 300], low: -1, high: 1, using: &rng)
let b = NDArray<Float>.uniform([300, 45], low: -1, high: 1, using: &rng)
let fast = matmul(a, b.T.T), slow = matmulReference(a, b)
let error = abs(fast - slow).max()
print("fma=\(buildUsesFusedMultiplyAdd) error=\(error) vectors=\(KernelVectors.bits)")
// Both vector widths give the product the same bits.
let narrow = KernelVectors.withBits(256) { matmul(a, b) }, wide = KernelVectors.withBits(512) { matmul(a, b) }
if narrow != wide { fatalError("the 256-bit and 512-bit products differ") }
if !(error < 1e-4) { fatalError("matmul differs from the reference by \(error)") }
// The NN layers, specialised in this package: a block whose causal outputs never look ahead.
let block = TransformerBlock<Float>(hiddenDim: 32, numHeads: 4, ffnDim: 64, dropout: 0, using: &rng)
var x = NDArray<Float>.normal([1, 6, 32], using: &rng)
let before = block(x, mask: createCausalMask(seqLen: 6))
x[0, 5] = NDArray<Float>.zeros([32])
let after = block(x, mask: createCausalMask(seqLen: 6))
if after[0, 0..<5] != before[0, 0..<5] || after[0, 5] == before[0, 5] { fatalError("the block looked ahead") }
// The GPT: a tokenizer trained here, a tiny model, generation with the KV cache.
let tokenizer = BPETokenizer.train(text: "the cat sat on the mat, the cat ate", vocabSize: 270)
let prompt = tokenizer.encode("the cat")
if (try? tokenizer.decode(prompt)) != "the cat" { fatalError("the tokenizer does not round-trip") }
let model = GPTModel<Float>(vocabSize: tokenizer.vocabSize, maxSeqLen: 16, numLayers: 2, numHeads: 2, hiddenDim: 16,
                            using: &rng)
let result = model.generate(prompts: [prompt], config: .sampling(maxNewTokens: 20, temperature: 0.8, seed: 3))
if result.newTokens[0].count != 20 || (try? tokenizer.decode(result.sequences[0])) == nil {
    fatalError("generation gave \(result.newTokens[0].count) tokens")
}
SWIFT
write_manifest ""
(cd "$work/consumer" && swift build -c release > "$work/build.log" 2>&1) || { cat "$work/build.log"; fail "default build failed"; }
default_output="$("$work/consumer/.build/release/Consumer")" || fail "default build gave a wrong product"
echo "   $default_output"
[[ "$default_output" == fma=true* ]] || fail "the default (native) build should use FMA: $default_output"

echo "== 3. the same consumer with no traits: the portable build"
write_manifest ', traits: []'
rm -rf "$work/consumer/.build"
(cd "$work/consumer" && swift build -c release > "$work/build.log" 2>&1) || { cat "$work/build.log"; fail "portable build failed"; }
portable_output="$("$work/consumer/.build/release/Consumer")" || fail "portable build gave a wrong product"
echo "   $portable_output"
if [ "$(uname -m)" = "x86_64" ]; then
    [[ "$portable_output" == fma=false* ]] || fail "the portable x86-64 build should not use FMA: $portable_output"
fi
echo "consumer package: OK"
