/**
 * {@code runner serve}: one frozen base and many LoRA adapters behind a JSON API and a page, with requests for
 * different adapters batched into one pass of the base (as S-LoRA, Punica and LoRAX serve LoRA).
 */
@NullMarked
package dev.toylora.runner.serve;

import org.jspecify.annotations.NullMarked;
