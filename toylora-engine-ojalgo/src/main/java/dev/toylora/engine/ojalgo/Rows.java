package dev.toylora.engine.ojalgo;

/** Helpers for matrices held as row arrays, {@code double[rows][columns]}. */
final class Rows {
    private Rows() {}

    static double[][] zeros(int rows, int columns) {
        return new double[rows][columns];
    }

    /** A deep copy. */
    static double[][] copy(double[][] source) {
        double[][] copy = new double[source.length][];
        for (int i = 0; i < source.length; i++) copy[i] = source[i].clone();
        return copy;
    }

    /** Copies {@code source} row by row into {@code target} of the same shape. */
    static void copyInto(double[][] source, double[][] target) {
        for (int i = 0; i < source.length; i++) System.arraycopy(source[i], 0, target[i], 0, source[i].length);
    }

    /** target = factor·sourceᵀ; target is {@code [columns × rows]} of source. */
    static void transpose(double[][] source, double[][] target, double factor) {
        for (int i = 0; i < source.length; i++) {
            double[] row = source[i];
            for (int j = 0; j < row.length; j++) target[j][i] = factor * row[j];
        }
    }

    /** target = sourceᵀ. */
    static void transpose(double[][] source, double[][] target) {
        for (int i = 0; i < source.length; i++) {
            double[] row = source[i];
            for (int j = 0; j < row.length; j++) target[j][i] = row[j];
        }
    }

    static int size(double[][] matrix) {
        int size = 0;
        for (double[] row : matrix) size += row.length;
        return size;
    }
}
