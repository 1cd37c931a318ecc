package dev.toylora.runner.retention;

import dev.toylora.api.Batch;
import dev.toylora.api.Network;
import dev.toylora.api.Probe;
import dev.toylora.io.data.Dataset;
import dev.toylora.runner.experiment.SyntheticConfig;
import dev.toylora.api.Tensor;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.runner.pipeline.BaseCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import java.util.SplittableRandom;

/**
 * Old-class images made from the frozen base alone — model inversion, as DeepInversion (Yin et al., 2020) does it
 * without batch norm: pixels start as noise and Adam moves them, a batch at a time, to lower
 * <pre>
 *   CE(base(x), target)                                   the base should see the target class
 *   + statistics · Σ_layers ‖μ_batch − μ‖ + ‖σ²_batch − σ²‖   its hidden units should fire as on real old images
 *   + tv · Σ (neighbouring pixel differences)²             strokes, not speckle
 *   + l2 · Σ pixel²                                        a dark background
 * </pre>
 * with μ, σ² the per-unit pre-activation statistics recorded at pretraining ({@link BaseStatistics}), pixels kept in
 * [0, 1], and the batch shifted by a random few pixels at each step so that no image fits one exact position. Without
 * the statistics the images become adversarial noise that the base labels confidently and that teaches nothing.
 */
public final class ModelInversion {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    /** What making the images cost and how the base sees them. */
    public record Report(int images, double seconds, double baseAgreement, long bytes, boolean cached) {}

    /** The images and their report. */
    public record Result(Dataset images, Report report) {}

    private final Network base;
    private final BaseStatistics statistics;
    private final SyntheticConfig settings;
    private final float mean;
    private final float std;
    private final int side;
    private final @Nullable Dataset starts;

    /**
     * @param mean the data's standardisation: the network sees (pixel − mean)/std
     * @param std  its standard deviation
     */
    public ModelInversion(Network base, BaseStatistics statistics, SyntheticConfig settings, float mean, float std) {
        this(base, statistics, settings, mean, std, null);
    }

    /** @param starts the new-class images that {@code init: new-images} starts from (standardised, as the network sees them) */
    public ModelInversion(Network base, BaseStatistics statistics, SyntheticConfig settings, float mean, float std, @Nullable Dataset starts) {
        if (settings.init().equals("new-images") && (starts == null || starts.rows() == 0)) {
            throw new IllegalArgumentException("finetune.synthetic.init: new-images needs new-class training images to start from");
        }
        this.starts = settings.init().equals("new-images") ? starts : null;
        this.base = base;
        this.statistics = statistics;
        this.settings = settings;
        this.mean = mean;
        this.std = std;
        int inputs = base.spec().inputs();
        int s = (int) Math.round(Math.sqrt(inputs));
        if (s * s != inputs) throw new IllegalArgumentException("model inversion needs square images; the network takes " + inputs + " inputs");
        this.side = s;
        if (statistics.layers() != base.spec().layerShapes().size() - 1) {
            throw new IllegalArgumentException("the statistics are of " + statistics.layers() + " hidden layers, the network has "
                    + (base.spec().layerShapes().size() - 1));
        }
    }

    /** {@code count} images spread evenly over {@code classes} (image k is of classes[k mod n]), labelled with them. */
    public Result generate(List<Integer> classes, int count, long seed, List<String> classNames) {
        long started = System.nanoTime();
        int inputs = side * side;
        float[] features = new float[count * inputs];
        int[] labels = new int[count];
        for (int k = 0; k < count; k++) labels[k] = classes.get(k % classes.size());
        SplittableRandom random = new SplittableRandom(seed);
        int agreed = 0;
        for (int first = 0; first < count; first += settings.batchSize()) {
            int rows = Math.min(settings.batchSize(), count - first);
            int[] targets = new int[rows];
            System.arraycopy(labels, first, targets, 0, rows);
            float[] pixels = invert(targets, random.split());
            for (int k = 0; k < pixels.length; k++) features[first * inputs + k] = (pixels[k] - mean) / std;
            float[] batch = new float[rows * inputs];
            System.arraycopy(features, first * inputs, batch, 0, batch.length);
            int[] predicted = base.predict(Batch.unlabelled(batch, rows, inputs));
            for (int i = 0; i < rows; i++) if (predicted[i] == targets[i]) agreed++;
        }
        Dataset images = new Dataset("synthetic", features, labels, count, inputs, classNames);
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Result(images, new Report(count, seconds, (double) agreed / count, 4L * features.length, false));
    }

