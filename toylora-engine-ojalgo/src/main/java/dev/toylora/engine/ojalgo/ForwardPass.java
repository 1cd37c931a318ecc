package dev.toylora.engine.ojalgo;

import dev.toylora.engine.common.Dropout;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * The forward pass: Linear → ReLU → Dropout for each hidden layer, then Linear to the logits. An adapted
 * layer adds {@code s·((drop(x)·A)·B)}. With a random stream it is training mode (inverted dropout,
 * masks drawn in a fixed order); without, eval mode.
 */
final class ForwardPass {
    private final List<DenseLayer> layers;
    private final double dropout;

    ForwardPass(List<DenseLayer> layers, double dropout) {
        this.layers = layers;
        this.dropout = dropout;
    }

    /**
     * Runs the rows already loaded into {@code buffers}; leaves the logits in {@code buffers.last().z}.
     *
     * @param branches the LoRA branch of each layer to compute, or null
     * @param random   dropout masks for training, or null for eval mode
     */
    void run(BatchBuffers buffers, @Nullable LoraBranch[] branches, @Nullable SplittableRandom random) {
        int last = layers.size() - 1;
        for (int l = 0; l <= last; l++) {
            DenseLayer layer = layers.get(l);
            LayerBuffers b = buffers.layer(l);
            // z = x·W, with x read through the transpose of the stored xᵀ (ojAlgo's fastest form here).
            b.z.store().fillByMultiplying(b.xT.transposed(), layer.weightStore());
            LoraBranch branch = branches[l];
            if (branch != null) lowRankProduct(branch, b, random);
            if (l < last) {
                hiddenEpilogue(layer, branch, b, buffers.layer(l + 1), random);
            } else {
                outputEpilogue(layer, branch, b);
            }
        }
    }

    /** u = drop(x)·A, then v = u·B (never A·B). */
    private static void lowRankProduct(LoraBranch branch, LayerBuffers b, @Nullable SplittableRandom random) {
        Matrix input = b.xT;
        Matrix droppedT = b.xDroppedT;
        if (random != null && droppedT != null) {
            dropInput(branch.dropout, b, droppedT, random);
            input = droppedT;
        }
        Matrix u = required(b.u);
        u.store().fillByMultiplying(input.transposed(), branch.a);
        required(b.v).store().fillByMultiplying(u.store(), branch.b);
    }

    /** The branch's own dropout on its input: drop(x)ᵀ and the mask, drawn in xᵀ's order. */
    private static void dropInput(double p, LayerBuffers b, Matrix droppedT, SplittableRandom random) {
        double keep = Dropout.keepScale(p);
        double[] x = b.xT.data();
        double[] dT = droppedT.data();
        double[] mask = required(b.loraMaskT);
        for (int i = 0; i < x.length; i++) {
            double m = Dropout.keeps(random, p) ? keep : 0;
            mask[i] = m;
            dT[i] = x[i] * m;
        }
    }

    /** h = dropout(relu(z + b + s·v)), written as the next layer's xᵀ (and x where a gradient needs it). */
    private void hiddenEpilogue(DenseLayer layer, @Nullable LoraBranch branch, LayerBuffers b, LayerBuffers next, @Nullable SplittableRandom random) {
        int rows = b.z.store().getRowDim();
        int out = layer.outputs();
        double[] z = b.z.data();
        double[] bias = layer.biasValues();
        double[] v = branch != null ? required(b.v).data() : null;
        double s = branch != null ? branch.scale : 0;
        double[] hT = next.xT.data();
        Matrix nextX = next.x;
        double[] h = nextX != null ? nextX.data() : null;
        boolean drop = random != null && dropout > 0;
        double keep = Dropout.keepScale(dropout);
        for (int j = 0; j < out; j++) {
            double bj = bias[j];
            for (int i = 0; i < rows; i++) {
                int index = i + j * rows;
                double a = z[index] + bj;
                if (v != null) a += s * v[index];
                a = a > 0 ? a : 0;
                if (drop) a = Dropout.keeps(random, dropout) ? a * keep : 0;
                hT[j + i * out] = a;
                if (h != null) h[index] = a;
            }
        }
    }

    /** logits = z + b + s·v, in place. */
    private static void outputEpilogue(DenseLayer layer, @Nullable LoraBranch branch, LayerBuffers b) {
        int rows = b.z.store().getRowDim();
        double[] z = b.z.data();
        double[] bias = layer.biasValues();
        double[] v = branch != null ? required(b.v).data() : null;
        double s = branch != null ? branch.scale : 0;
        for (int j = 0; j < layer.outputs(); j++) {
            double bj = bias[j];
            for (int i = 0; i < rows; i++) {
                int index = i + j * rows;
                double a = z[index] + bj;
                if (v != null) a += s * v[index];
                z[index] = a;
            }
        }
    }

    static <T> T required(@Nullable T buffer) {
        if (buffer == null) throw new IllegalStateException("a buffer this pass needs was not allocated");
        return buffer;
    }
}
