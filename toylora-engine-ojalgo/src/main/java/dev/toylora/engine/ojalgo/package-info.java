/**
 * The ToyLoRA engine on ojAlgo: an MLP, LoRA adapters and Adam, in double precision on
 * {@link org.ojalgo.matrix.store.R064Store}s.
 *
 * <p><b>Layout.</b> A layer computes {@code y = x·W + b} with W an {@code [in × out]} store. ojAlgo
 * stores are column-major, so the data of an {@code [m × n]} store, read in order, is the row-major
 * {@code [n, m]} tensor: W's data is exactly PyTorch's {@code weight [out, in]}, LoRA's
 * A {@code [in × r]} is PEFT's {@code lora_A.weight [r, in]} and B {@code [r × out]} is
 * {@code lora_B.weight [out, r]}. Weights therefore cross the API as flat copies.
 *
 * <p>Activations are kept in two layouts, batch-major {@code [rows × n]} and feature-major
 * {@code [n × rows]}, written together by the element-wise passes (tens of µs, against milliseconds
 * for the products), so that each product takes the operand forms ojAlgo multiplies fastest here:
 * z = (xᵀ)ᵀ·W and dW = xᵀ·dz with a transposed view on the left, dxᵀ = W·dzᵀ with plain stores.
 * No store is allocated per step; ojAlgo itself allocates a few small work arrays per product.
 *
 * <p>Networks, adapters and trainers are not thread-safe; the matrix products use ojAlgo's own
 * worker threads.
 */
@NullMarked
package dev.toylora.engine.ojalgo;

import org.jspecify.annotations.NullMarked;
