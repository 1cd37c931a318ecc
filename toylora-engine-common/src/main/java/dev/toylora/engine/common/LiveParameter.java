package dev.toylora.engine.common;

import dev.toylora.api.Tensor;

/** A named parameter an engine trains in place, whatever it stores it in. */
public interface LiveParameter {
    /** The state_dict name, e.g. {@code fc1.weight} or {@code fc1.lora_A.weight}. */
    String name();

    /** PyTorch's shape, e.g. {@code [out, in]}. */
    int[] shape();

    /** A copy of the values, row-major in that shape. */
    Tensor snapshot();

    /** Copies a tensor (already checked for name and shape) into the live values. */
    void load(Tensor tensor);
}
