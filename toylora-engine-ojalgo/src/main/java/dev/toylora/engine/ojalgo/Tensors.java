package dev.toylora.engine.ojalgo;

import dev.toylora.api.Tensor;
import dev.toylora.engine.common.NamedTensors;
import java.util.Map;

/** Converts between the engine's row arrays and {@link Tensor}s, and checks named tensors against what is expected. */
final class Tensors {
    private Tensors() {}

    /** A copy of {@code rows}, read row after row: the tensor's row-major order. */
    static Tensor snapshot(int[] shape, float[][] rows) {
        float[] data = new float[Rows.size(rows)];
        int k = 0;
        for (float[] row : rows) {
            System.arraycopy(row, 0, data, k, row.length);
            k += row.length;
        }
        return new Tensor(shape, data);
    }

    /** Copies a tensor's values (row-major) into {@code rows}, row after row. */
    static void copyInto(Tensor tensor, float[][] rows) {
        float[] data = tensor.data();
        int size = Rows.size(rows);
        if (data.length != size) {
            throw new IllegalArgumentException("tensor " + tensor + " has " + data.length + " values, expected " + size);
        }
        int k = 0;
        for (float[] row : rows) {
            System.arraycopy(data, k, row, 0, row.length);
            k += row.length;
        }
    }

    /** See {@link NamedTensors#checkNamesAndShapes}: the same checks and messages in every engine. */
    static void checkNamesAndShapes(String what, Map<String, int[]> expected, Map<String, Tensor> given) {
        NamedTensors.checkNamesAndShapes(what, expected, given);
    }
}
