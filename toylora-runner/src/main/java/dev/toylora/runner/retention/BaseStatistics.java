package dev.toylora.runner.retention;

import dev.toylora.api.Batch;
import dev.toylora.api.Network;
import dev.toylora.api.Probe;
import dev.toylora.api.Tensor;
import dev.toylora.io.data.Dataset;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.io.safetensors.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What is recorded about the old classes when the base is pretrained, so that fine-tuning can keep them without their
 * images: each hidden layer's per-unit mean and variance of its pre-activation over the old training images (a few KB,
 * for model inversion). {@link #fisher} records the Fisher diagonal of every base weight (EWC's importance, the size
 * of the base). Both are kept next to the cached base.
 *
 * @param means     per hidden layer, the mean of each unit's pre-activation z = x·Wᵀ + b
 * @param variances per hidden layer, its (population) variance
 */
public record BaseStatistics(List<float[]> means, List<float[]> variances) {
    private static final int SLICE = 512;

    public BaseStatistics {
        means = List.copyOf(means);
        variances = List.copyOf(variances);
        if (means.size() != variances.size()) throw new IllegalArgumentException("a mean and a variance per layer");
    }

    /** The statistics of {@code base} on {@code images} (the pretraining images, in eval mode). */
    public static BaseStatistics record(Network base, Dataset images) {
        List<double[]> sums = new ArrayList<>();
        List<double[]> squares = new ArrayList<>();
        Probe recorder = new Probe() {
            @Override
            public double hidden(int layer, float[] z, int rows, int units, float[] gradient) {
                if (sums.size() == layer) {
                    sums.add(new double[units]);
                    squares.add(new double[units]);
                }
                double[] sum = sums.get(layer);
                double[] square = squares.get(layer);
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < units; j++) {
                        double v = z[i * units + j];
                        sum[j] += v;
                        square[j] += v * v;
                    }
                }
                return 0;
            }

            @Override
            public double logits(float[] logits, int rows, int classes, float[] gradient) {
                return 0;
            }
        };
        Batch all = images.asBatch();
        for (int first = 0; first < all.rows(); first += SLICE) {
            int rows = Math.min(SLICE, all.rows() - first);
            float[] slice = new float[rows * all.columns()];
            System.arraycopy(all.features(), first * all.columns(), slice, 0, slice.length);
            base.probe(Batch.unlabelled(slice, rows, all.columns()), recorder, null);
        }
        List<float[]> means = new ArrayList<>();
        List<float[]> variances = new ArrayList<>();
        for (int l = 0; l < sums.size(); l++) {
            int units = sums.get(l).length;
            float[] mean = new float[units];
            float[] variance = new float[units];
            for (int j = 0; j < units; j++) {
                double m = sums.get(l)[j] / all.rows();
                mean[j] = (float) m;
                variance[j] = (float) Math.max(0, squares.get(l)[j] / all.rows() - m * m);
            }
            means.add(mean);
            variances.add(variance);
        }
        return new BaseStatistics(means, variances);
    }

    /** The empirical Fisher diagonal of {@code base} on {@code images}: EWC's importance of each weight. */
    public static Map<String, Tensor> fisher(Network base, Dataset images) {
        return base.fisherDiagonal(images.asBatch());
    }

    /** Bytes of float32 numbers kept. */
    public long bytes() {
        long n = 0;
        for (float[] m : means) n += 2L * m.length;
        return 4 * n;
    }

    public int layers() {
        return means.size();
    }

    /** As tensors named {@code fc1.z.mean}, {@code fc1.z.var}, …, for a safetensors file. */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int l = 0; l < means.size(); l++) {
            out.put("fc" + (l + 1) + ".z.mean", new Tensor(new int[] {means.get(l).length}, means.get(l).clone()));
            out.put("fc" + (l + 1) + ".z.var", new Tensor(new int[] {variances.get(l).length}, variances.get(l).clone()));
        }
        return out;
    }

    /** Read back from {@link #tensors()}; a file that does not hold them for {@code layers} hidden layers is refused. */
    public static BaseStatistics of(Map<String, Tensor> tensors, int layers, String source) {
        List<float[]> means = new ArrayList<>();
        List<float[]> variances = new ArrayList<>();
        for (int l = 1; l <= layers; l++) {
            Tensor mean = tensors.get("fc" + l + ".z.mean");
            Tensor variance = tensors.get("fc" + l + ".z.var");
            if (mean == null || variance == null || mean.rank() != 1 || mean.size() != variance.size()) {
                throw new CheckpointException(source + ": expected fc" + l + ".z.mean and fc" + l + ".z.var, two vectors of one length");
            }
            means.add(mean.data().clone());
            variances.add(variance.data().clone());
        }
        return new BaseStatistics(means, variances);
    }

    /** Statistics kept in {@code file}, if it is there and readable. */
    public static Optional<BaseStatistics> load(Path file, int layers) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            return Optional.of(of(Safetensors.read(file).tensors(), layers, file.toString()));
        } catch (CheckpointException e) {
            return Optional.empty();
        }
    }

    public void save(Path file) {
        Safetensors.write(file, tensors(), Map.of("toylora.kind", "base-statistics"));
    }
}
