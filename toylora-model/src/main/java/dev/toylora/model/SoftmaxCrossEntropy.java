package dev.toylora.model;

/**
 * Softmax cross-entropy, mean over the batch, as PyTorch's {@code F.cross_entropy}; stable by subtracting each row's
 * max. The float logits are read into double for the exponentials and sums (a few hundred values per step), so the
 * loss is as exact as the logits allow.
 */
final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {}

    /** The mean loss of {@code rows} rows of row-major {@code logits [rows × classes]}. */
    static double loss(float[] logits, int rows, int classes, int[] labels, int firstLabel) {
        return lossAndGradient(logits, rows, classes, labels, firstLabel, null);
    }

    /**
     * The mean loss and, when {@code gradient} is given, its gradient with respect to the logits,
     * {@code (softmax(z) − onehot(label)) / rows} rounded to float, row-major like the logits.
     */
    static double lossAndGradient(float[] logits, int rows, int classes, int[] labels, int firstLabel, float @org.jspecify.annotations.Nullable [] gradient) {
        double total = 0;
        for (int i = 0; i < rows; i++) {
            int label = checkedLabel(labels[firstLabel + i], firstLabel + i, classes);
            int row = i * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) max = Math.max(max, logits[row + j]);
            double sum = 0;
            for (int j = 0; j < classes; j++) sum += Math.exp(logits[row + j] - max);
            total += Math.log(sum) + max - logits[row + label];
            if (gradient == null) continue;
            for (int j = 0; j < classes; j++) {
                double p = Math.exp(logits[row + j] - max) / sum;
                gradient[row + j] = (float) ((p - (j == label ? 1 : 0)) / rows);
            }
        }
        return total / rows;
    }

    private static int checkedLabel(int label, int row, int classes) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("label " + label + " of row " + row + " is not a class; the network has " + classes + " outputs (0…" + (classes - 1) + ")");
        }
        return label;
    }
}
