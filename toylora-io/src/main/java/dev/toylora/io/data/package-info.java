/**
 * Data sets: the IDX files of MNIST and Fashion-MNIST (raw or gzip-compressed, verified by SHA-256), IDX files of one's
 * own, or a folder of images per class, their pixels standardised, as {@link dev.toylora.io.data.Dataset}s that yield
 * {@link dev.toylora.api.Batch}es.
 *
 * <p>Entry point: {@link dev.toylora.io.data.Datasets}. Every failure is a {@link dev.toylora.io.data.DataException}
 * whose message names the file and what was expected; no partial data set is ever returned. The constants of each known
 * data set (file names, checksums, mean and standard deviation, class names, mirrors) live in
 * {@link dev.toylora.io.data.KnownDataset}.
 */
@NullMarked
package dev.toylora.io.data;

import org.jspecify.annotations.NullMarked;
