/**
 * The data layer: reads the IDX files of MNIST and Fashion-MNIST (raw or gzip-compressed),
 * verifies their SHA-256, normalises the pixels and hands out {@link dev.toylora.io.data.Dataset}s.
 *
 * <p>Entry point: {@link dev.toylora.io.data.DatasetLoader#load(String, java.nio.file.Path)}.
 * Every failure is a {@link dev.toylora.io.data.DataException} whose message names the file and
 * what was expected; no partial data set is ever returned. The constants of each data set (file
 * names, checksums, mean and standard deviation, class names, mirrors) live in
 * {@link dev.toylora.io.data.KnownDataset}.
 */
@NullMarked
package dev.toylora.io.data;

import org.jspecify.annotations.NullMarked;
