package dev.toylora.engine.ojalgo;

import dev.toylora.api.Tensor;
import dev.toylora.engine.common.LiveParameter;

/**
 * A named parameter: its live values (not a copy) in the row-major order of its PyTorch shape.
 *
 * @param name   the state_dict name, e.g. {@code fc1.weight} or {@code fc1.lora_A.weight}
 * @param shape  PyTorch's shape, e.g. {@code [out, in]}
 * @param values the engine's own array, updated in place by training
 */
record Parameter(String name, int[] shape, double[] values) implements LiveParameter {

    @Override
    public Tensor snapshot() {
        return Tensors.snapshot(shape, values);
    }

    @Override
    public void load(Tensor tensor) {
        Tensors.copyInto(tensor, values);
    }
}
