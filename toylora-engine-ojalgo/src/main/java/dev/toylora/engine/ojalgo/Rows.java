package dev.toylora.engine.ojalgo;

/** Helpers for matrices held as row arrays, {@code float[rows][columns]}. */
final class Rows {
    private Rows() {}

    static float[][] zeros(int rows, int columns) {
        return new float[rows][columns];
    }

    /** A deep copy. */
    static float[][] copy(float[][] source) {
        float[][] copy = new float[source.length][];
        for (int i = 0; i < source.length; i++) copy[i] = source[i].clone();
        return copy;
    }

    /** Copies {@code source} row by row into {@code target} of the same shape. */
    static void copyInto(float[][] source, float[][] target) {
        for (int i = 0; i < source.length; i++) System.arraycopy(source[i], 0, target[i], 0, source[i].length);
    }

    /** Side of the square tiles a transpose goes by: a tile's target rows stay in cache (row by row: 1.9× slower). */
    private static final int TILE = 16;

    /** target = factor·sourceᵀ; target is {@code [columns × rows]} of source. */
    static void transpose(float[][] source, float[][] target, float factor) {
        transpose(source, target, 0, source.length, factor);
    }

    /** target = sourceᵀ. */
    static void transpose(float[][] source, float[][] target) {
        transpose(source, target, 0, source.length, 1f);
    }

    /** Rows {@code [first, limit)} of source into the same columns of target = sourceᵀ. */
    static void transpose(float[][] source, float[][] target, int first, int limit) {
        transpose(source, target, first, limit, 1f);
    }

    /** Rows {@code [first, limit)} of source, times factor, into the same columns of target (1·x is x exactly). */
    private static void transpose(float[][] source, float[][] target, int first, int limit, float factor) {
        int columns = limit > first ? source[first].length : 0;
        for (int i0 = first; i0 < limit; i0 += TILE) {
            int i1 = Math.min(limit, i0 + TILE);
            for (int j0 = 0; j0 < columns; j0 += TILE) {
                int j1 = Math.min(columns, j0 + TILE);
                for (int i = i0; i < i1; i++) {
                    float[] row = source[i];
                    for (int j = j0; j < j1; j++) target[j][i] = factor * row[j];
                }
            }
        }
    }

    static int size(float[][] matrix) {
        int size = 0;
        for (float[] row : matrix) size += row.length;
        return size;
    }
}
