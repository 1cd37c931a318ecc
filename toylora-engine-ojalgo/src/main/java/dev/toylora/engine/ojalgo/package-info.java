/**
 * The ToyLoRA engine on ojAlgo: an MLP, LoRA adapters and Adam, in double precision on row arrays
 * ({@code double[rows][columns]}, the data of ojAlgo's {@link org.ojalgo.matrix.store.RawStore}), multiplied by
 * ojAlgo's row kernel ({@code Products}).
 *
 * <p><b>Layout.</b> Parameters are held in PyTorch's layout, row by row: a layer's weight {@code [out][in]}, LoRA's
 * A as PEFT's {@code lora_A [r][in]} and B as {@code lora_B [out][r]}; checkpoints convert row by row.
 *
 * <p>Activations are kept in two layouts, batch-major {@code [rows][n]} and feature-major {@code [n][rows]}, written
 * together by the element-wise passes, so that each product takes the form ojAlgo's kernel runs fastest at these
 * shapes (measured): the kernel adds whole rows of the right operand, so a product is fast when its rows are long.
 * Forward feature-major, zᵀ = W·xᵀ; dW = dzᵀ·x; dx = dz·W; LoRA uᵀ = A·drop(x)ᵀ, vᵀ = B·uᵀ, and in the backward the
 * products that would have only r columns are taken transposed (dBᵀ = uᵀ·dz, duᵀ = Bᵀ·dzᵀ). No buffer is allocated
 * per step; ojAlgo allocates a task object or two when it splits a product among its threads.
 *
 * <p>Networks, adapters and trainers are not thread-safe; the matrix products use ojAlgo's own worker threads.
 */
@NullMarked
package dev.toylora.engine.ojalgo;

import org.jspecify.annotations.NullMarked;
