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
    private final Chunks lowerChunks = new Chunks();
    private final Chunks upperChunks = new Chunks();
    private final Runnable lowerHalves = () -> reduceAndUpdate(true, true, lowerChunks);
    private final Runnable upperHalves = () -> reduceAndUpdate(false, true, upperChunks);
    private final Runnable reduceLower = () -> reduceAndUpdate(true, false, lowerChunks);
    private final Runnable reduceUpper = () -> reduceAndUpdate(false, false, upperChunks);

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
            int size = gradients.parameters().get(i).values().length();
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

    /**
     * Parameters and gradients live in native memory; the update runs on chunks of them copied into small arrays,
     * where the JIT vectorises it (it would not with the moments indexed apart from the chunk: measured 5× slower), and
     * the parameter's and moments' chunks are copied back.
     */
    private void reduceAndUpdate(boolean lower, boolean update, Chunks c) {
        boolean add = !update || addOther;
        for (int i = 0; i < firstMoments.length; i++) {
            NativeFloats p = gradients.parameters().get(i).values();
            NativeFloats g = gradients.gradient(i);
            NativeFloats h = otherHalf.gradient(i);
            float[] m = firstMoments[i];
            float[] v = secondMoments[i];
            int middle = p.length() / 2;
            int from = lower ? 0 : middle;
            int to = lower ? middle : p.length();
            for (int start = from; start < to; start += Chunks.SIZE) {
                int n = Math.min(Chunks.SIZE, to - start);
                g.read(start, c.g, 0, n);
                if (add) {
                    h.read(start, c.h, 0, n);
                    for (int k = 0; k < n; k++) c.g[k] += c.h[k];
                }
                if (!update) {
                    g.write(start, c.g, 0, n);
                    continue;
                }
                p.read(start, c.p, 0, n);
                System.arraycopy(m, start, c.m, 0, n);
                System.arraycopy(v, start, c.v, 0, n);
                math.update(c.p, c.g, c.m, c.v, 0, n);
                p.write(start, c.p, 0, n);
                System.arraycopy(c.m, 0, m, start, n);
                System.arraycopy(c.v, 0, v, start, n);
            }
        }
    }

    /** One thread's scratch: a chunk of a parameter, its gradient (both halves) and its moments. */
    private static final class Chunks {
        static final int SIZE = 2048;
        final float[] p = new float[SIZE];
        final float[] g = new float[SIZE];
        final float[] h = new float[SIZE];
        final float[] m = new float[SIZE];
        final float[] v = new float[SIZE];
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
