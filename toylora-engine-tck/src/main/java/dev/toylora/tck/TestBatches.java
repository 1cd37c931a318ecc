package dev.toylora.tck;

import dev.toylora.api.Batch;
import dev.toylora.api.Network;
import dev.toylora.api.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Batches and small helpers the contract tests share. */
public final class TestBatches {
    private TestBatches() {}

    /** Features ~ U(-1, 1) and uniformly random labels. */
    public static Batch random(int rows, int columns, int classes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] features = new float[rows * columns];
        int[] labels = new int[rows];
        for (int i = 0; i < features.length; i++) features[i] = (float) (2 * random.nextDouble() - 1);
        for (int i = 0; i < rows; i++) labels[i] = random.nextInt(classes);
        return new Batch(features, labels, rows, columns);
    }

    public static float[] logits(Network network, Batch batch) {
        float[] out = new float[batch.rows() * network.spec().outputs()];
        network.logits(batch, out);
        return out;
    }

    public static double maxAbsDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        return max;
    }

    /** Fraction of rows whose largest logit is at the label. */
    public static double accuracy(Network network, Batch batch) {
        float[] logits = logits(network, batch);
        int classes = network.spec().outputs();
        int correct = 0;
        for (int i = 0; i < batch.rows(); i++) {
            int best = 0;
            for (int j = 1; j < classes; j++) {
                if (logits[i * classes + j] > logits[i * classes + best]) best = j;
            }
            if (best == batch.labels()[i]) correct++;
        }
        return (double) correct / batch.rows();
    }

    public static boolean sameTensors(Map<String, Tensor> a, Map<String, Tensor> b) {
        if (!a.keySet().equals(b.keySet())) return false;
        for (String name : a.keySet()) {
            if (!a.get(name).sameAs(b.get(name))) return false;
        }
        return true;
    }

    /** The tensors with every {@code lora_B} replaced by U(-0.5, 0.5) draws (B = 0 would leave A without gradient). */
    public static Map<String, Tensor> withRandomB(Map<String, Tensor> adapterWeights, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> weights = new LinkedHashMap<>(adapterWeights);
        weights.replaceAll((name, tensor) -> {
            if (!name.endsWith("lora_B.weight")) return tensor;
            float[] data = new float[tensor.data().length];
            for (int i = 0; i < data.length; i++) data[i] = (float) (random.nextDouble() - 0.5);
            return new Tensor(tensor.shape(), data);
        });
        return weights;
    }

    public static double maxAbs(Tensor tensor) {
        double max = 0;
        for (float v : tensor.data()) max = Math.max(max, Math.abs(v));
        return max;
    }

    public static double maxAbs(double[] values) {
        double max = 0;
        for (double v : values) max = Math.max(max, Math.abs(v));
        return max;
    }

    public static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) max = Math.max(max, Math.abs(v));
        return max;
    }
}
