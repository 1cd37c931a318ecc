package dev.toylora.io.data;

import java.util.Arrays;
import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * Normalised images and their labels (class indices 0..9), as rows of {@code columns} floats.
 *
 * <p>A data set is either the loaded file itself or a view of chosen rows of it ({@link #subset}): views
 * share the loaded pixels and hold only their row numbers, so MNIST's arrays exist once however many
 * splits (training pool, validation, pre-training classes, fine-tuning mix) a run makes of them.
 * Immutable: one instance can be read by many threads at once.
 */
public final class Dataset {

    /** Number of classes every label lies below. */
    public static final int NUM_CLASSES = 10;

    private final String name;
    private final float[] source;     // the loaded rows, row-major, shared by every view
    private final int[] sourceLabels;
    private final int[] rowIndex;     // row i of this data set is source row rowIndex[i]
    private final int columns;

    /** A data set of all {@code rows} rows in {@code features} (row-major); the arrays are shared, not copied. */
    public Dataset(String name, float[] features, int[] labels, int rows, int columns) {
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
        this.name = name;
        this.source = features;
        this.sourceLabels = labels;
        this.rowIndex = new int[rows];
        for (int i = 0; i < rows; i++) rowIndex[i] = i;
        this.columns = columns;
    }

    private Dataset(Dataset of, int[] rowIndex) {
        this.name = of.name;
        this.source = of.source;
        this.sourceLabels = of.sourceLabels;
        this.rowIndex = rowIndex;
        this.columns = of.columns;
    }

    public String name() {
        return name;
    }

    public int rows() {
        return rowIndex.length;
    }

    public int columns() {
        return columns;
    }

    /** The class of one row. */
    public int label(int row) {
        return sourceLabels[rowIndex[checkRow(row)]];
    }

    /** The labels of all rows, in row order (a new array). */
    public int[] labels() {
        int[] labels = new int[rowIndex.length];
        for (int i = 0; i < labels.length; i++) labels[i] = sourceLabels[rowIndex[i]];
        return labels;
    }

    /** The features of all rows, row-major (a new array: for tests and statistics, not for training loops). */
    public float[] features() {
        float[] features = new float[rowIndex.length * columns];
        for (int i = 0; i < rowIndex.length; i++) copyRow(i, features, i);
        return features;
    }

    /** Copies the {@code columns} features of {@code row} into {@code dest} starting at {@code destRow * columns}. */
    public void copyRow(int row, float[] dest, int destRow) {
        System.arraycopy(source, rowIndex[checkRow(row)] * columns, dest, destRow * columns, columns);
    }

    /** A view of the given rows, in the given order (repeats allowed); the name is kept and no pixels are copied. */
    public Dataset subset(int[] rowIndices) {
        int[] index = new int[rowIndices.length];
        for (int i = 0; i < rowIndices.length; i++) index[i] = rowIndex[checkRow(rowIndices[i])];
        return new Dataset(this, index);
    }

    /** The indices, ascending, of the rows whose label is one of {@code classes}. */
    public int[] rowsOfClasses(Collection<Integer> classes) {
        boolean[] wanted = new boolean[NUM_CLASSES];
        for (Integer c : classes) {
            if (c >= 0 && c < NUM_CLASSES) wanted[c] = true;
        }
        int n = 0;
        for (int source : rowIndex) if (wanted[sourceLabels[source]]) n++;
        int[] result = new int[n];
        int k = 0;
        for (int i = 0; i < rowIndex.length; i++) if (wanted[sourceLabels[rowIndex[i]]]) result[k++] = i;
        return result;
    }

    /** How many rows carry each label; length {@link #NUM_CLASSES}. */
    public int[] classCounts() {
        int[] counts = new int[NUM_CLASSES];
        for (int source : rowIndex) counts[sourceLabels[source]]++;
        return counts;
    }

    private int checkRow(int row) {
        if (row < 0 || row >= rowIndex.length) throw new IndexOutOfBoundsException(name + ": row " + row + " outside 0.." + (rowIndex.length - 1));
        return row;
    }

    /** Equal when names, labels and features are equal row by row, whichever arrays hold them. */
    @Override
    public boolean equals(@Nullable Object o) {
        if (!(o instanceof Dataset d) || d.rows() != rows() || d.columns != columns || !d.name.equals(name)) return false;
        for (int i = 0; i < rowIndex.length; i++) {
            int a = rowIndex[i];
            int b = d.rowIndex[i];
            if (sourceLabels[a] != d.sourceLabels[b]) return false;
            if (!Arrays.equals(source, a * columns, (a + 1) * columns, d.source, b * columns, (b + 1) * columns)) return false;
        }
        return true;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + rows()) + Arrays.hashCode(labels());
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ", " + rows() + " rows × " + columns + " columns]";
    }
}
