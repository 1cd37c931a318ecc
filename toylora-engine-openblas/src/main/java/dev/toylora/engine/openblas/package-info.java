/**
 * The ToyLoRA engine on OpenBLAS: an MLP, LoRA adapters and Adam in float32, the matrix products by
 * {@code cblas_sgemm} through JavaCPP's OpenBLAS preset (the native library rides inside the jar).
 *
 * <p><b>Layout.</b> Everything is row-major, as PyTorch's tensors are: a layer's weight is {@code [out, in]}
 * ({@code fc1.weight}), LoRA's A is {@code [r, in]} ({@code lora_A.weight}) and B {@code [out, r]}
 * ({@code lora_B.weight}), activations are {@code [rows, features]}. The products take the transposes BLAS offers:
 * z = x·Wᵀ, dW = dzᵀ·x, dx = dz·W, u = x·Aᵀ, v = u·Bᵀ, dB = s·dzᵀ·u, du = s·dz·B, dA = duᵀ·x, dx += du·A.
 *
 * <p><b>Agreement.</b> Initialisation, dropout masks and Adam come from {@code toylora-engine-common}, with the
 * ojAlgo engine's draw order, so that for the same seeds both engines start bit-identical and drop the same units;
 * both compute in float32, and they then differ only by rounding, each summing its products in its own order (the
 * contract suite measures it).
 *
 * <p><b>Threads.</b> The calling thread and one helper run each phase of a step at once
 * ({@link dev.toylora.engine.openblas.Parallel}, work-claiming: on a busy machine it degrades to serial, never to
 * spinning): a layer's forward products by halves of its outputs, its backward products by halves of its inputs, the
 * weight gradients over the whole batch by halves of their rows, each block then updated by Adam. Each product runs on
 * one OpenBLAS thread unless {@code -Dtoylora.openblas.threads=N} or {@code OPENBLAS_NUM_THREADS} says otherwise;
 * {@code -Dtoylora.openblas.workers=1} runs everything on the calling thread. The split is fixed, so the results do not
 * depend on the number of cores or threads.
 *
 * <p>Networks, adapters and trainers are not thread-safe. No Java array is allocated per step; every matrix lives in
 * native memory ({@link dev.toylora.engine.openblas.NativeFloats}), handed to OpenBLAS as a pointer.
 */
@NullMarked
package dev.toylora.engine.openblas;

import org.jspecify.annotations.NullMarked;
