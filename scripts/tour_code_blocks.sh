#!/usr/bin/env bash
# The tour's code lines as documentation blocks, so that scripts/check_docs.sh compiles them:
# every line the tour shows after a `>` prompt must be real Swift against the public API.
#
#   swift run -c release walkthrough --no-pause > tour.txt
#   scripts/tour_code_blocks.sh tour.txt > .build-docs/tour.md
#   scripts/check_docs.sh README.md docs/*.md .build-docs/tour.md
#
# One ```swift block per chapter: the imports, then what the chapter has made before it shows
# code (its "context": the model it trained, the tokenizer, and the tour's own helpers, declared
# with the signatures their chapter files give them today), then each step's `>` lines in a
# scope of its own nested in the previous step's, so a later step sees the earlier steps' names
# and a repeated step (block 0, block 1) may declare them again. The blocks are compiled, not run:
# what each line printed, the tour printed from the same code run beside it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tour="${1:?usage: tour_code_blocks.sh TOUR_OUTPUT}"
[ -f "$tour" ] || { echo "tour_code_blocks: no file $tour" >&2; exit 1; }

helper() {  # the tour's own function $1, declared with the signature its chapter file gives it today
    local line
    line="$(grep -hE "^func $1[(<]" "$repo"/Sources/Walkthrough/Chapters/*.swift | head -n 1)"
    [ -n "$line" ] || { echo "tour_code_blocks: no func $1 in Sources/Walkthrough/Chapters" >&2; exit 1; }
    echo "${line%\{} { fatalError(\"the tour's own $1\") }"
}

context() {  # what chapter $1 has made before its code lines, as the tour makes it
    case "$1" in
        3) cat <<'SWIFT'
// The tour's two loops (MatmulChapter.swift, shown in the tour as prose), by their signatures.
SWIFT
            helper multiplyTextbook
            helper multiplyReordered
            cat <<'SWIFT'
let a = NDArray<Float>.zeros([256, 256]), b = NDArray<Float>.zeros([256, 256])
let big = NDArray<Float>.zeros([1024, 1024])
SWIFT
        ;;
        4) cat <<'SWIFT'
// The tour's copying task (GPTChapter.swift), by its signature, and what the chapter trained.
SWIFT
            helper copyingText
            cat <<'SWIFT'
let tokenizer = CharTokenizer(text: "abcdefgh|\n")
let config = GPTConfig(vocabSize: tokenizer.vocabSize, maxSeqLen: 32, numLayers: 2, numHeads: 4, hiddenDim: 64)
var rng = SeededGenerator(seed: 1)
SWIFT
        ;;
        5) cat <<'SWIFT'
let config = GPTConfig(vocabSize: 8, maxSeqLen: 6, numLayers: 1, numHeads: 2, hiddenDim: 8, dropout: 0)
var rng = SeededGenerator(seed: 1)
let inputs = NDArray<Int>.zeros([2, 6]), targets = NDArray<Int>.zeros([2, 6])
SWIFT
        ;;
        6) cat <<'SWIFT'
let config = GPTConfig(vocabSize: 10, maxSeqLen: 28, numLayers: 2, numHeads: 4, hiddenDim: 64)
var rng = SeededGenerator(seed: 1)
let model = GPTModel<Float>(config: config, using: &rng)
let data = try TokenDataset(tokens: Array(repeating: 0, count: 1000), contextLength: 28)
let training = TrainingConfig(steps: 600, batchSize: 16, contextLength: 28,
                              schedule: .warmupCosine(maxLR: 1e-2, warmupSteps: 50, decaySteps: 600, minLR: 1e-3))
let folder = URL(fileURLWithPath: "walkthrough-run")
let straight = Trainer(model: GPTModel<Float>(config: config, using: &rng), data: data, config: training)
SWIFT
        ;;
    esac
}

chapters=$(grep -cE '^Chapter [0-9]+: ' "$tour")
[ "$chapters" -gt 0 ] || { echo "tour_code_blocks: $tour holds no chapter" >&2; exit 1; }
echo "# The tour's code lines, by chapter (generated from the tour's output)"
for chapter in $(seq 1 "$chapters"); do
    echo
    echo '```swift'
    printf 'import Backprop\nimport Foundation\nimport GPT\nimport NDArray\nimport NN\n'
    context "$chapter"
    # This chapter's lines: each step heading opens a scope, each `  > ` line is code.
    awk -v chapter="$chapter" '
        /^Chapter [0-9]+: / { split($2, n, ":"); current = n[1] + 0; next }
        current != chapter { next }
        /^── / { print "do {"; depth++; next }
        /^  > / { print substr($0, 5) }
        END { for (i = 0; i < depth; i++) print "}" }
    ' "$tour"
    echo '```'
done