    /**
     * {@link #generate}, or the images made before with the same base, settings, classes, count and seed, read from
     * {@code cacheDir} (and written there when new).
     */
    public Result generateOrLoad(List<Integer> classes, int count, long seed, List<String> classNames, @Nullable Path cacheDir, String baseKey) {
        if (cacheDir == null) return generate(classes, count, seed, classNames);
        Map<String, Object> producedBy = new TreeMap<>();
        producedBy.put("base", baseKey);
        producedBy.put("settings", settings.toString());
        producedBy.put("classes", classes.toString());
        producedBy.put("count", count);
        producedBy.put("seed", seed);
        producedBy.put("standardisation", mean + " " + std);
        Path file = cacheDir.resolve("synthetic-" + BaseCache.key(producedBy) + ".safetensors");
        if (Files.isRegularFile(file)) {
            try {
                Map<String, Tensor> kept = Safetensors.read(file).tensors();
                Tensor features = kept.get("images");
                Tensor labels = kept.get("labels");
                Tensor agreement = kept.get("base_agreement");
                int inputs = side * side;
                if (features != null && labels != null && agreement != null && features.size() == (long) count * inputs && labels.size() == count) {
                    int[] ints = new int[count];
                    for (int k = 0; k < count; k++) ints[k] = (int) labels.data()[k];
                    Dataset images = new Dataset("synthetic", features.data(), ints, count, inputs, classNames);
                    return new Result(images, new Report(count, 0, agreement.data()[0], 4L * features.size(), true));
                }
            } catch (CheckpointException | IllegalArgumentException e) {
                // unreadable or of another shape: make them again
            }
        }
        Result made = generate(classes, count, seed, classNames);
        float[] labels = new float[count];
        for (int k = 0; k < count; k++) labels[k] = made.images().label(k);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("images", new Tensor(new int[] {count, side * side}, made.images().features()));
        tensors.put("labels", new Tensor(new int[] {count}, labels));
        tensors.put("base_agreement", new Tensor(new int[] {1}, new float[] {(float) made.report().baseAgreement()}));
        Safetensors.write(file, tensors, Map.of("toylora.kind", "synthetic-images", "toylora.base-key", baseKey));
        return made;
    }

    /** One batch: pixels in [0, 1], row-major, optimised toward {@code targets}. */
    float[] invert(int[] targets, SplittableRandom random) {
        int rows = targets.length;
        int inputs = side * side;
        float[] pixels = new float[rows * inputs];
        Dataset startImages = starts;
        if (startImages == null) {
            for (int k = 0; k < pixels.length; k++) pixels[k] = (float) (0.5 * random.nextDouble());
        } else {
            float[] row = new float[inputs];
            for (int i = 0; i < rows; i++) {
                startImages.copyRow(random.nextInt(startImages.rows()), row, 0);
                for (int k = 0; k < inputs; k++) pixels[i * inputs + k] = Math.min(1f, Math.max(0f, row[k] * std + mean));
            }
        }
        double[] m = new double[pixels.length];
        double[] v = new double[pixels.length];
        float[] shifted = new float[pixels.length];
        float[] inputGradient = new float[pixels.length];
        double[] gradient = new double[pixels.length];
        Probe probe = probe(targets);
        float background = -mean / std;
        int jitter = settings.jitter();
        for (int step = 1; step <= settings.steps(); step++) {
            int dy = jitter == 0 ? 0 : random.nextInt(2 * jitter + 1) - jitter;
            int dx = jitter == 0 ? 0 : random.nextInt(2 * jitter + 1) - jitter;
            shift(pixels, rows, dy, dx, shifted, background);
            base.probe(Batch.unlabelled(shifted, rows, inputs), probe, inputGradient);
            // Back through the shift and the standardisation; pixels shifted out of the frame get no gradient.
            java.util.Arrays.fill(gradient, 0);
            for (int i = 0; i < rows; i++) {
                for (int r = 0; r < side; r++) {
                    int from = r - dy;
                    if (from < 0 || from >= side) continue;
                    for (int c = 0; c < side; c++) {
                        int fromC = c - dx;
                        if (fromC < 0 || fromC >= side) continue;
                        gradient[i * inputs + from * side + fromC] += inputGradient[i * inputs + r * side + c] / std;
                    }
                }
            }
            addPriors(pixels, rows, gradient);
            double lr = settings.learningRate();
            double c1 = 1 - Math.pow(BETA1, step);
            double c2 = 1 - Math.pow(BETA2, step);
            for (int k = 0; k < pixels.length; k++) {
                m[k] = BETA1 * m[k] + (1 - BETA1) * gradient[k];
                v[k] = BETA2 * v[k] + (1 - BETA2) * gradient[k] * gradient[k];
                double p = pixels[k] - lr * (m[k] / c1) / (Math.sqrt(v[k] / c2) + EPSILON);
                pixels[k] = (float) Math.min(1, Math.max(0, p));
            }
        }
        return pixels;
    }

