package dev.toylora.engine.ojalgo;

import dev.toylora.api.Tensor;
import dev.toylora.engine.common.LiveParameter;

/**
 * A named parameter: its live values (not a copy) as the rows of its PyTorch shape; a vector is one row.
 *
 * @param name the state_dict name, e.g. {@code fc1.weight} or {@code fc1.lora_A.weight}
 * @param shape PyTorch's shape, e.g. {@code [out, in]}
 * @param rows the engine's own arrays, {@code [out][in]} for {@code [out, in]}, updated in place by training
 */
record Parameter(String name, int[] shape, float[][] rows) implements LiveParameter {

    static Parameter vector(String name, float[] values) {
        return new Parameter(name, new int[] {values.length}, new float[][] {values});
    }

    @Override
    public Tensor snapshot() {
        return Tensors.snapshot(shape, rows);
    }

    @Override
    public void load(Tensor tensor) {
        Tensors.copyInto(tensor, rows);
    }
}
