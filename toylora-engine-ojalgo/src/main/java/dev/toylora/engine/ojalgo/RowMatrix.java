package dev.toylora.engine.ojalgo;

import dev.toylora.model.kernel.Matrix;
import org.jspecify.annotations.Nullable;

/**
 * A matrix as row arrays, {@code float[rows][columns]} (the layout of ojAlgo's {@code RawStore}; a weight in PyTorch's
 * {@code [out][in]}), with a transposed copy made when a product wants one and kept while the values do not change.
 * Every kernel that writes a matrix calls {@link #changed()}; a frozen weight is then transposed once, a trained one
 * once per step, an activation once per pass however many products read it transposed.
 *
 * <p>Not thread-safe, like the network that owns it: the copy is made by whichever kernel first needs it.
 */
final class RowMatrix implements Matrix {
    /** How many target rows a transpose fills at a time: they stay in cache while it runs down the source rows. */
    private static final int TILE = 64;

    final float[][] rows;
    private final int columns;
    private float @Nullable [][] transposed;
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

    /** The values have been written: the transposed copy no longer holds. */
    void changed() {
        transposedCurrent = false;
    }

    /** The transpose {@code [columns][rows]}, made now unless the values are unchanged since it last was. */
    float[][] transposed() {
        float[][] target = storage();
        if (!transposedCurrent) {
            transpose(rows, target, 1f, 0f);
            transposedCurrent = true;
        }
        return target;
    }

    /**
     * The storage of the transposed copy, for a product to compute its transpose into before {@link #transposeBack};
     * the copy is not current meanwhile.
     */
    float[][] transposeBuffer() {
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
