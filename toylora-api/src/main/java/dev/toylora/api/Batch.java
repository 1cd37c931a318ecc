package dev.toylora.api;

/**
 * A batch of examples: {@code rows} feature vectors of {@code columns} floats, row-major in
 * {@code features}, and their class labels. The arrays may be longer than needed so that one
 * buffer serves every batch of an epoch, including a shorter last one; only the first
 * {@code rows} rows count. A batch for inference needs no labels ({@link #unlabelled}); training refuses one.
 */
public record Batch(float[] features, int[] labels, int rows, int columns) {

    public Batch {
        if (rows < 1) throw new IllegalArgumentException("a batch needs at least one row, got " + rows);
        if (columns < 1) throw new IllegalArgumentException("a batch needs at least one column, got " + columns);
        if ((long) rows * columns > features.length) {
            throw new IllegalArgumentException("features hold " + features.length + " values, a " + rows + "×" + columns + " batch needs " + (long) rows * columns);
        }
        if (labels.length != 0 && rows > labels.length) throw new IllegalArgumentException("labels hold " + labels.length + " values, the batch has " + rows + " rows");
    }

    /** Features without labels, for {@link Network#logits} and {@link Network#predict}. */
    public static Batch unlabelled(float[] features, int rows, int columns) {
        return new Batch(features, new int[0], rows, columns);
    }

    /** Whether the batch carries a label for each row. */
    public boolean labelled() {
        return labels.length != 0;
    }

    /** The same buffers, fewer rows (for the last, shorter batch of an epoch). */
    public Batch withRows(int newRows) {
        return new Batch(features, labels, newRows, columns);
    }
}
