/**
 * The runner's file formats at their lowest level, shared by every other package and depending on none of them:
 * files written whole or not at all ({@link dev.toylora.runner.io.AtomicFiles}), the one JSON mapper
 * ({@link dev.toylora.runner.io.Json}), CSV ({@link dev.toylora.runner.io.Csv}) and markdown tables
 * ({@link dev.toylora.runner.io.MarkdownTable}).
 */
@NullMarked
package dev.toylora.runner.io;

import org.jspecify.annotations.NullMarked;
