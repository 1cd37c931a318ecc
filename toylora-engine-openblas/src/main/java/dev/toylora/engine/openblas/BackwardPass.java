package dev.toylora.engine.openblas;

import java.nio.FloatBuffer;
import static dev.toylora.engine.openblas.ForwardPass.required;

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

    /**
     * Expects the forward pass's buffers and dL/dz of the last layer; fills {@code gradients} (this half's share, when
     * the rows are half of the batch the masks were drawn for, starting at {@code firstRow}).
     */
    void run(BatchBuffers buffers, @Nullable LoraBranch[] branches, Gradients gradients, Masks masks, int firstRow) {
        int rows = buffers.rows;
        int lowest = gradients.lowestTrainedLayer();
        for (int l = layers.size() - 1; l >= lowest; l--) {
            DenseLayer layer = layers.get(l);
            int in = layer.inputs();
            int out = layer.outputs();
            LayerBuffers b = buffers.layer(l);
            LayerGradients g = gradients.layer(l);
            NativeFloats dz = required(b.dz);
            NativeFloats dW = g.weight;
            if (dW != null) NativeBlas.sgemm(true, false, out, in, rows, 1f, dz, out, b.x, in, 0f, dW, in);   // dW = dzᵀ·x
            NativeFloats db = g.bias;
            if (db != null) columnSums(dz, rows, out, db);                                                    // db = Σ_rows dz
            LoraBranch branch = branches[l];
            if (branch != null && g.loraA != null) lowRankGradients(branch, b, g, dz, rows);
            if (g.input) {
                inputGradient(layer, branch, b, rows, masks.lora(l), firstRow);
                reluDropoutBackward(b, buffers.layer(l - 1));
            }
        }
    }

    /** With y = … + s·(u·Bᵀ), u = drop(x)·Aᵀ: dB = s·dzᵀ·u, du = s·dz·B, dA = duᵀ·drop(x). */
    private static void lowRankGradients(LoraBranch branch, LayerBuffers b, LayerGradients g, NativeFloats dz, int rows) {
        int in = branch.layer.inputs();
        int out = branch.layer.outputs();
        int r = branch.rank;
        NativeFloats u = required(b.u);
        NativeFloats du = required(b.du);
        NativeBlas.sgemm(true, false, out, r, rows, branch.scale, dz, out, u, r, 0f, required(g.loraB), r);
        NativeBlas.sgemm(false, false, rows, r, out, branch.scale, dz, out, branch.b, r, 0f, du, r);
        NativeFloats input = b.xDropped != null ? b.xDropped : b.x;
        NativeBlas.sgemm(true, false, r, in, rows, 1f, du, r, input, in, 0f, required(g.loraA), in);
    }

    /** dx = dz·W (+ the branch's du·A through its dropout mask). */
    private static void inputGradient(DenseLayer layer, @Nullable LoraBranch branch, LayerBuffers b, int rows, float @Nullable [] mask, int firstRow) {
        int in = layer.inputs();
        int out = layer.outputs();
        NativeFloats dx = required(b.dx);
        NativeBlas.sgemm(false, false, rows, in, out, 1f, required(b.dz), out, layer.weightValues(), in, 0f, dx, in);
        NativeFloats du = b.du;
        if (branch == null || du == null) return;
        NativeFloats dxBranch = b.dxBranch;
        if (mask == null || dxBranch == null) {
            NativeBlas.sgemm(false, false, rows, in, branch.rank, 1f, du, branch.rank, branch.a, in, 1f, dx, in);
            return;
        }
        NativeBlas.sgemm(false, false, rows, in, branch.rank, 1f, du, branch.rank, branch.a, in, 0f, dxBranch, in);
        int offset = firstRow * in;
        FloatBuffer d = dx.buffer();
        FloatBuffer fromBranch = dxBranch.buffer();
        for (int i = 0, n = dx.length(); i < n; i++) d.put(i, d.get(i) + fromBranch.get(i) * mask[offset + i]);
    }

    /**
     * dL/dz of the layer below, from dL/dh of its output h = dropout(relu(z)) (this layer's input): h > 0 exactly where
     * the unit was kept and active, and there dh/dz is the keep factor 1/(1-p); elsewhere it is 0.
     */
    private void reluDropoutBackward(LayerBuffers b, LayerBuffers below) {
        FloatBuffer h = b.x.buffer();
        FloatBuffer dh = required(b.dx).buffer();
        FloatBuffer dz = required(below.dz).buffer();
        float keep = (float) Dropout.keepScale(dropout);
        for (int i = 0, n = b.x.length(); i < n; i++) dz.put(i, dh.get(i) * keep * positive(h.get(i)));
    }

    /** 1 for h > 0, else 0, without a branch: activations are positive at random. */
    private static float positive(float h) {
        long bits = Float.floatToRawIntBits(h);
        // A positive float has positive bits; +0 has 0 and negatives (−0 too) the sign bit: bits − 1 < 0 exactly for those.
        return (float) (((bits - 1) >>> 63) ^ 1);
    }

    private static void columnSums(NativeFloats matrix, int rows, int columns, NativeFloats sums) {
        FloatBuffer m = matrix.buffer();
        FloatBuffer s = sums.buffer();
        for (int j = 0; j < columns; j++) s.put(j, 0f);
        for (int i = 0; i < rows; i++) {
            int row = i * columns;
            for (int j = 0; j < columns; j++) s.put(j, s.get(j) + m.get(row + j));
        }
    }
}
