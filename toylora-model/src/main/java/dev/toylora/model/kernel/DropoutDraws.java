package dev.toylora.model.kernel;

/**
 * Which values of a {@code rows × columns} matrix one dropout keeps: value (i, j) is kept when draw number
 * {@link #position(int, int)} of the stream is ≥ p, and then scaled by 1/(1 − p), as PyTorch's inverted dropout does.
 * The model decides where each draw sits; a kernel may evaluate the draws in any order, on any thread, and every
 * engine still drops the same values.
 */
public final class DropoutDraws {
    private final SplitMixStream stream;
    private final long start;
    private final int rows;
    private final int columns;
    private final boolean unitMajor;
    private final long threshold;
    private final float keep;

    private DropoutDraws(SplitMixStream stream, long start, int rows, int columns, double p, boolean unitMajor) {
        this.stream = stream;
        this.start = start;
        this.rows = rows;
        this.columns = columns;
        this.unitMajor = unitMajor;
        this.threshold = SplitMixStream.threshold(p);
        this.keep = (float) (1 / (1 - p));
    }

    /** Draws taken row by row, each row's columns in order (a LoRA branch's input mask). */
    public static DropoutDraws rowMajor(SplitMixStream stream, long start, int rows, int columns, double p) {
        return new DropoutDraws(stream, start, rows, columns, p, false);
    }

    /** Draws taken column by column, each column's rows in order (a hidden layer's units). */
    public static DropoutDraws unitMajor(SplitMixStream stream, long start, int rows, int columns, double p) {
        return new DropoutDraws(stream, start, rows, columns, p, true);
    }

    /** Where the draw for value (row, column) sits in the stream. */
    public long position(int row, int column) {
        return unitMajor ? start + (long) column * rows + row : start + (long) row * columns + column;
    }

    /** 1/(1 − p) where value (row, column) is kept, else 0. */
    public float factor(int row, int column) {
        long bits = stream.bitsAt(position(row, column));
        // 1 when bits >= threshold, without a branch (both are below 2⁵³); masks are random, branches mispredict.
        return keep * (float) (((bits - threshold) >>> 63) ^ 1);
    }

    /**
     * {@code out[offset + j] = factor(row, column + j)} for j in [0, count): a run of one row's factors, several times
     * faster than {@code count} calls of {@link #factor}, with the same values.
     */
    public void factors(int row, int column, int count, float[] out, int offset) {
        if (count <= 0) return;
        if (row < 0 || row >= rows || column < 0 || column + count > columns) {
            throw new IndexOutOfBoundsException("factors of row " + row + ", columns [" + column + ", " + (column + count) + ") of "
                    + rows + " × " + columns + " draws");
        }
        Scratch scratch = SCRATCH.get().fit(count);
        long[] dropped = scratch.dropped;
        int[] asInt = scratch.asInt;
        stream.below(position(row, column), unitMajor ? rows : 1, count, threshold, dropped);
        // Narrowed to int first: C2 vectorises long → int and int → float, not long → float.
        for (int j = 0; j < count; j++) asInt[j] = (int) dropped[j];
        for (int j = 0; j < count; j++) out[offset + j] = keep * (float) (asInt[j] ^ 1);
    }

    /** Each thread's arrays for {@link #factors}. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        long[] dropped = new long[0];
        int[] asInt = new int[0];

        Scratch fit(int n) {
            if (dropped.length < n) {
                dropped = new long[n];
                asInt = new int[n];
            }
            return this;
        }
    }

    public int rows() {
        return rows;
    }

    public int columns() {
        return columns;
    }

    /** How many draws the matrix takes. */
    public long count() {
        return (long) rows * columns;
    }
}
