#!/usr/bin/env bash
# Each NN layer can be copied out: its file, the files its header names under "Depends on:",
# and NDArray build on their own.
#
#   scripts/check_copyable_layers.sh
#
# A scratch package (in .build-copy, kept between runs) gets NDArray's sources as one target and,
# for every file in Sources/NN, a target holding that file and exactly the NN files its header
# lists, depending on NDArray alone. One build compiles them all: a header that forgets a file
# fails here, naming the layer and the missing name.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$repo/.build-copy"
package="$work/package"
rm -rf "$package/Sources"
mkdir -p "$package/Sources/NDArray"
cp -R "$repo/Sources/NDArray/." "$package/Sources/NDArray/"
fail() { echo "check_copyable_layers: $*" >&2; exit 1; }

# The NN files a header lists: every name.swift in its "Depends on:" paragraph.
dependencies() {
    awk '/^\/\/.*Depends on:/ && !on { on = 1; sub(/.*Depends on:/, ""); print; next }
         on && !/^\/\// { exit }
         on && /^\/\/ *(Not here|$)/ { exit }
         on { print }' "$1" | grep -oE '[A-Za-z+]+\.swift' | sort -u || true
}

targets=""
for file in "$repo"/Sources/NN/*.swift; do
    name="$(basename "$file" .swift)"
    grep -q "Depends on:" "$file" || fail "Sources/NN/$name.swift has no \"Depends on:\" line in its header"
    target="Copy$name"
    mkdir -p "$package/Sources/$target"
    cp "$file" "$package/Sources/$target/"
    for dependency in $(dependencies "$file"); do
        [ "$dependency" = "$name.swift" ] && continue
        [ -f "$repo/Sources/NN/$dependency" ] || fail "Sources/NN/$name.swift names $dependency, which is not in Sources/NN"
        cp "$repo/Sources/NN/$dependency" "$package/Sources/$target/"
    done
    targets+="        .target(name: \"$target\", dependencies: [\"NDArray\"]),"$'\n'
    echo "   $name.swift: $(dependencies "$file" | grep -v "^$name.swift$" | tr '\n' ' ')"
done
cat > "$package/Package.swift" <<MANIFEST
// swift-tools-version: 6.2
import PackageDescription
let package = Package(
    name: "CopiedLayers",
    targets: [
        .target(name: "NDArray"),
$targets    ],
    swiftLanguageModes: [.v6]
)
MANIFEST
if ! (cd "$package" && swift build > "$work/build.log" 2>&1); then
    grep -E "error:" "$work/build.log" | sed 's|.*/Sources/Copy\([A-Za-z]*\)/\([A-Za-z+]*\.swift\)|  layer \1: \2|' | head -n 20 >&2
    fail "a layer does not build with the files its header lists (full log: $work/build.log)"
fi
echo "copyable layers: $(ls "$repo"/Sources/NN/*.swift | wc -l | tr -d ' ') files build with NDArray and the files their headers list: OK"
