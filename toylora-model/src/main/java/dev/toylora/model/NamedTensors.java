package dev.toylora.model;

import dev.toylora.api.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Checks named tensors against what an engine expects, with one message for every engine. */
public final class NamedTensors {
    private NamedTensors() {}

    /**
     * Throws unless {@code given} holds exactly the names of {@code expected}, each with the expected
     * shape; the message names every missing, extra or misshapen tensor.
     *
     * @param what what the tensors are for, e.g. "the network 784-512-10"
     */
    public static void checkNamesAndShapes(String what, Map<String, int[]> expected, Map<String, Tensor> given) {
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

    /** "784-512-256-128-10". */
    public static String describe(dev.toylora.api.NetworkSpec spec) {
        StringBuilder shape = new StringBuilder().append(spec.inputs());
        for (int h : spec.hidden()) shape.append('-').append(h);
        return shape.append('-').append(spec.outputs()).toString();
    }

    private static String describe(Map<String, int[]> expected) {
        List<String> parts = new ArrayList<>();
        expected.forEach((name, shape) -> parts.add(name + Arrays.toString(shape)));
        return String.join(", ", parts);
    }
}
