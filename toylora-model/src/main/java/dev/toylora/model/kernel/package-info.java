/**
 * The seam between the model and an engine: {@link dev.toylora.model.kernel.Kernels} and its
 * {@link dev.toylora.model.kernel.Matrix}. An engine implements this small interface — storage, products with
 * transposes, a fused bias/ReLU/dropout epilogue, a few element-wise passes, column sums and Adam's update — and
 * keeps every layout and threading choice inside it. Dropout draws are addressable
 * ({@link dev.toylora.model.kernel.DropoutDraws}), so a kernel may evaluate them in any order and still drop what
 * every other engine drops.
 */
@NullMarked
package dev.toylora.model.kernel;

import org.jspecify.annotations.NullMarked;
