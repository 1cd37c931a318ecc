package dev.toylora.engine.openblas;

import dev.toylora.api.OptimizerSpec;
import dev.toylora.engine.common.AdamMath;

/**
 * Adam (AdamW with weight decay) over a trainer's parameters with the formulas of {@link AdamMath} (PyTorch's), in
 * float32 with float32 moments as PyTorch keeps them; parameters are updated in place. Each parameter's values are
 * split in two ranges, updated at once by {@link Parallel}; the two halves of the batch's gradients are added first.
 */
final class Adam {
    private final Gradients gradients;
    private final Gradients otherHalf;
    private final AdamMath math;
    private final float[][] firstMoments;
    private final float[][] secondMoments;
    private final Runnable lowerHalves = () -> reduceAndUpdate(true, true);
    private final Runnable upperHalves = () -> reduceAndUpdate(false, true);
    private final Runnable reduceLower = () -> reduceAndUpdate(true, false);
    private final Runnable reduceUpper = () -> reduceAndUpdate(false, false);

    /**
     * @param gradients the parameters and the first half's gradients, where the sum ends up
     * @param otherHalf the same parameters' gradients from the second half of the batch
     */
    Adam(OptimizerSpec spec, Gradients gradients, Gradients otherHalf) {
        this.gradients = gradients;
        this.otherHalf = otherHalf;
        this.math = new AdamMath(spec);
        int count = gradients.parameters().size();
        this.firstMoments = new float[count][];
        this.secondMoments = new float[count][];
        for (int i = 0; i < count; i++) {
            int size = gradients.parameters().get(i).values().length;
            firstMoments[i] = new float[size];
            secondMoments[i] = new float[size];
        }
    }

    /** Adds the second half's gradients into the first's (what {@link #step} does before updating). */
    void reduce(boolean secondHalfRan) {
        if (secondHalfRan) Parallel.both(reduceLower, reduceUpper);
    }

    /** One update of every parameter from the gradients now in the buffers (both halves' when {@code secondHalfRan}). */
    void step(boolean secondHalfRan) {
        math.beginStep();
        addOther = secondHalfRan;
        Parallel.both(lowerHalves, upperHalves);
    }

    private boolean addOther;

    private void reduceAndUpdate(boolean lower, boolean update) {
        boolean add = !update || addOther;
        for (int i = 0; i < firstMoments.length; i++) {
            float[] p = gradients.parameters().get(i).values();
            float[] g = gradients.gradient(i);
            int middle = p.length / 2;
            int from = lower ? 0 : middle;
            int to = lower ? middle : p.length;
            if (add) {
                float[] h = otherHalf.gradient(i);
                for (int k = from; k < to; k++) g[k] += h[k];
            }
            if (update) math.update(p, g, firstMoments[i], secondMoments[i], from, to);
        }
    }

    double learningRate() {
        return math.learningRate();
    }

    void learningRate(double learningRate) {
        math.learningRate(learningRate);
    }

    long steps() {
        return math.steps();
    }
}
