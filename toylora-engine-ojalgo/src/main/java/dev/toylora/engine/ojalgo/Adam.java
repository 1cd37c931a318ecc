package dev.toylora.engine.ojalgo;

import dev.toylora.api.OptimizerSpec;
import dev.toylora.engine.common.AdamMath;

/**
 * Adam (AdamW with weight decay) over a trainer's parameters, with the formulas of {@link AdamMath} (PyTorch's), in
 * float32 with float32 moments as PyTorch keeps them (a step's bias corrections are computed in double, then rounded:
 * the OpenBLAS engine's arithmetic); parameters are updated in place, row by row, with moments shaped as they are.
 */
final class Adam {
    private final Gradients gradients;
    private final AdamMath math;
    private final float[][][] firstMoments;
    private final float[][][] secondMoments;

    Adam(OptimizerSpec spec, Gradients gradients) {
        this.gradients = gradients;
        this.math = new AdamMath(spec);
        int count = gradients.parameters().size();
        this.firstMoments = new float[count][][];
        this.secondMoments = new float[count][][];
        for (int i = 0; i < count; i++) {
            float[][] rows = gradients.parameters().get(i).rows();
            firstMoments[i] = new float[rows.length][];
            secondMoments[i] = new float[rows.length][];
            for (int r = 0; r < rows.length; r++) {
                firstMoments[i][r] = new float[rows[r].length];
                secondMoments[i][r] = new float[rows[r].length];
            }
        }
    }

    /** One update of every parameter from the gradients now in the buffers. */
    void step() {
        math.beginStep();
        for (int i = 0; i < firstMoments.length; i++) {
            float[][] p = gradients.parameters().get(i).rows();
            float[][] g = gradients.gradient(i);
            float[][] m = firstMoments[i];
            float[][] v = secondMoments[i];
            for (int r = 0; r < p.length; r++) math.update(p[r], g[r], m[r], v[r], 0, p[r].length);
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
