/**
 * The runner's side of the data: downloading the files of a known data set that are missing
 * ({@link dev.toylora.runner.data.Downloader}, switched off by {@code TOYLORA_OFFLINE=1}). Reading, verifying and
 * normalising them is {@code toylora-io}'s {@link dev.toylora.io.data}.
 */
@NullMarked
package dev.toylora.runner.data;

import org.jspecify.annotations.NullMarked;
