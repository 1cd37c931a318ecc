package dev.toylora.runner.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.toylora.api.NetworkSpec;
import java.util.List;
import java.util.Objects;

/**
 * One experiment file, resolved: every default filled in, every value validated. Build it with
 * {@link ExperimentParser}; write it back with {@link ExperimentParser#toYaml(Experiment)} or
 * {@link ExperimentParser#toJsonNode(Experiment)} (kebab-case keys, the same as the file's).
 *
 * @param name    {@code [a-z0-9._-]+}; defaults to the file name without extension. Trials of a sweep are
 *                named {@code <name>/<label>}, see {@link SweepGrid}.
 * @param backend engine name; by default the available engine of the highest {@link dev.toylora.api.Backend#rank()},
 *                chosen when the file is read; whether a named one exists is for the caller to check
 * @param seed    the base seed; pretraining uses it, so every trial of a sweep shares one base
 * @param sweep   empty unless the file has a {@code sweep:} block; omitted from the JSON/YAML when empty
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public record Experiment(
        @Setting(help = "the experiment's name: results go to results/<name>/", derived = "the file name without extension",
                pattern = NAME, expected = "lower-case letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. lora-r16)")
        String name,
        @Setting(help = "the engine that does the math; `runner backends` lists them",
                derived = "the available engine of the highest rank", pattern = "[A-Za-z0-9][A-Za-z0-9._-]{0,99}",
                expected = "an engine name such as ojalgo")
        String backend,
        @Setting(help = "the base seed: initialisation, shuffling, dropout, validation split", value = "42") long seed,
        DataConfig data,
        ModelConfig model,
        StageConfig pretrain,
        FinetuneConfig finetune,
        @Setting(help = "a grid of dotted keys and the values each takes; one run per combination")
        @JsonInclude(JsonInclude.Include.NON_EMPTY) SweepConfig sweep) {

    /** An experiment's own name, or a trial's: {@code <name>/<label>}. */
    public static final String NAME = "[a-z0-9][a-z0-9._-]{0,99}(/[a-z0-9._=,+-]{1,100})?";

    public Experiment {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(pretrain, "pretrain");
        Objects.requireNonNull(finetune, "finetune");
        Objects.requireNonNull(sweep, "sweep");
    }

    /** The network: 784 inputs, {@code model.hidden}, 10 outputs, {@code model.dropout}. */
    public NetworkSpec network() {
        return model.toNetworkSpec();
    }

    /** The old classes replayed during fine-tuning (all pretraining classes unless listed). */
    public List<Integer> replayClasses() {
        return finetune.effectiveReplayClasses(pretrain);
    }

    /** A copy under another name. */
    public Experiment withName(String newName) {
        return new Experiment(newName, backend, seed, data, model, pretrain, finetune, sweep);
    }

    /** A copy with another sweep block. */
    Experiment withSweep(SweepConfig newSweep) {
        return new Experiment(name, backend, seed, data, model, pretrain, finetune, newSweep);
    }

    /** A copy without the sweep block. */
    public Experiment withoutSweep() {
        return new Experiment(name, backend, seed, data, model, pretrain, finetune, SweepConfig.empty());
    }
}
