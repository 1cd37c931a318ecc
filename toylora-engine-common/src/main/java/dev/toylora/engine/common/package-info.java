/**
 * The engine-neutral pieces of ToyLoRA's math, shared so that every engine draws the same random numbers in
 * the same order and updates parameters with the same formulas: given the same seeds, two engines start from
 * bit-identical weights and adapters, drop the same units, and differ only by the rounding of their products.
 *
 * <p><b>The order of random draws</b>, from one {@link java.util.SplittableRandom} per purpose:
 * <ul>
 *   <li>{@code Backend.create(spec, seed)}: for fc1, fc2, … in turn, the weight in PyTorch's row-major
 *       {@code [out, in]} order, then the bias ({@link dev.toylora.engine.common.Uniform}).</li>
 *   <li>{@code Network.attach(lora, seed)}: for each target in the order the spec lists them, A in PEFT's
 *       row-major {@code [r, in]} order; B is zero.</li>
 *   <li>{@code Network.trainer(optimizer, seed)}: one stream for all dropout masks of all steps. Within a step,
 *       layer by layer from the input: first the layer's LoRA input mask (when its branch has dropout), one
 *       draw per input value, row by row ({@link Dropout#ROW_MAJOR}); then, for a hidden layer, the network's
 *       dropout on its output, one draw per value, unit by unit ({@link Dropout#UNIT_MAJOR}).</li>
 * </ul>
 * Not API: engines use this package, nothing else should.
 */
@NullMarked
package dev.toylora.engine.common;

import org.jspecify.annotations.NullMarked;
