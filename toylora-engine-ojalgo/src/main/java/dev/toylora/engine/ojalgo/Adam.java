package dev.toylora.engine.ojalgo;

import dev.toylora.api.OptimizerSpec;
import dev.toylora.engine.common.AdamMath;

/**
 * Adam (AdamW with weight decay) over a trainer's parameters, with the formulas of {@link AdamMath} (PyTorch's),
 * in double precision; parameters are updated in place, row by row, with moments shaped as they are.
 */
final class Adam {
    private final Gradients gradients;
    private final AdamMath math;
    private final double[][][] firstMoments;
    private final double[][][] secondMoments;

    Adam(OptimizerSpec spec, Gradients gradients) {
        this.gradients = gradients;
        this.math = new AdamMath(spec);
        int count = gradients.parameters().size();
        this.firstMoments = new double[count][][];
        this.secondMoments = new double[count][][];
        for (int i = 0; i < count; i++) {
            double[][] rows = gradients.parameters().get(i).rows();
            firstMoments[i] = new double[rows.length][];
            secondMoments[i] = new double[rows.length][];
            for (int r = 0; r < rows.length; r++) {
                firstMoments[i][r] = new double[rows[r].length];
                secondMoments[i][r] = new double[rows[r].length];
            }
        }
    }

    /** One update of every parameter from the gradients now in the buffers. */
    void step() {
        math.beginStep();
        for (int i = 0; i < firstMoments.length; i++) {
            double[][] p = gradients.parameters().get(i).rows();
            double[][] g = gradients.gradient(i);
            double[][] m = firstMoments[i];
            double[][] v = secondMoments[i];
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
