/**
 * The model, written once for every engine: {@link dev.toylora.model.LoraLinear} (a linear layer with its LoRA branch:
 * forward, backward, merge — all of LoRA's math in one file), {@link dev.toylora.model.Mlp} (the network),
 * {@link dev.toylora.model.MlpTrainer} (a training step and Adam) and the loss. It is written against the kernels of
 * {@link dev.toylora.model.kernel}, which is all an engine implements; so every engine runs the same model, and a new
 * engine is a few hundred lines.
 *
 * <p><b>The order of random draws</b> is fixed here, so every engine draws the same numbers:
 * <ul>
 *   <li>{@code Backend.create(spec, seed)}: one {@link java.util.SplittableRandom}; for fc1, fc2, … in turn, the weight
 *       in PyTorch's row-major {@code [out, in]} order, then the bias ({@link dev.toylora.model.Uniform}).</li>
 *   <li>{@code Network.attach(lora, seed)}: one stream; for each target in the spec's order, A row-major {@code [r, in]}.</li>
 *   <li>{@code Network.trainer(optimizer, seed)}: one stream for all dropout masks; where each draw of a step sits is
 *       {@code Mlp.StepDraws}'s to say.</li>
 * </ul>
 */
@NullMarked
package dev.toylora.model;

import org.jspecify.annotations.NullMarked;
