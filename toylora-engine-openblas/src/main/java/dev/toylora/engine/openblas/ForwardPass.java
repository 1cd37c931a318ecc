package dev.toylora.engine.openblas;

import dev.toylora.engine.common.SplitMixStream;
import java.nio.FloatBuffer;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The forward pass: Linear → ReLU → Dropout for each hidden layer, then Linear to the logits. An adapted
 * layer adds {@code s·((drop(x)·Aᵀ)·Bᵀ)}. With the step's {@link Masks} it is training mode (inverted dropout, the
 * masks drawn beforehand in the order every engine uses); without, eval mode.
 *
 * <p>Each layer runs on both threads ({@link Parallel}), each taking half the layer's outputs for the whole batch:
 * its block of W's rows, of z's columns, and their epilogue. So each thread packs only its half of W (splitting the
 * batch instead made each half pack all of it). A branch's u = drop(x)·Aᵀ comes first, each thread taking half the rows.
 * An instance belongs to one network or trainer and runs one batch at a time.
 */
final class ForwardPass {
    private final List<DenseLayer> layers;

    // The pass in progress, for the preallocated tasks.
    private @Nullable BatchBuffers buffers;
    private @Nullable LoraBranch[] branches = new LoraBranch[0];
    private @Nullable Masks masks;
    private int layer;
    /** Each thread's heap arrays for the epilogue, as long as the widest layer. */
    private final Scratch[] scratch;
    private final Runnable lowerOutputs = () -> outputs(0);
    private final Runnable upperOutputs = () -> outputs(1);
    private final Runnable lowerRows = () -> lowRankInput(0);
    private final Runnable upperRows = () -> lowRankInput(1);

    ForwardPass(List<DenseLayer> layers) {
        this.layers = layers;
        int widest = 0;
        for (DenseLayer layer : layers) widest = Math.max(widest, layer.outputs());
        this.scratch = new Scratch[] {new Scratch(widest), new Scratch(widest)};
    }

    private static final class Scratch {
        final float[] a;
        final float[] c;
        final float[] bias;

        Scratch(int width) {
            a = new float[width];
            c = new float[width];
            bias = new float[width];
        }
    }

    /**
     * Runs the rows loaded into {@code buffers}; leaves the logits in {@code buffers.last().z}.
     *
     * @param branches the LoRA branch of each layer to compute, or null
     * @param masks    the step's dropout masks for training, or null for eval mode
     */
    void run(BatchBuffers buffers, @Nullable LoraBranch[] branches, @Nullable Masks masks) {
        this.buffers = buffers;
        this.branches = branches;
        this.masks = masks;
        try {
            for (int l = 0; l < layers.size(); l++) {
                layer = l;
                if (branches[l] != null) Parallel.both(lowerRows, upperRows);
                Parallel.both(lowerOutputs, upperOutputs);
            }
        } finally {
            this.buffers = null;
            this.masks = null;
        }
    }

    /** This thread's half of the rows of drop(x) and of u = drop(x)·Aᵀ. */
    private void lowRankInput(int half) {
        BatchBuffers all = required(buffers);
        LoraBranch branch = required(branches[layer]);
        LayerBuffers b = all.layer(layer);
        int in = branch.layer.inputs();
        int r = branch.rank;
        int i0 = Parallel.start(all.rows, half);
        int i1 = Parallel.end(all.rows, half);
        if (i1 == i0) return;
        NativeFloats input = b.x;
        float[] mask = masks != null ? masks.lora(layer) : null;
        NativeFloats dropped = b.xDropped;
        if (mask != null && dropped != null) {
            FloatBuffer x = b.x.buffer();
            FloatBuffer d = dropped.buffer();
            for (int i = i0 * in, n = i1 * in; i < n; i++) d.put(i, x.get(i) * mask[i]);
            input = dropped;
        }
        NativeBlas.sgemm(false, true, i1 - i0, r, in, 1f, input.from(i0 * in), in, branch.a, in, 0f, required(b.u).from(i0 * r), r);
    }

