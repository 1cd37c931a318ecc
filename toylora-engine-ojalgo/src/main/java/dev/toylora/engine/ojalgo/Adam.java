package dev.toylora.engine.ojalgo;

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
 * Parameters are updated in place.
 */
final class Adam {
    private final Gradients gradients;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final double[][] firstMoments;
    private final double[][] secondMoments;
    private double learningRate;
    private long steps;

    Adam(OptimizerSpec spec, Gradients gradients) {
        this.gradients = gradients;
        this.beta1 = spec.beta1();
        this.beta2 = spec.beta2();
        this.epsilon = spec.epsilon();
        this.weightDecay = spec.weightDecay();
        this.learningRate = spec.learningRate();
        int count = gradients.parameters().size();
        this.firstMoments = new double[count][];
        this.secondMoments = new double[count][];
        for (int i = 0; i < count; i++) {
            int size = gradients.parameters().get(i).values().length;
            firstMoments[i] = new double[size];
            secondMoments[i] = new double[size];
        }
    }

    /** One update of every parameter from the gradients now in the buffers. */
    void step() {
        steps++;
        double stepSize = learningRate / (1 - Math.pow(beta1, steps));
        double correction2Sqrt = Math.sqrt(1 - Math.pow(beta2, steps));
        double decay = 1 - learningRate * weightDecay;
        for (int i = 0; i < firstMoments.length; i++) {
            double[] p = gradients.parameters().get(i).values();
            if (weightDecay > 0) {
                for (int k = 0; k < p.length; k++) p[k] *= decay;
            }
            update(p, gradients.gradient(i), firstMoments[i], secondMoments[i], stepSize, correction2Sqrt);
        }
    }

    private void update(double[] p, double[] g, double[] m, double[] v, double stepSize, double correction2Sqrt) {
        double oneMinusBeta1 = 1 - beta1;
        double oneMinusBeta2 = 1 - beta2;
        for (int k = 0; k < p.length; k++) {
            double gk = g[k];
            double mk = m[k] + oneMinusBeta1 * (gk - m[k]);
            double vk = beta2 * v[k] + oneMinusBeta2 * gk * gk;
            m[k] = mk;
            v[k] = vk;
            p[k] -= stepSize * mk / (Math.sqrt(vk) / correction2Sqrt + epsilon);
        }
    }

    double learningRate() {
        return learningRate;
    }

    void learningRate(double learningRate) {
        // 0 is allowed here (a schedule may end there), unlike in OptimizerSpec.
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be >= 0 and finite, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    long steps() {
        return steps;
    }
}
