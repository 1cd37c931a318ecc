package dev.toylora.runner.pipeline;

import dev.toylora.runner.train.ClassAccuracy;
import dev.toylora.runner.train.EpochResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What one experiment measured, as written to {@code metrics.json}.
 *
 * @param adapted accuracy after fine-tuning; empty when {@code finetune.method} is {@code none}
 */
public record RunResult(String name, Path directory, ClassAccuracy base, Optional<ClassAccuracy> adapted,
                        List<Integer> oldClasses, List<Integer> newClasses, List<EpochResult> history,
                        long baseParameters, long trainableParameters, long addedParameters,
                        double pretrainSeconds, double finetuneSeconds, double evaluateSeconds, boolean baseCached) {

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
