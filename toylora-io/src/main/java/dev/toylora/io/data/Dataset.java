package dev.toylora.io.data;

import dev.toylora.api.Batch;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * Normalised images and their labels (class indices below {@link #classes()}, at most {@link #NUM_CLASSES}), as rows
 * of {@code columns} floats, with a name for each class. {@link #batches} hands them to a {@link dev.toylora.api.Trainer}
 * or {@link dev.toylora.api.Network} as {@link Batch}es.
 *
 * <p>A data set is either the loaded file itself or a view of chosen rows of it ({@link #subset}): views
 * share the loaded pixels and hold only their row numbers, so MNIST's arrays exist once however many
 * splits (training pool, validation, pre-training classes, fine-tuning mix) a run makes of them.
 * Immutable: one instance can be read by many threads at once.
 */
public final class Dataset {

    /** The most classes a data set may have (the experiment files' classes are 0..9). */
    public static final int NUM_CLASSES = 10;

    private static final List<String> DIGITS = IntStream.range(0, NUM_CLASSES).mapToObj(String::valueOf).toList();

    private final String name;
    private final float[] source;     // the loaded rows, row-major, shared by every view
    private final int[] sourceLabels;
    private final int[] rowIndex;     // row i of this data set is source row rowIndex[i]
    private final int columns;
    private final List<String> classNames;

    /** A data set of all {@code rows} rows in {@code features} (row-major), classes named 0..9; the arrays are shared, not copied. */
    public Dataset(String name, float[] features, int[] labels, int rows, int columns) {
        this(name, features, labels, rows, columns, DIGITS);
    }

    /**
     * A data set of all {@code rows} rows in {@code features} (row-major) whose labels index {@code classNames}
     * (1 to {@link #NUM_CLASSES} distinct names); the arrays are shared, not copied.
     */
    public Dataset(String name, float[] features, int[] labels, int rows, int columns, List<String> classNames) {
        if (rows < 0) throw new IllegalArgumentException(name + ": rows must be >= 0, got " + rows);
        if (columns < 1) throw new IllegalArgumentException(name + ": columns must be >= 1, got " + columns);
        if ((long) rows * columns != features.length) {
            throw new IllegalArgumentException(name + ": " + rows + " rows × " + columns + " columns need "
                    + (long) rows * columns + " features, got " + features.length);
        }
        if (labels.length != rows) {
            throw new IllegalArgumentException(name + ": " + rows + " rows need " + rows + " labels, got " + labels.length);
        }
        if (classNames.isEmpty() || classNames.size() > NUM_CLASSES || Set.copyOf(classNames).size() != classNames.size()) {
            throw new IllegalArgumentException(name + ": expected 1 to " + NUM_CLASSES + " distinct class names, got " + classNames);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException(name + ": label of row " + i + " is " + labels[i] + ", expected 0.." + (classNames.size() - 1));
            }
        }
        this.name = name;
        this.classNames = List.copyOf(classNames);
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
        this.classNames = of.classNames;
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

    /** How many classes there are: labels lie in 0..classes()-1. */
    public int classes() {
        return classNames.size();
    }

    /** The name of each class, index = label (folder names for an image folder, 0..9 for MNIST). */
    public List<String> classNames() {
        return classNames;
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

    /** How many rows carry each label; length {@link #classes()}. */
    public int[] classCounts() {
        int[] counts = new int[classes()];
        for (int source : rowIndex) counts[sourceLabels[source]]++;
        return counts;
    }

    /**
     * The rows in order, {@code size} at a time (the last batch may be shorter), labelled, for evaluating. Each batch
     * has arrays of its own, so batches may be kept.
     */
    public Iterable<Batch> batches(int size) {
        requireBatchSize(size);
        return () -> new Batches(identity(), size);
    }

    /**
     * One epoch: the rows shuffled by {@code seed} (the same seed, the same order), {@code size} at a time (the last
     * batch may be shorter), labelled, for {@link dev.toylora.api.Trainer#step}. Each batch has arrays of its own.
     */
    public Iterable<Batch> batches(int size, long seed) {
        requireBatchSize(size);
        return () -> {
            int[] order = identity();
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = order.length - 1; i > 0; i--) { // Fisher–Yates
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            return new Batches(order, size);
        };
    }

    /** Every row in one labelled batch, e.g. for {@link dev.toylora.api.Network#accuracy} on a test set. */
    public Batch asBatch() {
        if (rows() == 0) throw new IllegalStateException(name + " has no rows");
        return new Batch(features(), labels(), rows(), columns);
    }

    private static void requireBatchSize(int size) {
        if (size < 1) throw new IllegalArgumentException("a batch needs at least one row, got a batch size of " + size);
    }

    private int[] identity() {
        int[] order = new int[rows()];
        Arrays.setAll(order, i -> i);
        return order;
    }

    /** Batches of the rows in {@code order}. */
    private final class Batches implements Iterator<Batch> {
        private final int[] order;
        private final int size;
        private int next;

        Batches(int[] order, int size) {
            this.order = order;
            this.size = size;
        }

        @Override
        public boolean hasNext() {
            return next < order.length;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException();
            int n = Math.min(size, order.length - next);
            float[] features = new float[n * columns];
            int[] labels = new int[n];
            for (int r = 0; r < n; r++) {
                copyRow(order[next + r], features, r);
                labels[r] = label(order[next + r]);
            }
            next += n;
            return new Batch(features, labels, n, columns);
        }
    }

    private int checkRow(int row) {
        if (row < 0 || row >= rowIndex.length) throw new IndexOutOfBoundsException(name + ": row " + row + " outside 0.." + (rowIndex.length - 1));
        return row;
    }

    /** Equal when names, labels and features are equal row by row, whichever arrays hold them. */
    @Override
    public boolean equals(@Nullable Object o) {
        if (!(o instanceof Dataset d) || d.rows() != rows() || d.columns != columns || !d.name.equals(name)
                || !d.classNames.equals(classNames)) return false;
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
