package dev.toylora.runner.experiment;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Objects;

/**
 * Pretraining: which classes the base learns and how.
 *
 * @param classes      distinct classes 0..9, at least one
 * @param epochs       0..1000; 0 leaves the base untrained
 * @param batchSize    1..65536
 * @param learningRate in (0, 10]
 * @param weightDecay  in [0, 1]; above 0 makes Adam AdamW
 * @param schedule     {@code constant} or {@code cosine}
 * @param warmupEpochs 0..epochs
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public record StageConfig(
        @Setting(help = "the classes the base learns", value = "[0, 1, 2, 3, 4, 5, 6, 7]", list = Setting.ListOf.CLASSES,
                min = 0, max = ModelConfig.OUTPUTS - 1)
        List<Integer> classes,
        @Setting(help = "training epochs; 0 leaves the base untrained", value = "10", min = 0, max = 1000)
        int epochs,
        @Setting(help = "images per step", value = "64", min = 1, max = 65536)
        int batchSize,
        @Setting(help = "Adam's peak learning rate", value = "0.001", min = 0, minExcluded = true, max = 10)
        double learningRate,
        @Setting(help = "decoupled weight decay; above 0 makes Adam AdamW", value = "0.0", min = 0, max = 1)
        double weightDecay,
        @Setting(help = "learning-rate schedule after warm-up", value = "constant", choices = {"constant", "cosine"})
        String schedule,
        @Setting(help = "epochs of linear warm-up from 0", value = "0", min = 0, max = 1000, atMost = "epochs")
        int warmupEpochs) implements TrainingConfig {

    public StageConfig {
        classes = List.copyOf(classes);
        Objects.requireNonNull(schedule, "schedule");
    }
}
