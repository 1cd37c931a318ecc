package dev.toylora.engine.ojalgo;

import org.ojalgo.matrix.store.MatrixStore;
import org.ojalgo.matrix.store.R064Store;

/**
 * A dense column-major matrix with a live view of its transpose, made once so that products can take
 * either form without allocating.
 */
record Matrix(R064Store store, MatrixStore<Double> transposed) {

    static Matrix zeros(int rows, int columns) {
        R064Store store = R064Store.FACTORY.make(rows, columns);
        return new Matrix(store, store.transpose());
    }

    /** Column-major: element (i, j) of an m-row matrix is at {@code i + j·m}. */
    double[] data() {
        return store.data;
    }
}
