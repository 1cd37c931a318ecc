package dev.toylora.runner.experiment;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * How fine-tuning keeps the old classes besides replay: the loss on each kind of row and EWC's penalty
 * ({@code finetune.retention}). All off by default: cross-entropy on every row's label, as plain fine-tuning.
 *
 * @param distill     replayed rows (images or synthetic) learn the base's outputs on them instead of their labels:
 *                    this weight times T²·KL(base ‖ model) at temperature T; 0 = cross-entropy on their labels
 * @param lwf         Learning without Forgetting: the new images also learn the base's outputs over the old classes'
 *                    logits, with this weight (T²·KL at temperature T)
 * @param temperature T of both distillations
 * @param fullSoftmax the new images' cross-entropy: this fraction over all logits, the rest over the new classes'
 *                    logits only (which does not push the old classes' logits down)
 * @param ewc         elastic weight consolidation: strength λ of ½·λ·Σ F⊙ΔW², F the base's Fisher diagonal on the old
 *                    classes (recorded at pretraining), ΔW what the adapter changes
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public record RetentionConfig(
        @Setting(help = "replayed rows learn the base's outputs (T²·KL, this weight) instead of their labels; 0 = labels",
                value = "0.0", min = 0, max = 1000)
        double distill,
        @Setting(help = "Learning without Forgetting: weight of distillation toward the base on the new images' old-class logits",
                value = "0.0", min = 0, max = 1000)
        double lwf,
        @Setting(help = "temperature of both distillations", value = "2.0", min = 0, minExcluded = true, max = 100)
        double temperature,
        @Setting(help = "the new images' cross-entropy: this fraction over all logits, the rest over the new classes' only",
                value = "1.0", min = 0, max = 1)
        double fullSoftmax,
        @Setting(help = "EWC: strength of the Fisher-weighted penalty on what the adapter changes (lora only)",
                value = "0.0", min = 0, max = 1e12)
        double ewc) {

    /** The defaults: plain fine-tuning (a test checks they are the declared ones). */
    public static final RetentionConfig OFF = new RetentionConfig(0, 0, 2, 1, 0);

    /** Plain fine-tuning: nothing but cross-entropy on labels. */
    public boolean off() {
        return distill == 0 && lwf == 0 && fullSoftmax == 1 && ewc == 0;
    }

    /** Whether a step needs more than cross-entropy on labels. */
    public boolean changesTheLoss() {
        return distill > 0 || lwf > 0 || fullSoftmax < 1;
    }

    /** Leaves the default out of written files, so experiments that do not use it read as before. */
    public static final class IsOff {
        @Override
        public boolean equals(Object value) {
            return OFF.equals(value);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