    /** This thread's half of the layer's outputs: z = x·Wᵀ (+ s·u·Bᵀ) and the epilogue, for columns [j0, j1). */
    private void outputs(int half) {
        BatchBuffers all = required(buffers);
        int l = layer;
        DenseLayer dense = layers.get(l);
        LayerBuffers b = all.layer(l);
        int rows = all.rows;
        int in = dense.inputs();
        int out = dense.outputs();
        int j0 = Parallel.start(out, half);
        int j1 = Parallel.end(out, half);
        if (j1 == j0) return;
        NativeBlas.sgemm(false, true, rows, j1 - j0, in, 1f, b.x, in, dense.weightValues().from(j0 * in), in, 0f, b.z.from(j0), out);
        LoraBranch branch = branches[l];
        if (branch != null) {
            NativeBlas.sgemm(false, true, rows, j1 - j0, branch.rank, 1f, required(b.u), branch.rank, branch.b.from(j0 * branch.rank),
                    branch.rank, 0f, required(b.v).from(j0), out);
        }
        if (l < layers.size() - 1) {
            hiddenEpilogue(dense, branch, b, all.layer(l + 1), rows, masks, l + 1, j0, j1, scratch[half]);
        } else {
            outputEpilogue(dense, branch, b, rows, j0, j1);
        }
    }

    /**
     * h = dropout(relu(z + b + s·v)) for columns [j0, j1), written as the next layer's input, without branches (the signs
     * and the draws are random). The dropout draws are made here, each where it is applied (see {@link Masks}). Each row's
     * block is copied into heap arrays, computed there (a loop the JIT vectorises, which it does not over a buffer) and
     * copied back.
     */
    private static void hiddenEpilogue(DenseLayer layer, @Nullable LoraBranch branch, LayerBuffers b, LayerBuffers next, int rows,
                                       @Nullable Masks masks, int nextLayer, int j0, int j1, Scratch scratch) {
        int out = layer.outputs();
        int n = j1 - j0;
        float[] a = scratch.a;
        float[] c = scratch.c;
        float[] bias = scratch.bias;
        layer.biasValues().read(j0, bias, 0, n);
        NativeFloats v = branch != null ? required(b.v) : null;
        float s = branch != null ? branch.scale : 0f;
        long start = masks != null ? masks.hiddenStart(nextLayer) : -1;
        SplitMixStream stream = start >= 0 && masks != null ? masks.stream() : null;
        long threshold = masks != null ? masks.hiddenThreshold : 0;
        float keep = masks != null ? masks.hiddenKeep : 1f;
        for (int i = 0; i < rows; i++) {
            int row = i * out + j0;
            b.z.read(row, a, 0, n);
            if (v != null) {
                v.read(row, c, 0, n);
                for (int j = 0; j < n; j++) a[j] = (a[j] + bias[j]) + s * c[j];
            } else {
                for (int j = 0; j < n; j++) a[j] += bias[j];
            }
            if (stream == null) {
                for (int j = 0; j < n; j++) a[j] = Math.max(a[j], 0f);
            } else {
                long first = start + (long) j0 * rows + i;
                for (int j = 0; j < n; j++) {
                    long bits = stream.bitsAt(first + (long) j * rows);
                    float kept = (float) (((bits - threshold) >>> 63) ^ 1);   // 1 when bits >= threshold (both below 2⁵³)
                    a[j] = Math.max(a[j], 0f) * keep * kept;
                }
            }
            next.x.write(row, a, 0, n);
        }
    }

    /** logits = z + b + s·v for columns [j0, j1), in place. */
    private static void outputEpilogue(DenseLayer layer, @Nullable LoraBranch branch, LayerBuffers b, int rows, int j0, int j1) {
        int out = layer.outputs();
        FloatBuffer z = b.z.buffer();
        FloatBuffer bias = layer.biasValues().buffer();
        FloatBuffer v = branch != null ? required(b.v).buffer() : null;
        float s = branch != null ? branch.scale : 0f;
        for (int i = 0; i < rows; i++) {
            int row = i * out;
            for (int j = j0; j < j1; j++) {
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
