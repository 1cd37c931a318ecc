package dev.toylora.api;

import java.util.Map;

/**
 * A LoRA adapter attached to a {@link Network}. Its tensors are named as PEFT names them:
 * {@code <layer>.lora_A.weight} of shape [r, in] and {@code <layer>.lora_B.weight} of shape [out, r],
 * plus {@code <layer>.bias} for adapted layers when {@link LoraSpec#trainBias()} is set.
 */
public interface Adapter {
    LoraSpec spec();

    /** Parameters this adapter trains (see {@link LoraSpec#trainableParameters(NetworkSpec)}). */
    long trainableParameters();

    /** Folds s·A·B into the base weights so inference costs what the base costs. Training while merged is refused. */
    void merge();

    /** Takes s·A·B back out of the base weights (equal to the original within float rounding). */
    void unmerge();

    boolean merged();

    /** A copy of the adapter's tensors. */
    Map<String, Tensor> weights();

    /** Replaces the adapter's tensors with {@code weights} (same names and shapes as {@link #weights()}). */
    void load(Map<String, Tensor> weights);
}
