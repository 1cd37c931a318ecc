package dev.toylora.runner.results;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.FinetuneMethod;
import java.util.Collection;
import java.util.List;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;

/**
 * What {@code results/<name>/metrics.json} holds, field by field in the file's order (snake_case keys; the
 * {@code config} is the resolved experiment with its own kebab-case keys). Accuracies are percentages rounded to
 * two decimals; absent parts (no fine-tuning, no validation split) are left out of the file.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Metrics(String schema, String name, String backend, String backendVersion, long seed, long finetuneSeed,
                      FinetuneMethod method, Parameters parameters, Accuracy base, @Nullable Accuracy adapted,
                      @Nullable Change change, @Nullable Validation validation, Classes classes, Seconds seconds,
                      Training training, @Nullable Retention retention, Data data, Environment environment, @Nullable Machine machine, Experiment config,
                      Checkpoints checkpoints) {

    /** The value of {@link #schema()}: this layout, version 1. */
    public static final String SCHEMA = "toylora.metrics/1";

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Parameters(long base, long trainable, long total, double trainablePercentOfTotal) {}

    /** One model's test (or validation) accuracy: overall, on the old and new classes, and per class. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Accuracy(double overall, double old, @JsonProperty("new") double fresh, double[] perClass, int[] correct,
                           int[] total) {}

    /** Adapted minus base, in percentage points. */
    public record Change(double overall, double old, @JsonProperty("new") double fresh) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Validation(long images, Accuracy base, @Nullable Accuracy adapted) {}

    public record Classes(List<Integer> old, @JsonProperty("new") List<Integer> fresh) {}

    public record Seconds(double pretrain, double finetune, double evaluate) {}

    /**
     * What keeps the old classes when fine-tuning uses more than stored-image replay (finetune.retention, synthetic
     * replay): what is kept with the base on disk for it, what recording it and making synthetic images cost.
     *
     * @param keptBytes              bytes kept with the base for it (activation statistics, Fisher diagonal)
     * @param recordSeconds          recording them after pretraining; 0 when read from beside a cached base
     * @param syntheticBaseAgreement the share of synthetic images the base gives the class they were made for
     * @param syntheticBytes         the synthetic images in memory (float32)
     * @param peakHeapBytes          the JVM's peak heap use over the whole run, every pool summed
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Retention(String replaySource, long keptBytes, double recordSeconds, @Nullable Integer syntheticImages,
                            @Nullable Double syntheticSeconds, @Nullable Double syntheticBaseAgreement,
                            @Nullable Long syntheticBytes, @Nullable Boolean syntheticCached, long peakHeapBytes) {}

    /** The fine-tuning counts are there when fine-tuning ran; the throughput when the base was trained, not cached. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Training(boolean baseCached, long pretrainImages, @Nullable Integer finetuneNewImages,
                           @Nullable Integer finetuneReplayedImages, long trainingFlopsPerImage,
                           @Nullable Double pretrainGflopsPerSecond) {}

    /**
     * @param sha256     IDX file name (an image folder: train, test) → its SHA-256, sorted by name
     * @param mean       the mean that standardised the pixels (own data: of its training split); absent in older files
     * @param std        their standard deviation
     * @param classNames the name of each class, index = label
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Data(String dataset, long trainImages, long testImages, long validationImages,
                       SortedMap<String, String> sha256, @Nullable Double mean, @Nullable Double std,
                       @Nullable List<String> classNames) {}

    public record Environment(String toylora, String java, String os, int processors, String created) {}

    /**
     * The processor the run ran on: the same engine can give other numbers on another one (OpenBLAS, for one, picks its
     * kernels by the instruction sets it finds). Null in files written before it was recorded, and then left out.
     *
     * @param cpu    the model name, or "unknown"
     * @param vendor e.g. GenuineIntel, AuthenticAMD, or "unknown"
     * @param isa    the instruction-set extensions that change a float32 kernel's choice (avx2, fma, avx512f, …), in a
     *               fixed order; empty when they could not be read
     */
    public record Machine(String cpu, String vendor, String arch, List<String> isa) {}

    /** Paths relative to the results folder; {@code adapter} for LoRA, {@code finetuned} for full fine-tuning. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Checkpoints(String base, @Nullable String adapter, @Nullable String finetuned) {}

    /** {@code value} rounded to two decimals, as every percentage and time in the file is. */
    public static double round(double value) {
        return Double.isFinite(value) ? Math.round(value * 100.0) / 100.0 : value;
    }

    /** Rounded percentages of {@code accuracy}, with {@code old} and {@code fresh} the class groups. */
    public static Accuracy accuracy(dev.toylora.runner.train.ClassAccuracy accuracy, Collection<Integer> old,
                                    Collection<Integer> fresh) {
        double[] perClass = accuracy.perClass();
        for (int c = 0; c < perClass.length; c++) perClass[c] = round(perClass[c]);
        return new Accuracy(round(accuracy.overall()), round(accuracy.group(old)), round(accuracy.group(fresh)), perClass,
                accuracy.correct().clone(), accuracy.total().clone());
    }
}
