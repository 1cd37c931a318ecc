package dev.toylora.runner.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;
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
public record StageConfig(
        @JsonProperty("classes") List<Integer> classes,
        @JsonProperty("epochs") int epochs,
        @JsonProperty("batch-size") int batchSize,
        @JsonProperty("learning-rate") double learningRate,
        @JsonProperty("weight-decay") double weightDecay,
        @JsonProperty("schedule") String schedule,
        @JsonProperty("warmup-epochs") int warmupEpochs) implements TrainingConfig {

    public StageConfig {
        classes = List.copyOf(classes);
        Objects.requireNonNull(schedule, "schedule");
    }
}
