/**
 * The ToyLoRA engine on OpenBLAS: the model of {@code toylora-model} (the MLP, LoRA, Adam, the loss and the order of
 * the random draws) on the shared native-memory kernels of {@code toylora-native-kernels}, in float32, the matrix
 * products by {@code cblas_sgemm} through JavaCPP's OpenBLAS preset (the native library rides inside the jar).
 *
 * <p>Each product runs on one OpenBLAS thread (the kernels split the work over two threads themselves) unless
 * {@code -Dtoylora.openblas.threads=N} or {@code OPENBLAS_NUM_THREADS} says otherwise. OpenBLAS picks its kernels for
 * the CPU unless {@code OPENBLAS_CORETYPE} names others; the engine warns when that leaves AVX-512 unused.
 */
@NullMarked
package dev.toylora.engine.openblas;

import org.jspecify.annotations.NullMarked;
