# Shared by scripts/fetch-mnist.sh and scripts/fetch-fashion-mnist.sh (sourced, not run): which of a data
# set's four IDX files are missing or damaged in a folder. The caller declares SHA256 (an associative array of
# the raw files' SHA-256, the same values as the runner's KnownDataset) and a die function.

IDX_FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

# Whether FILE starts with gzip's magic bytes (as the runner decides it).
idx_is_gzip() {
  [ "$(head -c 2 "$1" | od -An -tx1 | tr -d ' \n')" = "1f8b" ]
}

# SHA-256 of a file's uncompressed content.
idx_content_sha256() {
  if idx_is_gzip "$1"; then
    gzip -dc "$1" | sha256sum | cut -d' ' -f1
  else
    sha256sum "$1" | cut -d' ' -f1
  fi
}

# The file the runner would read in DIR: NAME, else NAME.gz; nothing when neither is there.
idx_present() {
  if [ -f "$1/$2" ]; then echo "$1/$2"; elif [ -f "$1/$2.gz" ]; then echo "$1/$2.gz"; fi
}

# Sets the array `needed` to the files of DIR that are missing or fail their SHA-256 (saying so on stderr,
# prefixed with TOOL); refuses a DIR that is not a directory.
idx_needed() {
  local dir="$1" tool="$2" f p
  command -v sha256sum >/dev/null || die "sha256sum is missing (it comes with coreutils)"
  if [ -e "$dir" ] && [ ! -d "$dir" ]; then die "$dir exists and is not a directory"; fi
  needed=()
  for f in "${IDX_FILES[@]}"; do
    p="$(idx_present "$dir" "$f")"
    if [ -z "$p" ]; then
      needed+=("$f")
    elif [ "$(idx_content_sha256 "$p" 2>/dev/null || true)" != "${SHA256[$f]}" ]; then
      echo "$tool: $p has the wrong SHA-256; replacing it" >&2
      needed+=("$f")
    fi
  done
}
