package dev.toylora.engine.ojalgo;

import dev.toylora.model.kernel.Matrix;
import org.jspecify.annotations.Nullable;

/**
 * A matrix as row arrays, {@code float[rows][columns]} (the layout of ojAlgo's {@code RawStore}; a weight in PyTorch's
 * {@code [out][in]}), and a transposed copy {@code [columns][rows]} made when a product wants one. Either copy may be the
 * current one, or both: a kernel that reads takes {@link #values()} or {@link #transposed()}, each made current (by a
 * transpose) only when stale; a kernel that writes says which copy it wrote ({@link #changed()},
 * {@link #writeTransposed()}). So a frozen weight is transposed once, an activation once per pass however many products
 * read it transposed, and a weight whose gradient is formed transposed is updated by Adam and read by the next forward
 * pass in that layout, never turned back unless a product or a read wants its rows.
 *
 * <p>Not thread-safe, like the network that owns it: a copy is made by whichever kernel first needs it.
 */
final class RowMatrix implements Matrix {
    /** How many target rows a transpose fills at a time: they stay in cache while it runs down the source rows. */
    private static final int TILE = 64;

    private final float[][] rows;
    private final int columns;
    private float @Nullable [][] transposed;
    private boolean rowsCurrent = true;
    private boolean transposedCurrent;

    RowMatrix(int rows, int columns) {
        if (rows < 1 || columns < 1) throw new IllegalArgumentException("a matrix needs rows and columns, got " + rows + "×" + columns);
        this.rows = new float[rows][columns];
        this.columns = columns;
    }

    @Override
    public int rows() {
        return rows.length;
    }

    @Override
    public int columns() {
        return columns;
    }

    /** The values as rows {@code [rows][columns]}, made current now if only the transposed copy was. */
    float[][] values() {
        if (!rowsCurrent) {
            transpose(storage(), rows, 1f, 0f);
            rowsCurrent = true;
        }
        return rows;
    }

    /** The rows have been written (through {@link #values()}): the transposed copy no longer holds. */
    void changed() {
        rowsCurrent = true;
        transposedCurrent = false;
    }

    /** The transpose {@code [columns][rows]}, made now unless it is current. */
    float[][] transposed() {
        float[][] target = storage();
        if (!transposedCurrent) {
            transpose(values(), target, 1f, 0f);
            transposedCurrent = true;
        }
        return target;
    }

    /**
     * The transposed copy, current, for a kernel to update in place (Adam): from now on it is the values, and the rows are
     * stale until something asks for them.
     */
    float[][] updateTransposed() {
        float[][] target = transposed();
        rowsCurrent = false;
        return target;
    }

    /** The transposed copy's storage, for a product to overwrite whole: from now on it is the values. */
    float[][] writeTransposed() {
        transposedCurrent = true;
        rowsCurrent = false;
        return storage();
    }

    /** Whether the values are current only in the transposed copy (a product formed them there). */
    boolean livesTransposed() {
        return !rowsCurrent;
    }

    /**
     * The storage of the transposed copy, for a product to compute its transpose into before {@link #transposeBack};
     * the copy is not current meanwhile. The rows are made current first, since transposeBack may add to them.
     */
    float[][] transposeBuffer() {
        values();
        transposedCurrent = false;
        return storage();
    }

    private float[][] storage() {
        float[][] target = transposed;
        if (target == null) {
            target = new float[columns][rows.length];
            transposed = target;
        }
        return target;
    }

    /**
     * {@code this ← α·bufferᵀ + β·this} from what a product left in {@link #transposeBuffer}; with α = 1 and β = 0 that
     * is the transpose of the values, so the copy stays current.
     */
    void transposeBack(float alpha, float beta) {
        transpose(storage(), rows, alpha, beta);
        rowsCurrent = true;
        transposedCurrent = alpha == 1f && beta == 0f;
    }

    /**
     * {@code target ← α·sourceᵀ + β·target}; large ones split by target rows among threads (each element is still
     * written by one thread, so no result depends on their number). α = 1, β = 0 copies exactly.
     */
    static void transpose(float[][] source, float[][] target, float alpha, float beta) {
        // A transposed element (a strided load or store) costs a few of the product kernel's vectorised multiply-adds.
        Products.forRows(target.length, 4L * source.length * target.length, (first, limit) -> {
            for (int j0 = first; j0 < limit; j0 += TILE) {
                int j1 = Math.min(limit, j0 + TILE);
                if (alpha == 1f && beta == 0f) {
                    copyTile(source, target, j0, j1);
                } else {
                    for (int i = 0; i < source.length; i++) {
                        float[] row = source[i];
                        for (int j = j0; j < j1; j++) {
                            target[j][i] = beta == 0f ? alpha * row[j] : alpha * row[j] + beta * target[j][i];
                        }
                    }
                }
            }
        });
    }

    /**
     * Source columns {@code [j0, j1)} into target rows {@code j0 … j1-1}, four source rows at a time: each target row
     * then gets four adjacent values per visit, where square tiles store one value at a time.
     */
    private static void copyTile(float[][] source, float[][] target, int j0, int j1) {
        int i = 0;
        for (; i + 4 <= source.length; i += 4) {
            float[] a = source[i];
            float[] b = source[i + 1];
            float[] c = source[i + 2];
            float[] d = source[i + 3];
            for (int j = j0; j < j1; j++) {
                float[] out = target[j];
                out[i] = a[j];
                out[i + 1] = b[j];
                out[i + 2] = c[j];
                out[i + 3] = d[j];
            }
        }
        for (; i < source.length; i++) {
            float[] row = source[i];
            for (int j = j0; j < j1; j++) target[j][i] = row[j];
        }
    }
}
