/**
 * The reference engine: the model's {@link dev.toylora.model.kernel.Kernels} as plain loops over row-major float
 * arrays, one thread, no library. It exists to be read — what each kernel means, with nothing in the way — and to be
 * the engine the others must agree with.
 */
@NullMarked
package dev.toylora.engine.java;

import org.jspecify.annotations.NullMarked;
