/**
 * LoRA adapters in Hugging Face PEFT's directory format ({@code adapter_config.json} and
 * {@code adapter_model.safetensors}): {@link dev.toylora.io.peft.PeftAdapter}.
 */
@NullMarked
package dev.toylora.io.peft;

import org.jspecify.annotations.NullMarked;
