package dev.toylora.engine.ojalgo;

import dev.toylora.api.Tensor;
import dev.toylora.engine.common.NamedTensors;
import java.util.Map;

/** Converts between the engine's double arrays and {@link Tensor}s, and checks named tensors against what is expected. */
final class Tensors {
    private Tensors() {}

    /** A float snapshot of {@code values}, which are already in the tensor's row-major order. */
    static Tensor snapshot(int[] shape, double[] values) {
        float[] data = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            data[i] = (float) values[i];
        }
        return new Tensor(shape, data);
    }

    /** Copies a tensor's values (row-major) into {@code target}, which has the same order. */
    static void copyInto(Tensor tensor, double[] target) {
        float[] data = tensor.data();
        if (data.length != target.length) {
            throw new IllegalArgumentException("tensor " + tensor + " has " + data.length + " values, expected " + target.length);
        }
        for (int i = 0; i < data.length; i++) {
            target[i] = data[i];
        }
    }

    /** See {@link NamedTensors#checkNamesAndShapes}: the same checks and messages in every engine. */
    static void checkNamesAndShapes(String what, Map<String, int[]> expected, Map<String, Tensor> given) {
        NamedTensors.checkNamesAndShapes(what, expected, given);
    }
}
