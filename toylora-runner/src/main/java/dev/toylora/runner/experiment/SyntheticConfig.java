package dev.toylora.runner.experiment;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Model inversion, for {@code finetune.replay-source: synthetic} ({@code finetune.synthetic}): images optimised, from
 * noise, so that the frozen base gives each old class, with image priors and the base's own activation statistics.
 *
 * @param steps        Adam steps per batch of images
 * @param learningRate Adam's step on pixels in [0, 1]
 * @param batchSize    images optimised together; the statistics are matched over a batch, so it mixes every old class
 * @param statistics   weight of matching each hidden layer's per-unit mean and variance of its pre-activations, batch
 *                     against the base's on its training data (recorded at pretraining: numbers, never images)
 * @param tv           weight of total variation (squared differences of neighbouring pixels): smooth strokes
 * @param l2           weight of the pixels' squared size: dark background
 * @param jitter       each step shifts the batch by up to this many pixels, so images do not fit one exact position
 * @param confidence   the cross-entropy toward the target class is only applied while the base's probability of it is
 *                     below this (keeps the images from being pushed to adversarial certainty)
 * @param init         {@code noise}, or {@code new-images}: each image starts as a random new-class training image, so
 *                     synthetic and new images share the strokes of real handwriting and differ in class only
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public record SyntheticConfig(
        @Setting(help = "Adam steps per batch of synthetic images", value = "200", min = 1, max = 100000)
        int steps,
        @Setting(help = "Adam's step on pixels in [0, 1]", value = "0.05", min = 0, minExcluded = true, max = 10)
        double learningRate,
        @Setting(help = "synthetic images optimised together (statistics are matched over a batch)", value = "256", min = 2, max = 65536)
        int batchSize,
        @Setting(help = "weight of matching the base's per-unit activation mean and variance", value = "1.0", min = 0, max = 1e6)
        double statistics,
        @Setting(help = "weight of total variation: smooth strokes", value = "0.0005", min = 0, max = 1e6)
        double tv,
        @Setting(help = "weight of the pixels' squared size: dark background", value = "0.0", min = 0, max = 1e6)
        double l2,
        @Setting(help = "random shift of the batch by up to this many pixels each step", value = "1", min = 0, max = 13)
        int jitter,
        @Setting(help = "the target class's cross-entropy applies while the base's probability of it is below this",
                value = "1.0", min = 0, minExcluded = true, max = 1)
        double confidence,
        @Setting(help = "what the pixels start from: noise, or new-class training images (real strokes, turned into old classes)",
                value = "noise", choices = {"noise", "new-images"})
        String init) {

    /** The defaults (a test checks they are the declared ones). */
    public static final SyntheticConfig DEFAULT = new SyntheticConfig(200, 0.05, 256, 1.0, 0.0005, 0.0, 1, 1.0, "noise");

    /** Leaves the defaults out of written files when synthetic replay is not used. */
    public static final class IsDefault {
        @Override
        public boolean equals(Object value) {
            return DEFAULT.equals(value);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }
}
