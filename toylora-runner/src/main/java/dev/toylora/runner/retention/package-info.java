/**
 * Keeping the old classes while fine-tuning on new ones, without old images where possible: what is recorded with the
 * base at pretraining ({@link dev.toylora.runner.retention.BaseStatistics}: activation statistics, the Fisher
 * diagonal), synthetic old-class images made from the base alone ({@link dev.toylora.runner.retention.ModelInversion}),
 * and the fine-tuning loss that distils the base on them or on the new images (LwF)
 * ({@link dev.toylora.runner.retention.RetentionObjective}). EWC's penalty itself is LoRA math and lives with it
 * ({@code LoraLinear.ChangePenalty} in toylora-model).
 */
@NullMarked
package dev.toylora.runner.retention;

import org.jspecify.annotations.NullMarked;
