package dev.toylora.model;

import dev.toylora.api.Tensor;
import dev.toylora.model.kernel.Kernels;
import dev.toylora.model.kernel.Matrix;
import java.util.SplittableRandom;

/**
 * A named parameter and its live values in the engine's storage.
 *
 * @param name  the state_dict name, e.g. {@code fc1.weight} or {@code fc1.lora_A.weight}
 * @param shape PyTorch's shape, e.g. {@code [out, in]}; a vector is stored as one row
 */
record Parameter(Kernels kernels, String name, int[] shape, Matrix values) {

    /** A copy of the values, row-major in {@link #shape}. */
    Tensor snapshot() {
        float[] data = new float[Math.toIntExact(values.size())];
        kernels.read(values, data);
        return new Tensor(shape, data);
    }

    /** Copies a tensor, already checked for name and shape, into the live values. */
    void load(Tensor tensor) {
        kernels.write(values, tensor.data(), 0);
    }

    /** Fills the values, row-major, with draws from U(±bound) (see {@link Uniform}). */
    void fill(double bound, SplittableRandom random) {
        float[] data = new float[Math.toIntExact(values.size())];
        Uniform.fill(data, bound, random);
        kernels.write(values, data, 0);
    }
}
