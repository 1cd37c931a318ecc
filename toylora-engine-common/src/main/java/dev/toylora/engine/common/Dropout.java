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
     * Draws values {@code [from, to)} of a mask for a row-major {@code [rows × features]} matrix in {@link #ROW_MAJOR}
     * order (its own order), value k being value {@code start + k} of {@code stream}.
     */
    public static void rowMajorMask(float[] mask, int from, int to, double p, SplitMixStream stream, long start) {
        float keep = (float) keepScale(p);
        long threshold = SplitMixStream.threshold(p);
        for (int k = from; k < to; k++) {
            mask[k] = keep * kept(stream.bitsAt(start + k), threshold);
        }
    }

    /** 1 if a draw's bits keep its value (the draw is ≥ p, as {@link #keeps}), else 0, without a branch (masks are random). */
    private static int kept(long bits, long threshold) {
        // Both are below 2⁵³, so the difference is negative exactly when bits < threshold.
        return (int) ((bits - threshold) >>> 63) ^ 1;
    }
}
