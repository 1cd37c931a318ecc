package dev.toylora.engine.openblas;

import dev.toylora.api.OptimizerSpec;
import dev.toylora.engine.common.AdamMath;

/**
 * Adam (AdamW with weight decay) over a trainer's parameters with the formulas of {@link AdamMath} (PyTorch's), in
 * float32 with float32 moments as PyTorch keeps them; parameters are updated in place, a range at a time, so that two
 * threads can each update their own blocks of rows ({@link ParameterGradients}) as soon as the gradients are formed.
 */
final class Adam {
    private final Gradients gradients;
    private final AdamMath math;
    private final float[][] firstMoments;
    private final float[][] secondMoments;
    /** Heap copies of each parameter and its gradient, filled from native memory range by range. */
    private final float[][] values;
    /**
     * For each parameter and thread, the parameter's {@link NativeFloats#changes} when that thread's range was last read
     * into {@link #values}: Adam's own writes are not counted, so the range is read again only when something else wrote
     * the parameter (weights loaded after the trainer was made, an unmerge), and otherwise the heap copy is the truth.
     */
    private final int[][] readAt;
    private final float[][] gradientCopies;

    Adam(OptimizerSpec spec, Gradients gradients) {
        this.gradients = gradients;
        this.math = new AdamMath(spec);
        int count = gradients.parameters().size();
        this.firstMoments = new float[count][];
        this.secondMoments = new float[count][];
        this.values = new float[count][];
        this.gradientCopies = new float[count][];
        this.readAt = new int[count][];
        for (int i = 0; i < count; i++) {
            int size = gradients.parameters().get(i).values().length();
            firstMoments[i] = new float[size];
            secondMoments[i] = new float[size];
            values[i] = new float[size];
            gradientCopies[i] = new float[size];
            readAt[i] = new int[] {-1, -1};
        }
    }

    /** Starts a step (its bias corrections); then every value is updated once, by {@link #update}. */
    void beginStep() {
        math.beginStep();
    }

    /**
     * Updates values {@code [from, to)} of parameter {@code i} from its gradient, on thread {@code half} (each thread
     * always updates the same ranges). Parameter and gradient live in native memory; the gradient's range is copied into
     * a heap array that shares the moments' indexing, so the update is one loop over five arrays at the same index, which
     * the JIT vectorises (with the moments indexed apart from a chunk it would not — it cannot rule out that the arrays
     * overlap — measured 5× slower); the parameter's range is then written back.
     */
    void update(int i, int from, int to, int half) {
        NativeFloats p = gradients.parameters().get(i).values();
        int n = to - from;
        float[] g = gradientCopies[i];
        float[] v = values[i];
        gradients.gradient(i).read(from, g, from, n);
        int changes = p.changes();
        if (readAt[i][half] != changes) {
            p.read(from, v, from, n);
            readAt[i][half] = changes;
        }
        math.update(v, g, firstMoments[i], secondMoments[i], from, to);
        p.writeUncounted(from, v, from, n);
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
