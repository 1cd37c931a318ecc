#!/usr/bin/env bash
# Fetches the four Fashion-MNIST IDX files into DIR (default: data/fashion-mnist under the repository root).
#
#   scripts/fetch-fashion-mnist.sh [DIR]
#
# If the files are already there (raw or .gz) with the right SHA-256, says so and does nothing.
# Otherwise takes them from Debian's package dataset-fashion-mnist (installing it when running as
# root, else printing the command), decompresses them into DIR and verifies their SHA-256.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-$ROOT/data/fashion-mnist}"
DEB_PACKAGE="dataset-fashion-mnist"
SRC="${FASHION_MNIST_SRC:-/usr/share/datasets/fashion-mnist}"   # where the Debian package puts the .gz files

# SHA-256 of the raw (uncompressed) files; the same values as KnownDataset.FASHION_MNIST in the runner.
declare -A SHA256=(
  [train-images-idx3-ubyte]=c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888
  [train-labels-idx1-ubyte]=bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9
  [t10k-images-idx3-ubyte]=5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b
  [t10k-labels-idx1-ubyte]=0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34
)
die() { echo "fetch-fashion-mnist: $*" >&2; exit 1; }
# shellcheck source=lib/idx.sh
source "$ROOT/scripts/lib/idx.sh"
idx_needed "$DIR" fetch-fashion-mnist

if [ "${#needed[@]}" -eq 0 ]; then
  echo "Fashion-MNIST is already in $DIR, all four files verified (SHA-256)."
  exit 0
fi

have_source() {
  local f
  for f in "${IDX_FILES[@]}"; do [ -n "$(idx_present "$SRC" "$f")" ] || return 1; done
}

if ! have_source; then
  install_cmd="apt-get update && apt-get install -y $DEB_PACKAGE"
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    die "Debian's $DEB_PACKAGE is not installed ($SRC lacks the files). Install it with: sudo sh -c '$install_cmd'  — then run this script again"
  fi
  echo "fetch-fashion-mnist: installing Debian's $DEB_PACKAGE ..."
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$DEB_PACKAGE" >/dev/null; then
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$DEB_PACKAGE" >/dev/null || die "could not install $DEB_PACKAGE ($install_cmd)"
  fi
  have_source || die "$DEB_PACKAGE is installed but $SRC lacks the IDX files (see: dpkg -L $DEB_PACKAGE)"
fi

mkdir -p "$DIR"
for f in "${needed[@]}"; do
  src="$(idx_present "$SRC" "$f")"
  part="$DIR/.$f.part"
  # decompress (or copy) beside the target, verify, then rename: DIR never holds a bad or half-written file
  if idx_is_gzip "$src"; then
    gzip -dc "$src" > "$part"
  else
    cp "$src" "$part"
  fi
  actual="$(sha256sum "$part" | cut -d' ' -f1)"
  if [ "$actual" != "${SHA256[$f]}" ]; then
    rm -f "$part"
    die "$src decompresses to SHA-256 $actual, expected ${SHA256[$f]}"
  fi
  rm -f "$DIR/$f" "$DIR/$f.gz"
  mv -f "$part" "$DIR/$f"
done
echo "Fashion-MNIST fetched into $DIR: ${needed[*]} (all four files verified, SHA-256)."
