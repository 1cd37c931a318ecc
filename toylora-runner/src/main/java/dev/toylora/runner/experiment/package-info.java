/**
 * Experiment files: the YAML model ({@link dev.toylora.runner.experiment.Experiment} and its parts),
 * the parser with located, collected error messages ({@link dev.toylora.runner.experiment.ExperimentParser}),
 * Hydra-style {@code key=value} overrides, and the sweep grid ({@link dev.toylora.runner.experiment.SweepGrid}).
 *
 * <p>Every key is optional; the defaults reproduce the original project's setup (784 → 512 → 256 → 128 → 10,
 * pretraining on digits 0–7, LoRA r = 16 on 8–9). Relative paths in a file ({@code data.dir}) are resolved
 * against the current working directory of the process, not against the file's directory.
 */
@org.jspecify.annotations.NullMarked
package dev.toylora.runner.experiment;
