package dev.toylora.engine.common;

import java.util.SplittableRandom;

/**
 * Inverted dropout as PyTorch's {@code nn.Dropout} in training mode: a value is kept with probability 1 − p and
 * then scaled by 1/(1 − p), else zeroed. One uniform draw decides each value; see the package documentation for
 * the order of the draws, which engines must follow to drop the same values.
 */
public final class Dropout {
    private Dropout() {}

    /** Draw order of a LoRA input mask over a {@code [rows × features]} input: row by row, each row's features in order. */
    public static final String ROW_MAJOR = "row-major";
    /** Draw order of a hidden layer's output mask over {@code [rows × units]}: unit by unit, each unit's rows in order. */
    public static final String UNIT_MAJOR = "unit-major";

    /** Whether the next value is kept: one draw from {@code random}. */
    public static boolean keeps(SplittableRandom random, double p) {
        return random.nextDouble() >= p;
    }

    /** The factor kept values are scaled by, 1/(1 − p). */
    public static double keepScale(double p) {
        return 1 / (1 - p);
    }

    /**
     * Draws a mask for a row-major {@code [rows × units]} matrix in {@link #UNIT_MAJOR} order: {@code mask[i·units + j]}
     * is 1/(1 − p) or 0. The draws go in order into {@code scratch} (at least rows·units long, left holding the
     * transposed mask), which is then transposed tile by tile: writing {@code mask} in draw order would stride through
     * it by a whole row per value, and with power-of-two widths every such write lands in the same few cache sets.
     */
    public static void unitMajorMask(float[] mask, float[] scratch, int rows, int units, double p, SplittableRandom random) {
        float keep = (float) keepScale(p);
        int n = rows * units;
        for (int k = 0; k < n; k++) {
            scratch[k] = keep * kept(random.nextDouble(), p);     // scratch[j·rows + i]: unit j, row i
        }
        final int tile = 8;
        for (int i0 = 0; i0 < rows; i0 += tile) {
            int i1 = Math.min(rows, i0 + tile);
            for (int j0 = 0; j0 < units; j0 += tile) {
                int j1 = Math.min(units, j0 + tile);
                for (int i = i0; i < i1; i++) {
                    for (int j = j0; j < j1; j++) mask[i * units + j] = scratch[j * rows + i];
                }
            }
        }
    }

    /** Draws a mask for a row-major {@code [rows × features]} matrix in {@link #ROW_MAJOR} order (its own order). */
    public static void rowMajorMask(float[] mask, int length, double p, SplittableRandom random) {
        float keep = (float) keepScale(p);
        for (int k = 0; k < length; k++) {
            mask[k] = keep * kept(random.nextDouble(), p);
        }
    }

    /** 1 if a draw {@code u} keeps its value ({@code u >= p}, as {@link #keeps}), else 0, without a branch (masks are random). */
    private static int kept(double u, double p) {
        // u - p >= 0 (including +0.0) exactly when u >= p, for u, p in [0, 1); its sign bit is then 0.
        return (int) (Double.doubleToRawLongBits(u - p) >>> 63) ^ 1;
    }
}
