package dev.toylora.runner.data;

import java.util.Arrays;
import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * Normalised images, row-major: the features of row {@code i} are
 * {@code features[i*columns] .. features[i*columns + columns - 1]}; labels are class indices 0..9.
 *
 * <p>The arrays are shared, not copied: treat them as read-only. A Dataset holds no other state,
 * so one instance can be read by many threads at once.
 */
public record Dataset(String name, float[] features, int[] labels, int rows, int columns) {

    /** Number of classes every label lies below. */
    public static final int NUM_CLASSES = 10;

    public Dataset {
        if (rows < 0) throw new IllegalArgumentException(name + ": rows must be >= 0, got " + rows);
        if (columns < 1) throw new IllegalArgumentException(name + ": columns must be >= 1, got " + columns);
        if ((long) rows * columns != features.length) {
            throw new IllegalArgumentException(name + ": " + rows + " rows × " + columns + " columns need "
                    + (long) rows * columns + " features, got " + features.length);
        }
        if (labels.length != rows) {
            throw new IllegalArgumentException(name + ": " + rows + " rows need " + rows + " labels, got " + labels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= NUM_CLASSES) {
                throw new IllegalArgumentException(name + ": label of row " + i + " is " + labels[i] + ", expected 0.." + (NUM_CLASSES - 1));
            }
        }
    }

    /** The class of one row. */
    public int label(int row) {
        return labels[checkRow(row)];
    }

    /** Copies the {@code columns} features of {@code row} into {@code dest} starting at {@code destRow * columns}. */
    public void copyRow(int row, float[] dest, int destRow) {
        System.arraycopy(features, checkRow(row) * columns, dest, destRow * columns, columns);
    }

    /** A new data set holding copies of the given rows, in the given order (repeats allowed); the name is kept. */
    public Dataset subset(int[] rowIndices) {
        float[] f = new float[rowIndices.length * columns];
        int[] l = new int[rowIndices.length];
        for (int i = 0; i < rowIndices.length; i++) {
            int r = checkRow(rowIndices[i]);
            System.arraycopy(features, r * columns, f, i * columns, columns);
            l[i] = labels[r];
        }
        return new Dataset(name, f, l, rowIndices.length, columns);
    }

    /** The indices, ascending, of the rows whose label is one of {@code classes}. */
    public int[] rowsOfClasses(Collection<Integer> classes) {
        boolean[] wanted = new boolean[NUM_CLASSES];
        for (Integer c : classes) {
            if (c >= 0 && c < NUM_CLASSES) wanted[c] = true;
        }
        int n = 0;
        for (int label : labels) if (wanted[label]) n++;
        int[] result = new int[n];
        int k = 0;
        for (int i = 0; i < rows; i++) if (wanted[labels[i]]) result[k++] = i;
        return result;
    }

    /** How many rows carry each label; length {@link #NUM_CLASSES}. */
    public int[] classCounts() {
        int[] counts = new int[NUM_CLASSES];
        for (int label : labels) counts[label]++;
        return counts;
    }

    private int checkRow(int row) {
        if (row < 0 || row >= rows) throw new IndexOutOfBoundsException(name + ": row " + row + " outside 0.." + (rows - 1));
        return row;
    }

    /** Records compare arrays by identity; this compares contents. */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Dataset d && d.rows == rows && d.columns == columns && d.name.equals(name)
                && Arrays.equals(d.labels, labels) && Arrays.equals(d.features, features);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + rows) + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ", " + rows + " rows × " + columns + " columns]";
    }
}
