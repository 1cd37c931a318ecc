/**
 * The kernels of the engines on native memory ({@code openblas}, {@code onednn}): the model of {@code toylora-model}
 * needs an engine's {@link dev.toylora.model.kernel.Kernels}, and these are they, all but the matrix product, which
 * each engine gives as its library's {@link dev.toylora.nativekernels.Sgemm}.
 *
 * <p><b>Storage.</b> Every matrix is row-major in native memory ({@link dev.toylora.nativekernels.NativeMatrix}),
 * handed to the library as a pointer, and the products take the transposes sgemm offers rather than copying. Adam's
 * moments, which nothing but the Adam kernel touches, stay on the heap.
 *
 * <p><b>Threads.</b> Each kernel runs on the calling thread and one helper at once
 * ({@link dev.toylora.nativekernels.Parallel}, work-claiming: on a busy machine it degrades to serial, never to
 * spinning), each taking a fixed half of the work (see {@link dev.toylora.nativekernels.NativeKernels}); each sgemm
 * call runs on one thread. {@code -Dtoylora.native.workers=1} runs everything on the calling thread. The split depends
 * only on the shapes, so the results do not depend on the number of cores or threads.
 */
@NullMarked
package dev.toylora.nativekernels;

import org.jspecify.annotations.NullMarked;
