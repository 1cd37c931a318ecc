package dev.toylora.runner.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
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
 * @param backend engine name, e.g. {@code ojalgo}; whether it exists is for the caller to check
 * @param seed    the base seed; pretraining uses it, so every trial of a sweep shares one base
 * @param sweep   empty unless the file has a {@code sweep:} block; omitted from the JSON/YAML when empty
 */
@JsonPropertyOrder({"name", "backend", "seed", "data", "model", "pretrain", "finetune", "sweep"})
public record Experiment(
        @JsonProperty("name") String name,
        @JsonProperty("backend") String backend,
        @JsonProperty("seed") long seed,
        @JsonProperty("data") DataConfig data,
        @JsonProperty("model") ModelConfig model,
        @JsonProperty("pretrain") StageConfig pretrain,
        @JsonProperty("finetune") FinetuneConfig finetune,
        @JsonProperty("sweep") @JsonInclude(JsonInclude.Include.NON_EMPTY) SweepConfig sweep) {

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

    /** A copy without the sweep block. */
    public Experiment withoutSweep() {
        return new Experiment(name, backend, seed, data, model, pretrain, finetune, SweepConfig.empty());
    }
}
