package dev.toylora.engine.ojalgo;

/**
 * Softmax cross-entropy, mean over the batch, as PyTorch's {@code F.cross_entropy}; stable by subtracting each row's
 * max. The float logits are read into double for the exponentials and the sums (a few hundred values per step), so the
 * loss is as exact as the logits allow: the OpenBLAS engine's arithmetic.
 */
final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {}

    /** The mean loss of the logits, given transposed: {@code logitsT [classes][rows]}. */
    static double loss(float[][] logitsT, int[] labels) {
        int classes = logitsT.length;
        int rows = logitsT[0].length;
        double total = 0;
        for (int i = 0; i < rows; i++) {
            int label = checkedLabel(labels[i], i, classes);
            double max = rowMax(logitsT, i);
            double sum = 0;
            for (int j = 0; j < classes; j++) sum += Math.exp(logitsT[j][i] - max);
            total += Math.log(sum) + max - logitsT[label][i];
        }
        return total / rows;
    }

    /**
     * The mean loss, and its gradient with respect to the logits, {@code (softmax(z) - onehot(label)) / rows} rounded to
     * float, written into {@code dz [rows][classes]} and its transpose {@code dzT}.
     */
    static double lossAndGradient(float[][] logitsT, int[] labels, float[][] dz, float[][] dzT) {
        int classes = logitsT.length;
        int rows = logitsT[0].length;
        double total = 0;
        for (int i = 0; i < rows; i++) {
            int label = checkedLabel(labels[i], i, classes);
            double max = rowMax(logitsT, i);
            double sum = 0;
            for (int j = 0; j < classes; j++) sum += Math.exp(logitsT[j][i] - max);
            total += Math.log(sum) + max - logitsT[label][i];
            float[] g = dz[i];
            for (int j = 0; j < classes; j++) {
                // Each exponential again rather than kept: a row's ten are not worth a buffer.
                double p = Math.exp(logitsT[j][i] - max) / sum;
                float gradient = (float) ((p - (j == label ? 1 : 0)) / rows);
                g[j] = gradient;
                dzT[j][i] = gradient;
            }
        }
        return total / rows;
    }

    private static double rowMax(float[][] logitsT, int row) {
        double max = Double.NEGATIVE_INFINITY;
        for (float[] logits : logitsT) max = Math.max(max, logits[row]);
        return max;
    }

    private static int checkedLabel(int label, int row, int classes) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("label " + label + " of row " + row + " is not a class; the network has " + classes + " outputs (0…" + (classes - 1) + ")");
        }
        return label;
    }
}
