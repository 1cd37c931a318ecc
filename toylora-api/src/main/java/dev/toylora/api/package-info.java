/**
 * ToyLoRA's engine-neutral API: a {@link dev.toylora.api.Backend} (found through
 * {@link java.util.ServiceLoader}) builds a {@link dev.toylora.api.Network} of fully connected
 * {@link dev.toylora.api.Layer}s, to which a LoRA {@link dev.toylora.api.Adapter} can be attached and
 * which a {@link dev.toylora.api.Trainer} trains one batch at a time.
 *
 * <p>Nothing here is null: every type is {@code @NullMarked}, so Kotlin sees non-null types.
 */
@NullMarked
package dev.toylora.api;

import org.jspecify.annotations.NullMarked;
