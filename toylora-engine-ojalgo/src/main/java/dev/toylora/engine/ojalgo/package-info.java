/**
 * The ToyLoRA engine on ojAlgo: the model of {@code dev.toylora.model} on kernels ({@code OjAlgoKernels}) over row
 * arrays ({@code float[rows][columns]}, the layout of ojAlgo's {@link org.ojalgo.matrix.store.RawStore}), multiplied
 * by ojAlgo's row kernel ({@code AXPY} over whole rows, as its {@code MultiplyNeither} does) for floats
 * ({@code Products}). All is float32, as in PyTorch, but what the model computes in double (the loss, Adam's bias
 * corrections).
 *
 * <p><b>Layout.</b> Matrices are held in the model's (PyTorch's) layout, row by row: a weight {@code [out][in]},
 * activations {@code [rows][features]}. Each product is taken in the form ojAlgo's kernel runs fastest (it adds whole
 * rows of its right operand, so long rows are fast), from transposed copies a matrix keeps until it is written
 * ({@code RowMatrix}): z = x·Wᵀ from a Wᵀ made once per change of W, and the LoRA products with only r columns taken
 * transposed. No buffer is allocated per step once every copy exists; a large product or transpose allocates a few
 * fork/join task objects when it is split.
 *
 * <p>Networks, adapters and trainers are not thread-safe; large products are split by rows on the common fork/join
 * pool, each element summed by one thread in a fixed order, so results do not depend on the number of threads.
 */
@NullMarked
package dev.toylora.engine.ojalgo;

import org.jspecify.annotations.NullMarked;
