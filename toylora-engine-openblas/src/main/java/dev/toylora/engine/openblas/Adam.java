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
    /** Heap copies of each parameter and of its two gradients, filled from native memory range by range each step. */
    private final float[][] values;
    private final float[][] gradientSums;
    private final float[][] otherGradients;
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
        this.values = new float[count][];
        this.gradientSums = new float[count][];
        this.otherGradients = new float[count][];
        for (int i = 0; i < count; i++) {
            int size = gradients.parameters().get(i).values().length();
            firstMoments[i] = new float[size];
            secondMoments[i] = new float[size];
            values[i] = new float[size];
            gradientSums[i] = new float[size];
            otherGradients[i] = new float[size];
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

    /**
     * Parameters and gradients live in native memory. Each thread copies its range of them into heap arrays that share
     * the moments' indexing, so the update is one loop over five arrays at the same index, which the JIT vectorises
     * (with the moments indexed apart from a chunk it would not — it cannot rule out that the arrays overlap —
     * measured 5× slower); the parameter's range is then copied back. The parameter is read afresh every step, so
     * weights loaded after the trainer was made are what it updates.
     */
    private void reduceAndUpdate(boolean lower, boolean update) {
        boolean add = !update || addOther;
        for (int i = 0; i < firstMoments.length; i++) {
            NativeFloats p = gradients.parameters().get(i).values();
            NativeFloats g = gradients.gradient(i);
            float[] sum = gradientSums[i];
            int middle = p.length() / 2;
            int from = lower ? 0 : middle;
            int to = lower ? middle : p.length();
            int n = to - from;
            g.read(from, sum, from, n);
            if (add) {
                float[] other = otherGradients[i];
                otherHalf.gradient(i).read(from, other, from, n);
                for (int k = from; k < to; k++) sum[k] += other[k];
            }
            if (!update) {
                g.write(from, sum, from, n);
                continue;
            }
            float[] v = values[i];
            p.read(from, v, from, n);
            math.update(v, sum, firstMoments[i], secondMoments[i], from, to);
            p.write(from, v, from, n);
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
