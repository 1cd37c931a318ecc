package dev.toylora.runner.retention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Batch;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import dev.toylora.engine.java.JavaBackend;
import dev.toylora.io.data.Dataset;
import dev.toylora.runner.experiment.SyntheticConfig;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Model inversion on a tiny network (4×4 images, 16 → 8 → 6 → 3) of the plain-Java engine. */
class ModelInversionTest {
    private static final NetworkSpec SPEC = new NetworkSpec(16, List.of(8, 6), 3, 0.2);
    private static final float MEAN = 0.1307f;
    private static final float STD = 0.3081f;
    private static final List<String> NAMES = List.of("zero", "one", "two");

    private final Network base = new JavaBackend().create(SPEC, 5);
    private final BaseStatistics statistics = BaseStatistics.record(base, images(64, 6));

    @Test
    void countLabelsAndReport() {
        SyntheticConfig settings = settings(5, 4, 1.0, 1);
        ModelInversion.Result result = new ModelInversion(base, statistics, settings, MEAN, STD).generate(List.of(0, 2), 7, 42, NAMES);
        Dataset images = result.images();
        assertEquals(7, images.rows(), "the count asked for, over batches of 4 and 3");
        assertEquals(16, images.columns());
        assertArrayEquals(new int[] {0, 2, 0, 2, 0, 2, 0}, images.labels(), "round robin over the classes asked for");
        assertEquals(NAMES, images.classNames());
        ModelInversion.Report report = result.report();
        assertEquals(7, report.images());
        assertEquals(4L * 7 * 16, report.bytes());
        assertTrue(report.seconds() >= 0);
        int[] predicted = base.predict(images.asBatch());
        int agreed = 0;
        for (int i = 0; i < 7; i++) if (predicted[i] == images.label(i)) agreed++;
        assertEquals(agreed / 7.0, report.baseAgreement(), 1e-12, "the share of images the base labels as their class");
    }

    @Test
    void pixelsAreStandardisedFromTheUnitInterval() {
        // A large step and an l2 prior push pixels against both ends of [0, 1].
        SyntheticConfig settings = synthetic(20, 2.0, 5, 1.0, 0.0005, 0.5, 1, "noise");
        Dataset images = new ModelInversion(base, statistics, settings, MEAN, STD).generate(List.of(0, 1, 2), 10, 7, NAMES).images();
        float low = (0f - MEAN) / STD;
        float high = (1f - MEAN) / STD;
        float[] features = images.features();
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float f : features) {
            assertTrue(f >= low && f <= high, f + " lies outside [" + low + ", " + high + "]");
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        assertTrue(max > min, "the images are not blank");

        float[] pixels = new ModelInversion(base, statistics, settings, MEAN, STD).invert(new int[] {0, 1, 2}, new SplittableRandom(3));
        assertEquals(3 * 16, pixels.length);
        for (float p : pixels) assertTrue(p >= 0 && p <= 1, "pixel " + p);
    }

    @Test
    void theSameSeedMakesTheSameImages() {
        SyntheticConfig settings = settings(5, 4, 1.0, 1);
        Map<String, Tensor> weights = base.weights();
        ModelInversion inversion = new ModelInversion(base, statistics, settings, MEAN, STD);
        float[] first = inversion.generate(List.of(1, 2), 6, 11, NAMES).images().features();
        float[] again = inversion.generate(List.of(1, 2), 6, 11, NAMES).images().features();
        float[] other = inversion.generate(List.of(1, 2), 6, 12, NAMES).images().features();
        assertArrayEquals(first, again);
        assertFalse(java.util.Arrays.equals(first, other), "another seed, other images");
        Map<String, Tensor> after = base.weights();
        for (String name : weights.keySet()) assertTrue(weights.get(name).sameAs(after.get(name)), name + ": the base is frozen");
    }

    /**
     * The cross-entropy alone (no statistics, priors or jitter): more Adam steps on the pixels bring the base's
     * cross-entropy toward the targets down — the input gradient is followed downhill, through the standardisation.
     */
    @Test
    void moreStepsLowerTheBasesLossOnTheTargets() {
        double before = crossEntropy(imagesAfter(1));
        double after = crossEntropy(imagesAfter(150));
        System.out.printf("model inversion: the base's cross-entropy toward the targets %.4f after 1 step, %.4f after 150%n", before, after);
        assertTrue(after < before - 0.05, "cross-entropy toward the targets " + before + " after 1 step, " + after + " after 150");
    }

