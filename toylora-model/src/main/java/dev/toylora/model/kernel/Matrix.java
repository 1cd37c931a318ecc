package dev.toylora.model.kernel;

/**
 * A dense float matrix in an engine's own storage (native memory, row arrays, a flat array…). The model only knows
 * its shape; every read, write and product goes through the engine's {@link Kernels}, which may keep whatever it
 * likes beside the values (a transposed copy, a packed form) as long as it notices its own writes.
 */
public interface Matrix {
    int rows();

    int columns();

    default long size() {
        return (long) rows() * columns();
    }
}
