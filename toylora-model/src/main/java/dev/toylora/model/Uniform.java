package dev.toylora.model;

import java.util.SplittableRandom;

/** Uniform initialisation as PyTorch's kaiming_uniform_(a=√5) gives it for a fan-in of n: U(-1/√n, 1/√n). */
public final class Uniform {
    private Uniform() {}

    /** The bound 1/√fanIn of nn.Linear's weight and bias (and of PEFT's lora_A). */
    public static double bound(int fanIn) {
        return 1.0 / Math.sqrt(fanIn);
    }

    /**
     * One draw from U(-bound, bound), rounded to float as PyTorch's float32 parameters are: a fresh network then
     * survives {@code weights()} → {@code restore()} bit for bit, and engines of either precision start equal.
     */
    public static float draw(double bound, SplittableRandom random) {
        return (float) ((2 * random.nextDouble() - 1) * bound);
    }

    /** Fills {@code values}, in order, with {@link #draw}s. */
    public static void fill(float[] values, double bound, SplittableRandom random) {
        for (int i = 0; i < values.length; i++) {
            values[i] = draw(bound, random);
        }
    }
}
