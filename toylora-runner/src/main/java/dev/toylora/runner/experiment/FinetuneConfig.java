package dev.toylora.runner.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * Fine-tuning on new classes.
 *
 * @param method        {@code lora} (adapter only), {@code full} (every base weight trains, no adapter) or
 *                      {@code none} (pretrain and evaluate only)
 * @param classes       the new classes: distinct, 0..9, none of them in {@code pretrain.classes} (unless method is none)
 * @param replay        old-class samples mixed in, as a fraction of the new-class sample count, 0..100
 * @param replayClasses which old classes to replay; empty (the default) means all of {@code pretrain.classes}
 *                      — see {@link #effectiveReplayClasses(StageConfig)}
 * @param lora          the adapter, used when method is {@code lora}
 */
public record FinetuneConfig(
        @JsonProperty("method") String method,
        @JsonProperty("classes") List<Integer> classes,
        @JsonProperty("replay") double replay,
        @JsonProperty("replay-classes") List<Integer> replayClasses,
        @JsonProperty("epochs") int epochs,
        @JsonProperty("batch-size") int batchSize,
        @JsonProperty("learning-rate") double learningRate,
        @JsonProperty("weight-decay") double weightDecay,
        @JsonProperty("schedule") String schedule,
        @JsonProperty("warmup-epochs") int warmupEpochs,
        @JsonProperty("lora") LoraConfig lora) implements TrainingConfig {

    public static final String LORA = "lora";
    public static final String FULL = "full";
    public static final String NONE = "none";
    public static final List<String> METHODS = List.of(LORA, FULL, NONE);

    public FinetuneConfig {
        Objects.requireNonNull(method, "method");
        classes = List.copyOf(classes);
        replayClasses = List.copyOf(replayClasses);
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(lora, "lora");
    }

    /** The classes replayed: {@link #replayClasses()}, or all pretraining classes when that is empty. */
    public List<Integer> effectiveReplayClasses(StageConfig pretrain) {
        return replayClasses.isEmpty() ? pretrain.classes() : replayClasses;
    }
}
