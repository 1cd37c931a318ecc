package dev.toylora.engine.ojalgo;

/** Softmax cross-entropy, mean over the batch, as PyTorch's {@code F.cross_entropy}; stable by subtracting each row's max. */
final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {}

    /** The mean loss of the logits, given transposed: {@code logitsT [classes][rows]}. */
    static double loss(double[][] logitsT, int[] labels) {
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
     * The mean loss, and its gradient with respect to the logits, {@code (softmax(z) - onehot(label)) / rows},
     * written into {@code dz [rows][classes]} and its transpose {@code dzT}.
     */
    static double lossAndGradient(double[][] logitsT, int[] labels, double[][] dz, double[][] dzT) {
        int classes = logitsT.length;
        int rows = logitsT[0].length;
        double total = 0;
        for (int i = 0; i < rows; i++) {
            int label = checkedLabel(labels[i], i, classes);
            double max = rowMax(logitsT, i);
            double[] g = dz[i];
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                double e = Math.exp(logitsT[j][i] - max);
                g[j] = e;
                sum += e;
            }
            total += Math.log(sum) + max - logitsT[label][i];
            for (int j = 0; j < classes; j++) {
                double gradient = (g[j] / sum - (j == label ? 1 : 0)) / rows;
                g[j] = gradient;
                dzT[j][i] = gradient;
            }
        }
        return total / rows;
    }

    private static double rowMax(double[][] logitsT, int row) {
        double max = Double.NEGATIVE_INFINITY;
        for (double[] logits : logitsT) max = Math.max(max, logits[row]);
        return max;
    }

    private static int checkedLabel(int label, int row, int classes) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("label " + label + " of row " + row + " is not a class; the network has " + classes + " outputs (0…" + (classes - 1) + ")");
        }
        return label;
    }
}
