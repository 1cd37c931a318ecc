/**
 * Files and folders written whole or not at all: {@link dev.toylora.io.files.AtomicFiles}.
 */
@NullMarked
package dev.toylora.io.files;

import org.jspecify.annotations.NullMarked;
