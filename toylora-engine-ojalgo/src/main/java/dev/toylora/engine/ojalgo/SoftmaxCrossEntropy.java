package dev.toylora.engine.ojalgo;

/** Softmax cross-entropy, mean over the batch, as PyTorch's {@code F.cross_entropy}; stable by subtracting each row's max. */
final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {}

    /** The mean loss of {@code logits} ({@code [rows × classes]}, column-major). */
    static double loss(Matrix logits, int[] labels) {
        int rows = logits.store().getRowDim();
        int classes = logits.store().getColDim();
        double[] z = logits.data();
        double total = 0;
        for (int i = 0; i < rows; i++) {
            int label = checkedLabel(labels[i], i, classes);
            double max = rowMax(z, i, rows, classes);
            double sum = 0;
            for (int j = 0; j < classes; j++) sum += Math.exp(z[i + j * rows] - max);
            total += Math.log(sum) + max - z[i + label * rows];
        }
        return total / rows;
    }

    /**
     * The mean loss, and its gradient with respect to the logits, {@code (softmax(z) - onehot(label)) / rows},
     * written into {@code dz} and its transpose {@code dzT}.
     */
    static double lossAndGradient(Matrix logits, int[] labels, Matrix dz, Matrix dzT) {
        int rows = logits.store().getRowDim();
        int classes = logits.store().getColDim();
        double[] z = logits.data();
        double[] g = dz.data();
        double[] gT = dzT.data();
        double total = 0;
        for (int i = 0; i < rows; i++) {
            int label = checkedLabel(labels[i], i, classes);
            double max = rowMax(z, i, rows, classes);
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                double e = Math.exp(z[i + j * rows] - max);
                g[i + j * rows] = e;
                sum += e;
            }
            total += Math.log(sum) + max - z[i + label * rows];
            for (int j = 0; j < classes; j++) {
                int index = i + j * rows;
                double gradient = (g[index] / sum - (j == label ? 1 : 0)) / rows;
                g[index] = gradient;
                gT[j + i * classes] = gradient;
            }
        }
        return total / rows;
    }

    private static double rowMax(double[] z, int row, int rows, int classes) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) max = Math.max(max, z[row + j * rows]);
        return max;
    }

    private static int checkedLabel(int label, int row, int classes) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("label " + label + " of row " + row + " is not a class; the network has " + classes + " outputs (0…" + (classes - 1) + ")");
        }
        return label;
    }
}
