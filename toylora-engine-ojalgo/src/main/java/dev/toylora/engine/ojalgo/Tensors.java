package dev.toylora.engine.ojalgo;

import dev.toylora.api.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

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

    /**
     * Throws unless {@code given} holds exactly the names of {@code expected}, each with the expected
     * shape; the message names every missing, extra or misshapen tensor.
     *
     * @param what what the tensors are for, e.g. "the weights of a 784-512-10 network"
     */
    static void checkNamesAndShapes(String what, Map<String, int[]> expected, Map<String, Tensor> given) {
        List<String> problems = new ArrayList<>();
        TreeSet<String> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(given.keySet());
        if (!missing.isEmpty()) problems.add("missing " + missing);
        TreeSet<String> extra = new TreeSet<>(given.keySet());
        extra.removeAll(expected.keySet());
        if (!extra.isEmpty()) problems.add("unexpected " + extra);
        for (Map.Entry<String, int[]> entry : expected.entrySet()) {
            Tensor tensor = given.get(entry.getKey());
            if (tensor != null && !Arrays.equals(tensor.shape(), entry.getValue())) {
                problems.add(entry.getKey() + " has shape " + Arrays.toString(tensor.shape())
                        + ", expected " + Arrays.toString(entry.getValue()));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("tensors do not fit " + what + ": " + String.join("; ", problems)
                    + " (expected " + describe(expected) + ")");
        }
    }

    private static String describe(Map<String, int[]> expected) {
        List<String> parts = new ArrayList<>();
        expected.forEach((name, shape) -> parts.add(name + Arrays.toString(shape)));
        return String.join(", ", parts);
    }
}
