package dev.toylora.runner.experiment;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
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
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public record LoraConfig(
        @Setting(help = "PEFT's r: the rank of the update B·A", value = "16", min = 1, max = Integer.MAX_VALUE)
        int rank,
        @Setting(help = "PEFT's lora_alpha: the update is scaled by alpha/r", value = "32", min = 0, minExcluded = true,
                maxExcluded = true)
        double alpha,
        @Setting(help = "PEFT's target_modules: the layers that get an adapter", derived = "every layer of the model",
                list = Setting.ListOf.LAYERS)
        List<String> targets,
        @Setting(help = "PEFT's bias=\"lora_only\": the biases of adapted layers train too", value = "false")
        boolean bias,
        @Setting(help = "PEFT's lora_dropout, on the adapter's input", value = "0.0", min = 0, max = 1, maxExcluded = true)
        double dropout,
        @Setting(help = "PEFT's use_rslora: scale by alpha/√r instead of alpha/r", value = "false")
        boolean rslora) {

    public LoraConfig {
        targets = List.copyOf(targets);
    }

    public LoraSpec toLoraSpec() {
        return new LoraSpec(rank, alpha, targets, bias, dropout, rslora);
    }
}
