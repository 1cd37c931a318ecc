/**
 * The safetensors format ({@link dev.toylora.io.safetensors.Safetensors}, F32 only) and what ToyLoRA's checkpoints say
 * about themselves in {@code __metadata__} ({@link dev.toylora.io.safetensors.CheckpointMetadata}).
 */
@NullMarked
package dev.toylora.io.safetensors;

import org.jspecify.annotations.NullMarked;
