package dev.toylora.runner.pipeline;

import dev.toylora.runner.results.ComparisonTable;
import dev.toylora.runner.train.ClassAccuracy;
import dev.toylora.runner.train.EpochResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What one experiment measured, as written to {@code metrics.json}.
 *
 * @param adapted    accuracy after fine-tuning; empty when {@code finetune.method} is {@code none}
 * @param classNames the name of each class, index = label
 */
public record RunResult(String name, Path directory, ClassAccuracy base, Optional<ClassAccuracy> adapted,
                        List<Integer> oldClasses, List<Integer> newClasses, List<EpochResult> history,
                        long baseParameters, long trainableParameters, long addedParameters,
                        double pretrainSeconds, double finetuneSeconds, double evaluateSeconds, boolean baseCached,
                        List<String> classNames) {

    public RunResult {
        classNames = List.copyOf(classNames);
    }

    /** A result whose classes are named by their numbers (MNIST's digits). */
    public RunResult(String name, Path directory, ClassAccuracy base, Optional<ClassAccuracy> adapted,
                     List<Integer> oldClasses, List<Integer> newClasses, List<EpochResult> history,
                     long baseParameters, long trainableParameters, long addedParameters,
                     double pretrainSeconds, double finetuneSeconds, double evaluateSeconds, boolean baseCached) {
        this(name, directory, base, adapted, oldClasses, newClasses, history, baseParameters, trainableParameters, addedParameters,
                pretrainSeconds, finetuneSeconds, evaluateSeconds, baseCached, ComparisonTable.numbers(base.classes()));
    }

    public double baseOld() {
        return base.group(oldClasses);
    }

    public double baseNew() {
        return base.group(newClasses);
    }

    public ClassAccuracy adaptedOrThrow() {
        return adapted.orElseThrow(() -> new IllegalStateException(name + " did not fine-tune (finetune.method: none)"));
    }
}
