package dev.toylora.engine.ojalgo;

import static dev.toylora.engine.ojalgo.ForwardPass.required;

import dev.toylora.engine.common.Dropout;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Backpropagation from dL/dz of the last layer down to the lowest layer that trains. Only the gradients
 * of what trains are formed: no dW for a frozen weight, no dx below the lowest trained layer (so never
 * for the first layer).
 */
final class BackwardPass {
    private final List<DenseLayer> layers;
    private final double dropout;

    BackwardPass(List<DenseLayer> layers, double dropout) {
        this.layers = layers;
        this.dropout = dropout;
    }

    /** Expects the forward pass's buffers and dL/dz (both layouts) of the last layer; fills {@code gradients}. */
    void run(BatchBuffers buffers, @Nullable LoraBranch[] branches, Gradients gradients) {
        int lowest = gradients.lowestTrainedLayer();
        for (int l = layers.size() - 1; l >= lowest; l--) {
            LayerBuffers b = buffers.layer(l);
            LayerGradients g = gradients.layer(l);
            float[][] dzT = required(b.dzT);
            float[][] dW = g.weight();
            if (dW != null) Products.multiply(dW, dzT, required(b.x));      // dW = dzᵀ·x
            float[] db = g.bias();
            if (db != null) rowSums(dzT, db);                               // db = Σ_rows dz
            LoraBranch branch = branches[l];
            if (branch != null && g.loraA() != null) lowRankGradients(branch, b, g);
            if (g.input()) {
                inputGradient(layers.get(l), branch, b);
                reluDropoutBackward(b, buffers.layer(l - 1));
            }
        }
    }

    /**
     * With y = … + s·u·Bᵀ, u = drop(x)·Aᵀ: dB = s·dzᵀ·u, du = s·dz·B, dA = duᵀ·drop(x). The products with only r columns
     * are taken transposed (dBᵀ = uᵀ·dz, duᵀ = Bᵀ·dzᵀ): ojAlgo's kernel runs along a product's rows, and r is short.
     */
    private static void lowRankGradients(LoraBranch branch, LayerBuffers b, LayerGradients g) {
        float[][] dBT = required(b.dBT);
        Products.multiply(dBT, required(b.uT), required(b.dz));
        Rows.transpose(dBT, required(g.loraB()), branch.scale);
        float[][] bT = required(b.bT);
        Rows.transpose(branch.b, bT);
        float[][] duT = required(b.duT);
        Products.multiply(duT, bT, required(b.dzT));
        for (float[] row : duT) scale(row, branch.scale);
        float[][] input = b.xDropped != null ? b.xDropped : required(b.x);
        Products.multiply(required(g.loraA()), duT, input);
        float[][] du = b.du;
        if (du != null) Rows.transpose(duT, du);
    }

    /** dx = dz·W (+ the branch's du·A through its dropout mask). */
    private static void inputGradient(DenseLayer layer, @Nullable LoraBranch branch, LayerBuffers b) {
        float[][] dx = required(b.dx);
        Products.multiply(dx, required(b.dz), layer.weightRows());
        float[][] dxBranch = b.dxBranch;
        if (branch == null || dxBranch == null) return;
        Products.multiply(dxBranch, required(b.du), branch.a);
        float[][] mask = b.loraMask;
        for (int i = 0; i < dx.length; i++) {
            float[] row = dx[i];
            float[] fromBranch = dxBranch[i];
            if (mask == null) {
                for (int k = 0; k < row.length; k++) row[k] += fromBranch[k];
            } else {
                float[] m = mask[i];
                for (int k = 0; k < row.length; k++) row[k] += fromBranch[k] * m[k];
            }
        }
    }

    /**
     * dL/dz of the layer below (both layouts), from dL/dh of its output h = dropout(relu(z)): h > 0 exactly where
     * the unit was kept and active, and there dh/dz is the keep factor 1/(1-p); elsewhere it is 0.
     */
    private void reluDropoutBackward(LayerBuffers b, LayerBuffers below) {
        float[][] hT = b.xT;
        float[][] dh = required(b.dx);
        float[][] dzT = required(below.dzT);
        float[][] dz = required(below.dz);
        float keep = (float) Dropout.keepScale(dropout);
        for (int j = 0; j < hT.length; j++) {
            float[] h = hT[j];
            float[] d = dzT[j];
            for (int i = 0; i < h.length; i++) {
                float value = h[i] > 0 ? dh[i][j] * keep : 0;
                d[i] = value;
                dz[i][j] = value;
            }
        }
    }

    /** Each row's sum, in float and in row order: the OpenBLAS engine's column sums of dz. */
    private static void rowSums(float[][] m, float[] sums) {
        for (int j = 0; j < sums.length; j++) {
            float sum = 0;
            for (float value : m[j]) sum += value;
            sums[j] = sum;
        }
    }

    private static void scale(float[] values, float factor) {
        for (int i = 0; i < values.length; i++) values[i] *= factor;
    }
}
