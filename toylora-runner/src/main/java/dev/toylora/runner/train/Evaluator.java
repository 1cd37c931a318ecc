package dev.toylora.runner.train;

import dev.toylora.api.Batch;
import dev.toylora.api.Network;
import dev.toylora.io.data.Dataset;

/** Eval-mode accuracy of a network on a dataset, per class. */
public final class Evaluator {
    private static final int BATCH = 1000;

    private Evaluator() {}

    public static ClassAccuracy evaluate(Network network, Dataset data) {
        int classes = network.spec().outputs();
        int[] correct = new int[classes];
        int[] total = new int[classes];
        int columns = data.columns();
        int batchRows = Math.min(BATCH, data.rows());
        float[] features = new float[batchRows * columns];
        int[] labels = new int[batchRows];
        float[] logits = new float[batchRows * classes];
        for (int start = 0; start < data.rows(); start += batchRows) {
            int rows = Math.min(batchRows, data.rows() - start);
            for (int r = 0; r < rows; r++) {
                data.copyRow(start + r, features, r);
                labels[r] = data.label(start + r);
            }
            network.logits(new Batch(features, labels, rows, columns), logits);
            for (int r = 0; r < rows; r++) {
                int label = labels[r];
                total[label]++;
                if (argmax(logits, r * classes, classes) == label) correct[label]++;
            }
        }
        return new ClassAccuracy(correct, total);
    }

    static int argmax(float[] values, int offset, int length) {
        int best = 0;
        for (int i = 1; i < length; i++) {
            if (values[offset + i] > values[offset + best]) best = i;
        }
        return best;
    }
}
