package dev.toylora.runner.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.toylora.api.LoraSpec;
import java.util.List;

/**
 * The LoRA adapter, in PEFT's terms.
 *
 * @param rank    {@code r}, ≥ 1 and ≤ max(in, out) of every targeted layer
 * @param alpha   {@code lora_alpha}, > 0
 * @param targets {@code target_modules}: layer names of the model; by default all of them
 * @param bias    PEFT's {@code bias="lora_only"}: the biases of adapted layers train too
 * @param dropout {@code lora_dropout}, in [0, 1)
 * @param rslora  {@code use_rslora}: scale by alpha/√r instead of alpha/r
 */
public record LoraConfig(
        @JsonProperty("rank") int rank,
        @JsonProperty("alpha") double alpha,
        @JsonProperty("targets") List<String> targets,
        @JsonProperty("bias") boolean bias,
        @JsonProperty("dropout") double dropout,
        @JsonProperty("rslora") boolean rslora) {

    public LoraConfig {
        targets = List.copyOf(targets);
    }

    public LoraSpec toLoraSpec() {
        return new LoraSpec(rank, alpha, targets, bias, dropout, rslora);
    }
}