    /** init: new-images starts each image from a new-class image (standardised), so the images lie in the same range. */
    @Test
    void startingFromNewImages() {
        SyntheticConfig settings = synthetic(5, 0.05, 4, 1.0, 0.0005, 0.001, 1, "new-images");
        String message = assertThrows(IllegalArgumentException.class, () -> new ModelInversion(base, statistics, settings, MEAN, STD)).getMessage();
        assertTrue(message.contains("new-images"), message);
        Dataset starts = images(10, 31);
        ModelInversion inversion = new ModelInversion(base, statistics, settings, MEAN, STD, starts);
        float[] first = inversion.generate(List.of(0, 1), 5, 32, NAMES).images().features();
        assertArrayEquals(first, inversion.generate(List.of(0, 1), 5, 32, NAMES).images().features(), "the same seed, the same images");
        for (float f : first) assertTrue(f >= (0f - MEAN) / STD && f <= (1f - MEAN) / STD, "feature " + f);
        float[] fromNoise = new ModelInversion(base, statistics, settings(5, 4, 1.0, 1), MEAN, STD)
                .generate(List.of(0, 1), 5, 32, NAMES).images().features();
        assertFalse(java.util.Arrays.equals(first, fromNoise), "another start, other images");
    }

    /** Made once, then read back from the cache folder: the same images, reported as cached. */
    @Test
    void cachedImagesAreTheImagesMade(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cache) {
        ModelInversion inversion = new ModelInversion(base, statistics, settings(5, 4, 1.0, 1), MEAN, STD);
        ModelInversion.Result made = inversion.generateOrLoad(List.of(0, 2), 6, 41, NAMES, cache, "base-key");
        ModelInversion.Result read = inversion.generateOrLoad(List.of(0, 2), 6, 41, NAMES, cache, "base-key");
        assertFalse(made.report().cached());
        assertTrue(read.report().cached());
        assertArrayEquals(made.images().features(), read.images().features());
        assertArrayEquals(made.images().labels(), read.images().labels());
        assertEquals(made.report().baseAgreement(), read.report().baseAgreement(), 1e-7);
        assertFalse(inversion.generateOrLoad(List.of(0, 2), 6, 42, NAMES, cache, "base-key").report().cached(), "another seed is made anew");
    }

    @Test
    void refusals() {
        Network notSquare = new JavaBackend().create(new NetworkSpec(15, List.of(8, 6), 3, 0.0), 1);
        String message = assertThrows(IllegalArgumentException.class,
                () -> new ModelInversion(notSquare, statistics, settings(5, 4, 1.0, 1), MEAN, STD)).getMessage();
        assertTrue(message.contains("square") && message.contains("15"), message);
        BaseStatistics oneLayer = new BaseStatistics(List.of(statistics.means().get(0)), List.of(statistics.variances().get(0)));
        message = assertThrows(IllegalArgumentException.class, () -> new ModelInversion(base, oneLayer, settings(5, 4, 1.0, 1), MEAN, STD)).getMessage();
        assertTrue(message.contains("1 hidden layers") && message.contains("has 2"), message);
    }

    private Dataset imagesAfter(int steps) {
        SyntheticConfig settings = synthetic(steps, 0.05, 6, 0.0, 0.0, 0.0, 0, "noise");
        return new ModelInversion(base, statistics, settings, MEAN, STD).generate(List.of(0, 1, 2), 6, 21, NAMES).images();
    }

    private double crossEntropy(Dataset images) {
        Batch batch = images.asBatch();
        float[] logits = base.logits(batch);
        double total = 0;
        for (int i = 0; i < batch.rows(); i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < 3; j++) max = Math.max(max, logits[i * 3 + j]);
            double sum = 0;
            for (int j = 0; j < 3; j++) sum += Math.exp(logits[i * 3 + j] - max);
            total += Math.log(sum) + max - logits[i * 3 + batch.labels()[i]];
        }
        return total / batch.rows();
    }

    private static SyntheticConfig settings(int steps, int batchSize, double statistics, int jitter) {
        return synthetic(steps, 0.05, batchSize, statistics, 0.0005, 0.001, jitter, "noise");
    }

    /** The settings, confidence 1 (the target's cross-entropy always applies). */
    private static SyntheticConfig synthetic(int steps, double learningRate, int batchSize, double statistics, double tv, double l2,
                                             int jitter, String init) {
        return new SyntheticConfig(steps, learningRate, batchSize, statistics, tv, l2, jitter, 1.0, init);
    }

    /** Pixels in [0, 1], standardised as the network sees them. */
    static Dataset images(int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] features = new float[rows * 16];
        int[] labels = new int[rows];
        for (int k = 0; k < features.length; k++) features[k] = ((float) random.nextDouble() - MEAN) / STD;
        for (int i = 0; i < rows; i++) labels[i] = random.nextInt(3);
        return new Dataset("images", features, labels, rows, 16, NAMES);
    }
}
