/**
 * The runner's file formats at their lowest level, shared by every other package and depending on none of them:
 * the one JSON mapper ({@link dev.toylora.runner.io.Json}), CSV ({@link dev.toylora.runner.io.Csv}) and markdown
 * tables ({@link dev.toylora.runner.io.MarkdownTable}). Files are written whole or not at all by toylora-io's
 * {@link dev.toylora.io.files.AtomicFiles}.
 */
@NullMarked
package dev.toylora.runner.io;

import org.jspecify.annotations.NullMarked;
