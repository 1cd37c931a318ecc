package dev.toylora.api;

/** Turning logits into classes and scores. */
public final class Predictions {
    private Predictions() {}

    /** For each of {@code rows} rows of row-major logits, the index of its largest value (the first of equals). */
    public static int[] argmax(float[] logits, int rows, int classes) {
        if ((long) rows * classes > logits.length) {
            throw new IllegalArgumentException(rows + " rows of " + classes + " logits need " + (long) rows * classes + " values, got " + logits.length);
        }
        int[] best = new int[rows];
        for (int i = 0; i < rows; i++) {
            int at = i * classes;
            for (int j = 1; j < classes; j++) if (logits[i * classes + j] > logits[at]) at = i * classes + j;
            best[i] = at - i * classes;
        }
        return best;
    }

    /** The fraction of the first {@code rows} predictions equal to their labels. */
    public static double accuracy(int[] predicted, int[] labels, int rows) {
        if (rows < 1 || rows > predicted.length || rows > labels.length) {
            throw new IllegalArgumentException("accuracy of " + rows + " rows needs that many predictions and labels; got " + predicted.length + " and " + labels.length);
        }
        int correct = 0;
        for (int i = 0; i < rows; i++) if (predicted[i] == labels[i]) correct++;
        return (double) correct / rows;
    }
}
