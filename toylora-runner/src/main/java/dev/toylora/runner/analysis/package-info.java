/**
 * {@code runner analyze}: the LoRA paper's analysis of the low-rank updates (Hu et al., 2021, §7) on one base, its
 * full fine-tune and LoRA adapters of it — the spectrum of the full update, subspace similarity between adapters,
 * how an update relates to the weights it changes, and the full update truncated to rank r against LoRA trained at
 * rank r. Every decomposition and product is ojAlgo's; this package only arranges them and writes the results.
 */
@NullMarked
package dev.toylora.runner.analysis;

import org.jspecify.annotations.NullMarked;
