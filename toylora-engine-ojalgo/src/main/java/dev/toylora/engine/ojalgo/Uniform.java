package dev.toylora.engine.ojalgo;

import java.util.SplittableRandom;

/** Uniform initialisation as PyTorch's kaiming_uniform_(a=√5) gives it for a fan-in of n: U(-1/√n, 1/√n). */
final class Uniform {
    private Uniform() {}

    /**
     * Fills {@code values}, in order, with draws from U(-bound, bound), rounded to float as PyTorch's float32
     * parameters are: a fresh network then survives {@code weights()} → {@code restore()} bit for bit.
     */
    static void fill(double[] values, double bound, SplittableRandom random) {
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
    }
}