    /** The losses on the base's hidden pre-activations (statistics) and on its logits (the target class). */
    private Probe probe(int[] targets) {
        double weight = settings.statistics();
        double confidence = settings.confidence();
        return new Probe() {
            @Override
            public double hidden(int layer, float[] z, int rows, int units, float[] gradient) {
                if (weight == 0) return 0;
                float[] targetMean = statistics.means().get(layer);
                float[] targetVariance = statistics.variances().get(layer);
                double[] batchMean = new double[units];
                double[] batchVariance = new double[units];
                for (int i = 0; i < rows; i++) for (int j = 0; j < units; j++) batchMean[j] += z[i * units + j];
                for (int j = 0; j < units; j++) batchMean[j] /= rows;
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < units; j++) {
                        double d = z[i * units + j] - batchMean[j];
                        batchVariance[j] += d * d;
                    }
                }
                for (int j = 0; j < units; j++) batchVariance[j] /= rows;
                double meanNorm = 0;
                double varianceNorm = 0;
                for (int j = 0; j < units; j++) {
                    meanNorm += sq(batchMean[j] - targetMean[j]);
                    varianceNorm += sq(batchVariance[j] - targetVariance[j]);
                }
                meanNorm = Math.sqrt(meanNorm) + 1e-12;
                varianceNorm = Math.sqrt(varianceNorm) + 1e-12;
                // d‖Δμ‖/dz_ij = Δμ_j/‖Δμ‖ · 1/rows;  d‖Δσ²‖/dz_ij = Δσ²_j/‖Δσ²‖ · 2(z_ij − μ_j)/rows
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < units; j++) {
                        double dMean = (batchMean[j] - targetMean[j]) / meanNorm / rows;
                        double dVariance = (batchVariance[j] - targetVariance[j]) / varianceNorm * 2 * (z[i * units + j] - batchMean[j]) / rows;
                        gradient[i * units + j] = (float) (weight * (dMean + dVariance));
                    }
                }
                return weight * (meanNorm + varianceNorm);
            }

            @Override
            public double logits(float[] logits, int rows, int classes, float[] gradient) {
                double loss = 0;
                for (int i = 0; i < rows; i++) {
                    int row = i * classes;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < classes; j++) max = Math.max(max, logits[row + j]);
                    double sum = 0;
                    for (int j = 0; j < classes; j++) sum += Math.exp(logits[row + j] - max);
                    double target = Math.exp(logits[row + targets[i]] - max) / sum;
                    loss += -Math.log(target);
                    if (target >= confidence) continue;   // sure enough: leave this image to the priors
                    for (int j = 0; j < classes; j++) {
                        double p = Math.exp(logits[row + j] - max) / sum;
                        gradient[row + j] = (float) ((p - (j == targets[i] ? 1 : 0)) / rows);
                    }
                }
                return loss / rows;
            }
        };
    }

    /** Adds the gradients of tv·Σ(neighbour differences)² and l2·Σp², each a mean over images. */
    private void addPriors(float[] pixels, int rows, double[] gradient) {
        double tv = settings.tv();
        double l2 = settings.l2();
        int inputs = side * side;
        for (int i = 0; i < rows; i++) {
            int o = i * inputs;
            for (int r = 0; r < side; r++) {
                for (int c = 0; c < side; c++) {
                    int k = o + r * side + c;
                    double g = 2 * l2 * pixels[k];
                    if (c + 1 < side) {
                        double d = pixels[k + 1] - pixels[k];
                        g -= 2 * tv * d;
                        gradient[k + 1] += 2 * tv * d / rows;
                    }
                    if (r + 1 < side) {
                        double d = pixels[k + side] - pixels[k];
                        g -= 2 * tv * d;
                        gradient[k + side] += 2 * tv * d / rows;
                    }
                    gradient[k] += g / rows;
                }
            }
        }
    }

    /** {@code out[r][c] = in[r − dy][c − dx]}, and the background where that falls outside the frame. */
    private void shift(float[] pixels, int rows, int dy, int dx, float[] out, float background) {
        int inputs = side * side;
        for (int i = 0; i < rows; i++) {
            for (int r = 0; r < side; r++) {
                for (int c = 0; c < side; c++) {
                    int fr = r - dy;
                    int fc = c - dx;
                    out[i * inputs + r * side + c] = fr < 0 || fr >= side || fc < 0 || fc >= side
                            ? background : (pixels[i * inputs + fr * side + fc] - mean) / std;
                }
            }
        }
    }

    private static double sq(double x) {
        return x * x;
    }
}
