package dev.toylora.engine.openblas;

import java.nio.FloatBuffer;

/**
 * Softmax cross-entropy as PyTorch's {@code F.cross_entropy} (mean over the batch); stable by subtracting each row's
 * max. The float logits are read into double for the exponentials and the sums (a few hundred values per step), so
 * the loss is as exact as the logits allow. Eval slices each add their rows' share.
 */
final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {}

    /** The summed loss of the {@code rows} rows of {@code logits} ({@code [rows × classes]}, row-major), whose labels start at {@code labels[firstRow]}. */
    static double sum(NativeFloats values, int rows, int classes, int[] labels, int firstRow) {
        FloatBuffer logits = values.buffer();
        double total = 0;
        for (int i = 0; i < rows; i++) {
            int label = checkedLabel(labels[firstRow + i], firstRow + i, classes);
            int row = i * classes;
            double max = rowMax(logits, row, classes);
            double sum = 0;
            for (int j = 0; j < classes; j++) sum += Math.exp(logits.get(row + j) - max);
            total += Math.log(sum) + max - logits.get(row + label);
        }
        return total;
    }

    /**
     * The summed loss of these rows, and its share of the gradient of the batch's mean loss with respect to the logits,
     * {@code (softmax(z) - onehot(label)) / batchRows}, into {@code dz}.
     */
    static double sumAndGradient(NativeFloats values, int rows, int classes, int[] labels, int firstRow, int batchRows, NativeFloats gradient) {
        FloatBuffer logits = values.buffer();
        FloatBuffer dz = gradient.buffer();
        double total = 0;
        for (int i = 0; i < rows; i++) {
            int label = checkedLabel(labels[firstRow + i], firstRow + i, classes);
            int row = i * classes;
            double max = rowMax(logits, row, classes);
            double sum = 0;
            for (int j = 0; j < classes; j++) sum += Math.exp(logits.get(row + j) - max);
            total += Math.log(sum) + max - logits.get(row + label);
            for (int j = 0; j < classes; j++) {
                double p = Math.exp(logits.get(row + j) - max) / sum;
                dz.put(row + j, (float) ((p - (j == label ? 1 : 0)) / batchRows));
            }
        }
        return total;
    }

    private static double rowMax(FloatBuffer z, int row, int classes) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) max = Math.max(max, z.get(row + j));
        return max;
    }

    private static int checkedLabel(int label, int row, int classes) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("label " + label + " of row " + row + " is not a class; the network has " + classes + " outputs (0…" + (classes - 1) + ")");
        }
        return label;
    }
}
