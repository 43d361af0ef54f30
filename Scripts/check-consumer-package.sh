#!/usr/bin/env bash
# Checks that another package can depend on PruneKit BY VERSION and use it as Examples/LibraryExample does.
#
#   Scripts/check-consumer-package.sh            (data: $PRUNEKIT_DATA, else <repo>/data)
#
# Steps: clone the committed HEAD of this repository into a temporary folder, tag the clone 1.0.0, write a
# consumer package whose Package.swift has `.package(url: "file://<clone>", from: "1.0.0")` and the product
# "PruneKit", copy Examples/LibraryExample/main.swift in as its main.swift, build it in release, run it, and
# check its exit status and output. SwiftPM refuses to build a product with unsafe flags from a dependency
# required by version, so this fails (non-zero) if any target of the product regains one. Uncommitted changes are NOT tested: commit first.
# The temporary folder is removed on exit (KEEP_TMP=1 keeps it for inspection).
set -euo pipefail

step() { printf '\n==> %s\n' "$*"; }
die() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
commit=$(git -C "$repo" rev-parse HEAD)
version=1.0.0
data=${PRUNEKIT_DATA:-$repo/data}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/prunekit-consumer.XXXXXX")
cleanup() {
    if [[ "${KEEP_TMP:-0}" == 1 ]]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

step "Clone $repo at $commit into $tmp/PruneKit"
if [[ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]]; then
    echo "warning: $repo has uncommitted changes; they are not part of this check"
fi
# Cloning checks out the source's default branch; detach at the commit under test (a worktree's branch too).
git clone --quiet "$repo" "$tmp/PruneKit"
git -C "$tmp/PruneKit" -c advice.detachedHead=false checkout --quiet "$commit"

step "Tag the clone $version (SwiftPM resolves versions from tags)"
git -C "$tmp/PruneKit" tag "$version"

step "Write the consumer package in $tmp/Consumer (depends on file://$tmp/PruneKit from $version)"
mkdir -p "$tmp/Consumer/Sources/Consumer"
cat > "$tmp/Consumer/Package.swift" <<EOF
// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Consumer",
    dependencies: [
        .package(url: "file://$tmp/PruneKit", from: "$version"),
    ],
    targets: [
        .executableTarget(name: "Consumer", dependencies: [.product(name: "PruneKit", package: "PruneKit")]),
    ]
)
EOF
cp "$repo/Examples/LibraryExample/main.swift" "$tmp/Consumer/Sources/Consumer/main.swift"
sed 's/^/    /' "$tmp/Consumer/Package.swift"

step "Resolve the dependency by version"
swift package --package-path "$tmp/Consumer" resolve || die "SwiftPM could not resolve PruneKit $version by version"
resolved=$(grep -o '"version" *: *"[^"]*"' "$tmp/Consumer/Package.resolved" || true)
[[ "$resolved" == *"\"$version\""* ]] || die "Package.resolved does not pin PruneKit at $version: ${resolved:-nothing}"
echo "resolved: $resolved"

step "Build the consumer in release"
start=$SECONDS
# Loading the graph for the build is where SwiftPM refuses a versioned product with unsafe flags.
status=0
swift build --package-path "$tmp/Consumer" -c release 2>&1 | tee "$tmp/build.txt" || status=$?
if grep -q "unsafe build flags" "$tmp/build.txt"; then
    die "a target of the PruneKit product has unsafeFlags, which SwiftPM forbids in a dependency used by version"
fi
[[ $status == 0 ]] || die "the consumer package does not build (exit status $status)"
echo "built in $((SECONDS - start)) s"

step "Run it: Consumer --data-dir $data --out $tmp/out"
start=$SECONDS
status=0
"$tmp/Consumer/.build/release/Consumer" --data-dir "$data" --out "$tmp/out" 2>&1 | tee "$tmp/output.txt" || status=$?
echo "ran in $((SECONDS - start)) s, exit status $status"
[[ $status == 0 ]] || die "the consumer exited with status $status"

step "Check the output"
expected=(
    "^trained lenet5: "
    "^pruned by name (l1, flops=0.5): params "
    "^pruned by type (CriterionPruner + MagnitudeImportance(norm: 2), params=0.5): params "
    "^reloaded .*/lenet5-l1.safetensors: "
    "^checkpoint round trip: widths and accuracy identical$"
)
for pattern in "${expected[@]}"; do
    grep -q -- "$pattern" "$tmp/output.txt" || die "no output line matches '$pattern'"
    echo "ok: $pattern"
done
[[ -s "$tmp/out/lenet5-l1.safetensors" ]] || die "no checkpoint at $tmp/out/lenet5-l1.safetensors"

step "PASSED: a package depending on PruneKit from $version builds and runs the library example"
