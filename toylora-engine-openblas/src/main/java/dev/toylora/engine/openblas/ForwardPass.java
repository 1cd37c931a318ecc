package dev.toylora.engine.openblas;

import java.nio.FloatBuffer;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The forward pass: Linear → ReLU → Dropout for each hidden layer, then Linear to the logits. An adapted
 * layer adds {@code s·((drop(x)·Aᵀ)·Bᵀ)}. With the step's {@link Masks} it is training mode (inverted dropout, the
 * masks drawn beforehand in the order every engine uses); without, eval mode. It runs on a whole batch or on either
 * half of a training step's batch.
 */
final class ForwardPass {
    private final List<DenseLayer> layers;

    ForwardPass(List<DenseLayer> layers) {
        this.layers = layers;
    }

    /**
     * Runs the rows already loaded into {@code buffers}; leaves the logits in {@code buffers.last().z}.
     *
     * @param branches the LoRA branch of each layer to compute, or null
     * @param masks    the step's dropout masks for training, or null for eval mode
     * @param firstRow where these rows start in the batch the masks were drawn for
     */
    void run(BatchBuffers buffers, @Nullable LoraBranch[] branches, @Nullable Masks masks, int firstRow) {
        int rows = buffers.rows;
        int last = layers.size() - 1;
        for (int l = 0; l <= last; l++) {
            DenseLayer layer = layers.get(l);
            LayerBuffers b = buffers.layer(l);
            // z = x·Wᵀ
            NativeBlas.sgemm(false, true, rows, layer.outputs(), layer.inputs(), 1f, b.x, layer.inputs(),
                    layer.weightValues(), layer.inputs(), 0f, b.z, layer.outputs());
            LoraBranch branch = branches[l];
            if (branch != null) lowRankProduct(branch, b, rows, masks != null ? masks.lora(l) : null, firstRow);
            if (l < last) {
                hiddenEpilogue(layer, branch, b, buffers.layer(l + 1), rows, masks != null ? masks.hidden(l + 1) : null, firstRow);
            } else {
                outputEpilogue(layer, branch, b, rows);
            }
        }
    }

    /** u = drop(x)·Aᵀ, then v = u·Bᵀ (never B·A). */
    private static void lowRankProduct(LoraBranch branch, LayerBuffers b, int rows, float @Nullable [] mask, int firstRow) {
        int in = branch.layer.inputs();
        NativeFloats input = b.x;
        NativeFloats dropped = b.xDropped;
        if (mask != null && dropped != null) {
            FloatBuffer x = b.x.buffer();
            FloatBuffer d = dropped.buffer();
            int offset = firstRow * in;
            for (int i = 0, n = b.x.length(); i < n; i++) d.put(i, x.get(i) * mask[offset + i]);
            input = dropped;
        }
        NativeFloats u = required(b.u);
        NativeBlas.sgemm(false, true, rows, branch.rank, in, 1f, input, in, branch.a, in, 0f, u, branch.rank);
        NativeBlas.sgemm(false, true, rows, branch.layer.outputs(), branch.rank, 1f, u, branch.rank, branch.b, branch.rank, 0f,
                required(b.v), branch.layer.outputs());
    }

    /** h = dropout(relu(z + b + s·v)), written as the next layer's input, without branches (the signs are random). */
    private static void hiddenEpilogue(DenseLayer layer, @Nullable LoraBranch branch, LayerBuffers b, LayerBuffers next, int rows,
                                       float @Nullable [] mask, int firstRow) {
        int out = layer.outputs();
        FloatBuffer z = b.z.buffer();
        FloatBuffer h = next.x.buffer();
        FloatBuffer bias = layer.biasValues().buffer();
        FloatBuffer v = branch != null ? required(b.v).buffer() : null;
        float s = branch != null ? branch.scale : 0f;
        int offset = firstRow * out;
        for (int i = 0; i < rows; i++) {
            int row = i * out;
            for (int j = 0; j < out; j++) {
                float a = z.get(row + j) + bias.get(j);
                if (v != null) a += s * v.get(row + j);
                a = Math.max(a, 0f);
                if (mask != null) a *= mask[offset + row + j];
                h.put(row + j, a);
            }
        }
    }

    /** logits = z + b + s·v, in place. */
    private static void outputEpilogue(DenseLayer layer, @Nullable LoraBranch branch, LayerBuffers b, int rows) {
        int out = layer.outputs();
        FloatBuffer z = b.z.buffer();
        FloatBuffer bias = layer.biasValues().buffer();
        FloatBuffer v = branch != null ? required(b.v).buffer() : null;
        float s = branch != null ? branch.scale : 0f;
        for (int i = 0; i < rows; i++) {
            int row = i * out;
            for (int j = 0; j < out; j++) {
                float a = z.get(row + j) + bias.get(j);
                if (v != null) a += s * v.get(row + j);
                z.put(row + j, a);
            }
        }
    }

    static <T> T required(@Nullable T buffer) {
        if (buffer == null) throw new IllegalStateException("a buffer this pass needs was not allocated");
        return buffer;
    }
}
