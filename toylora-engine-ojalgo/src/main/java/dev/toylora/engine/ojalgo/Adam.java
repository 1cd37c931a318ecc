package dev.toylora.engine.ojalgo;

import dev.toylora.api.OptimizerSpec;
import dev.toylora.engine.common.AdamMath;

/**
 * Adam (AdamW with weight decay) over a trainer's parameters, with the formulas of {@link AdamMath} (PyTorch's),
 * in double precision; parameters are updated in place.
 */
final class Adam {
    private final Gradients gradients;
    private final AdamMath math;
    private final double[][] firstMoments;
    private final double[][] secondMoments;

    Adam(OptimizerSpec spec, Gradients gradients) {
        this.gradients = gradients;
        this.math = new AdamMath(spec);
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
        math.beginStep();
        for (int i = 0; i < firstMoments.length; i++) {
            double[] p = gradients.parameters().get(i).values();
            math.update(p, gradients.gradient(i), firstMoments[i], secondMoments[i], 0, p.length);
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
