package dev.toylora.engine.ojalgo;

import static dev.toylora.engine.ojalgo.ForwardPass.required;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.ojalgo.matrix.store.R064Store;

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

    /** Expects the forward pass's buffers and dL/dz of the last layer; fills {@code gradients}. */
    void run(BatchBuffers buffers, @Nullable LoraBranch[] branches, Gradients gradients) {
        int lowest = gradients.lowestTrainedLayer();
        for (int l = layers.size() - 1; l >= lowest; l--) {
            LayerBuffers b = buffers.layer(l);
            LayerGradients g = gradients.layer(l);
            R064Store dz = required(b.dz).store();
            R064Store dW = g.weight;
            if (dW != null) dW.fillByMultiplying(required(b.x).transposed(), dz);       // dW = xᵀ·dz
            double[] db = g.bias;
            if (db != null) columnSums(dz, db);                                         // db = Σ_rows dz
            LoraBranch branch = branches[l];
            if (branch != null && g.loraA != null) lowRankGradients(branch, b, g, dz);
            if (g.input) {
                inputGradient(layers.get(l), branch, b);
                reluDropoutBackward(b, buffers.layer(l - 1));
            }
        }
    }

    /** With y = … + s·(u·B), u = drop(x)·A: dB = s·uᵀ·dz, du = s·dz·Bᵀ, dA = drop(x)ᵀ·du (from the stored drop(x)ᵀ). */
    private static void lowRankGradients(LoraBranch branch, LayerBuffers b, LayerGradients g, R064Store dz) {
        R064Store dB = required(g.loraB);
        dB.fillByMultiplying(required(b.u).transposed(), dz);
        scale(dB.data, branch.scale);
        Matrix du = required(b.du);
        du.store().fillByMultiplying(dz, branch.bTransposed);
        scale(du.data(), branch.scale);
        Matrix inputT = b.xDroppedT != null ? b.xDroppedT : b.xT;
        required(g.loraA).fillByMultiplying(inputT.store(), du.store());
    }

    /** dxᵀ = W·dzᵀ (+ the branch's A·duᵀ through its dropout mask). */
    private static void inputGradient(DenseLayer layer, @Nullable LoraBranch branch, LayerBuffers b) {
        Matrix dxT = required(b.dxT);
        dxT.store().fillByMultiplying(layer.weightStore(), required(b.dzT).store());
        Matrix dxDroppedT = b.dxDroppedT;
        if (branch == null || dxDroppedT == null) return;
        dxDroppedT.store().fillByMultiplying(branch.a, required(b.du).transposed());
        double[] dx = dxT.data();
        double[] fromBranch = dxDroppedT.data();
        double[] mask = b.loraMaskT;
        if (mask == null) {
            for (int i = 0; i < dx.length; i++) dx[i] += fromBranch[i];
        } else {
            for (int i = 0; i < dx.length; i++) dx[i] += fromBranch[i] * mask[i];
        }
    }

    /**
     * dL/dz of the layer below, from dL/dh of its output h = dropout(relu(z)): h > 0 exactly where the unit
     * was kept and active, and there dh/dz is the keep factor 1/(1-p); elsewhere it is 0.
     */
    private void reluDropoutBackward(LayerBuffers b, LayerBuffers below) {
        double[] h = b.xT.data();
        double[] dh = required(b.dxT).data();
        double[] dzT = required(below.dzT).data();
        double[] dz = required(below.dz).data();
        int features = b.xT.store().getRowDim();
        int rows = b.xT.store().getColDim();
        double keep = 1 / (1 - dropout);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < features; j++) {
                int index = j + i * features;
                double d = h[index] > 0 ? dh[index] * keep : 0;
                dzT[index] = d;
                dz[i + j * rows] = d;
            }
        }
    }

    private static void columnSums(R064Store m, double[] sums) {
        int rows = m.getRowDim();
        double[] data = m.data;
        for (int j = 0; j < sums.length; j++) {
            double sum = 0;
            for (int i = 0; i < rows; i++) sum += data[i + j * rows];
            sums[j] = sum;
        }
    }

    private static void scale(double[] values, double factor) {
        for (int i = 0; i < values.length; i++) values[i] *= factor;
    }
}
