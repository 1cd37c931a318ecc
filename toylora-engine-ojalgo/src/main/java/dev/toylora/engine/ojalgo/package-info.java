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
 * transposed. Whichever way round, every element is summed term by term in the reference engine's order
 * ({@code toylora-engine-java}) and scaled as it scales them, so the two compute the same bits. No buffer is allocated
 * per step once every copy exists, but for a few fork/join task objects where work is split and a row of sums for a
 * product added onto a matrix.
 *
 * <p>Networks, adapters and trainers are not thread-safe; large products, transposes and element-wise passes are split
 * by rows on the common fork/join pool, each element computed by one thread in a fixed order, so results do not depend
 * on the number of threads. The kernels themselves hold no state and are shared by every network.
 */
@NullMarked
package dev.toylora.engine.ojalgo;

import org.jspecify.annotations.NullMarked;
