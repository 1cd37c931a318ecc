/**
 * The ToyLoRA engine on ojAlgo: an MLP, LoRA adapters and Adam, in float32 on row arrays ({@code float[rows][columns]},
 * the layout of ojAlgo's {@link org.ojalgo.matrix.store.RawStore}), multiplied by ojAlgo's row kernel ({@code AXPY} over
 * whole rows, as its {@code MultiplyNeither} does) for floats ({@code Products}). As in the OpenBLAS engine (and PyTorch), all is float32 but the loss's exponentials and
 * sums, taken in double from the float logits, and Adam's bias corrections, computed in double and then rounded.
 *
 * <p><b>Layout.</b> Parameters are held in PyTorch's layout, row by row: a layer's weight {@code [out][in]}, LoRA's
 * A as PEFT's {@code lora_A [r][in]} and B as {@code lora_B [out][r]}; checkpoints convert row by row.
 *
 * <p>Activations are kept in two layouts, batch-major {@code [rows][n]} and feature-major {@code [n][rows]}, written
 * together by the element-wise passes, so that each product takes the form ojAlgo's kernel runs fastest at these
 * shapes (measured): the kernel adds whole rows of the right operand, so a product is fast when its rows are long.
 * Training, z = x·Wᵀ (from a transpose of W the trainer makes before each step; eval keeps zᵀ = W·xᵀ, whose rows are
 * the eval batch's); dW = dzᵀ·x; dx = dz·W; LoRA uᵀ = A·drop(x)ᵀ, vᵀ = B·uᵀ, and in the backward the products that
 * would have only r columns are taken transposed (dBᵀ = uᵀ·dz, duᵀ = Bᵀ·dzᵀ). No buffer is allocated per step; a large
 * product allocates a few fork/join task objects when it is split.
 *
 * <p>Networks, adapters and trainers are not thread-safe; large products are split by rows on the common fork/join
 * pool, each element summed by one thread in a fixed order, so results do not depend on the number of threads.
 */
@NullMarked
package dev.toylora.engine.ojalgo;

import org.jspecify.annotations.NullMarked;
