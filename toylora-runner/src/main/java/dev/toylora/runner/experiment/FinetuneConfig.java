package dev.toylora.runner.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
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
 * @param replaySource  where replayed old-class images come from: stored images, or synthetic ones made from the base
 * @param lora          the adapter, used when method is {@code lora}
 * @param retention     the losses and penalty that keep the old classes (distillation, LwF, EWC); off by default
 * @param synthetic     how synthetic old-class images are made, for {@code replay-source: synthetic}
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public record FinetuneConfig(
        @Setting(help = "lora: an adapter trains; full: every weight trains; none: pretrain and evaluate only",
                value = "lora")
        FinetuneMethod method,
        @Setting(help = "the new classes, none of them pretrained", value = "[8, 9]", list = Setting.ListOf.CLASSES,
                min = 0, max = ModelConfig.OUTPUTS - 1)
        List<Integer> classes,
        @Setting(help = "old-class images mixed in, as a fraction of the new-class images", value = "0.0", min = 0, max = 100)
        double replay,
        @Setting(help = "which old classes to replay; empty = all of pretrain.classes", value = "[]",
                list = Setting.ListOf.CLASSES, min = 0, max = ModelConfig.OUTPUTS - 1, minSize = 0)
        List<Integer> replayClasses,
        @Setting(help = "where replayed images come from: images (stored old images) or synthetic (made from the base)",
                value = "images")
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = ReplaySource.IsDefault.class)
        ReplaySource replaySource,
        @Setting(help = "training epochs; 0 leaves the base as it is", value = "5", min = 0, max = 1000)
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
        int warmupEpochs,
        LoraConfig lora,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = RetentionConfig.IsOff.class)
        RetentionConfig retention,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = SyntheticConfig.IsDefault.class)
        SyntheticConfig synthetic) implements TrainingConfig {

    public FinetuneConfig {
        Objects.requireNonNull(method, "method");
        classes = List.copyOf(classes);
        replayClasses = List.copyOf(replayClasses);
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(lora, "lora");
        // Absent from files written before these keys existed (metrics.json of older runs): what those runs did.
        if (replaySource == null) replaySource = ReplaySource.IMAGES;
        if (retention == null) retention = RetentionConfig.OFF;
        if (synthetic == null) synthetic = SyntheticConfig.DEFAULT;
    }

    /** The classes replayed: {@link #replayClasses()}, or all pretraining classes when that is empty. */
    public List<Integer> effectiveReplayClasses(StageConfig pretrain) {
        return replayClasses.isEmpty() ? pretrain.classes() : replayClasses;
    }
}
