package dev.toylora.api;

/**
 * Adam (or AdamW when {@code weightDecay > 0}, decoupled as in PyTorch's AdamW), with PyTorch's
 * defaults β = (0.9, 0.999), ε = 1e-8.
 */
public record OptimizerSpec(double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {

    public OptimizerSpec {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        if (!(epsilon > 0)) throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
    }

    public static OptimizerSpec adam(double learningRate) {
        return new OptimizerSpec(learningRate, 0.9, 0.999, 1e-8, 0.0);
    }

    /** AdamW: Adam with decoupled weight decay, PyTorch's defaults otherwise. */
    public static OptimizerSpec adamW(double learningRate, double weightDecay) {
        return adam(learningRate).withWeightDecay(weightDecay);
    }

    // Withers: one named change each, readable from Java and Kotlin alike.

    public OptimizerSpec withLearningRate(double learningRate) {
        return new OptimizerSpec(learningRate, beta1, beta2, epsilon, weightDecay);
    }

    public OptimizerSpec withBetas(double beta1, double beta2) {
        return new OptimizerSpec(learningRate, beta1, beta2, epsilon, weightDecay);
    }

    public OptimizerSpec withEpsilon(double epsilon) {
        return new OptimizerSpec(learningRate, beta1, beta2, epsilon, weightDecay);
    }

    public OptimizerSpec withWeightDecay(double weightDecay) {
        return new OptimizerSpec(learningRate, beta1, beta2, epsilon, weightDecay);
    }
}
