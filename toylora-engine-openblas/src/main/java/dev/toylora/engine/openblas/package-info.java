/**
 * The ToyLoRA engine on OpenBLAS: the model of {@code toylora-model} (the MLP, LoRA, Adam, the loss and the order of
 * the random draws) on this engine's {@link dev.toylora.model.kernel.Kernels}, in float32, the matrix products by
 * {@code cblas_sgemm} through JavaCPP's OpenBLAS preset (the native library rides inside the jar).
 *
 * <p><b>Storage.</b> Every matrix is row-major in native memory ({@link dev.toylora.engine.openblas.NativeMatrix}),
 * handed to OpenBLAS as a pointer, and the products take the transposes BLAS offers rather than copying. Adam's
 * moments, which nothing but the Adam kernel touches, stay on the heap.
 *
 * <p><b>Threads.</b> Each kernel runs on the calling thread and one helper at once
 * ({@link dev.toylora.engine.openblas.Parallel}, work-claiming: on a busy machine it degrades to serial, never to
 * spinning), each taking a fixed half of the work (see {@link dev.toylora.engine.openblas.OpenBlasKernels}). Each
 * product runs on one OpenBLAS thread unless {@code -Dtoylora.openblas.threads=N} or {@code OPENBLAS_NUM_THREADS} says
 * otherwise; {@code -Dtoylora.openblas.workers=1} runs everything on the calling thread. The split depends only on the
 * shapes, so the results do not depend on the number of cores or threads.
 */
@NullMarked
package dev.toylora.engine.openblas;

import org.jspecify.annotations.NullMarked;
