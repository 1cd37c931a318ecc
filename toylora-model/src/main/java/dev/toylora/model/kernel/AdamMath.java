package dev.toylora.model.kernel;

import dev.toylora.api.OptimizerSpec;

/**
 * Adam as PyTorch's single-tensor {@code torch.optim.Adam} computes it, or {@code AdamW} (decoupled weight
 * decay, applied to the parameter before the step) when the spec has weight decay:
 * <pre>
 *   p ← p·(1 − lr·λ)                      (AdamW only)
 *   m ← m + (1 − β₁)(g − m)               (PyTorch's lerp)
 *   v ← β₂·v + (1 − β₂)·g²
 *   p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 * computed as {@code p ← p − (lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)) · m / (√v + ε·√(1 − β₂ᵗ))}: the same value with one division
 * per element instead of PyTorch's two (its rounding differs in the last bits anyway); the update loop is a tenth of a
 * training step, and the division is its costliest part (measured: the loop takes 0.85× the time).
 * An instance holds the hyper-parameters, the learning rate (which a schedule may change) and the step count;
 * the update loop works on any slice of a parameter in place, in float (as PyTorch's float32 parameters and
 * moments are), so that engines of any layout share the formulas.
 */
public final class AdamMath {
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private double learningRate;
    private long steps;
    /** lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ): the step size with the second bias correction moved out of the denominator. */
    private double stepSize;
    /** ε·√(1 − β₂ᵗ), for the same reason. */
    private double scaledEpsilon;
    private double decay;

    public AdamMath(OptimizerSpec spec) {
        this.beta1 = spec.beta1();
        this.beta2 = spec.beta2();
        this.epsilon = spec.epsilon();
        this.weightDecay = spec.weightDecay();
        this.learningRate = spec.learningRate();
    }

    /** Counts a step and computes its bias corrections; then call an {@code update} for every parameter. */
    public void beginStep() {
        steps++;
        double correction2Sqrt = Math.sqrt(1 - Math.pow(beta2, steps));
        stepSize = learningRate * correction2Sqrt / (1 - Math.pow(beta1, steps));
        scaledEpsilon = epsilon * correction2Sqrt;
        decay = 1 - learningRate * weightDecay;
    }

    /**
     * Updates {@code p[from, to)} from the gradient {@code g} and the moments {@code m} and {@code v} (same indices),
     * in float arithmetic as PyTorch does it on float32 tensors.
     */
    public void update(float[] p, float[] g, float[] m, float[] v, int from, int to) {
        if (weightDecay > 0) {
            float d = (float) decay;
            for (int k = from; k < to; k++) p[k] *= d;
        }
        float oneMinusBeta1 = (float) (1 - beta1);
        float oneMinusBeta2 = (float) (1 - beta2);
        float b2 = (float) beta2;
        float size = (float) stepSize;
        float eps = (float) scaledEpsilon;
        for (int k = from; k < to; k++) {
            float gk = g[k];
            float mk = m[k] + oneMinusBeta1 * (gk - m[k]);
            float vk = b2 * v[k] + oneMinusBeta2 * gk * gk;
            m[k] = mk;
            v[k] = vk;
            p[k] -= size * mk / ((float) Math.sqrt(vk) + eps);
        }
    }

    public double learningRate() {
        return learningRate;
    }

    public void learningRate(double learningRate) {
        // 0 is allowed here (a schedule may end there), unlike in OptimizerSpec.
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be >= 0 and finite, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    public long steps() {
        return steps;
    }
}
