package dev.toylora.engine.openblas;

import dev.toylora.api.Tensor;
import dev.toylora.engine.common.LiveParameter;

/**
 * A named parameter: its live values (not a copy) in the row-major order of its PyTorch shape.
 *
 * @param name   the state_dict name, e.g. {@code fc1.weight} or {@code fc1.lora_A.weight}
 * @param shape  PyTorch's shape, e.g. {@code [out, in]}
 * @param values the engine's own array, updated in place by training
 */
record Parameter(String name, int[] shape, NativeFloats values) implements LiveParameter {

    @Override
    public Tensor snapshot() {
        return new Tensor(shape, values.toArray());
    }

    @Override
    public void load(Tensor tensor) {
        float[] data = tensor.data();
        if (data.length != values.length()) {
            throw new IllegalArgumentException("tensor " + tensor + " has " + data.length + " values, expected " + values.length());
        }
        values.copyFrom(data);
    }
}
