package dev.toylora.engine.openblas;

import static dev.toylora.engine.openblas.ForwardPass.required;

import dev.toylora.engine.common.Dropout;
import java.nio.FloatBuffer;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Backpropagation from dL/dz of the last layer down to the lowest layer that trains: dL/dz of every layer that trains
 * (and, under an adapter, dL/du), from which {@link ParameterGradients} then forms the parameters' gradients. No dx
 * below the lowest trained layer (so never for the first layer), none of a frozen weight's gradient.
 *
 * <p>Like the forward pass, each layer runs on both threads: du = s·dz·B by halves of the rows, then dx = dz·W by halves
 * of dx's columns (each thread packing only its block of W's columns), with the ReLU/dropout derivative on that block.
 * An instance belongs to one trainer and runs one batch at a time.
 */
final class BackwardPass {
    private final List<DenseLayer> layers;
    private final double dropout;

    // The pass in progress, for the preallocated tasks.
    private @Nullable BatchBuffers buffers;
    private @Nullable LoraBranch[] branches = new LoraBranch[0];
    private @Nullable Masks masks;
    private int layer;
    /** Each thread's heap arrays for the ReLU/dropout derivative, as long as the widest layer input. */
    private final Scratch[] scratch;
    private final Runnable lowerRows = () -> lowRankGradient(0);
    private final Runnable upperRows = () -> lowRankGradient(1);
    private final Runnable lowerInputs = () -> inputGradient(0);
    private final Runnable upperInputs = () -> inputGradient(1);

    BackwardPass(List<DenseLayer> layers, double dropout) {
        this.layers = layers;
        this.dropout = dropout;
        int widest = 0;
        for (DenseLayer layer : layers) widest = Math.max(widest, layer.inputs());
        this.scratch = new Scratch[] {new Scratch(widest), new Scratch(widest)};
    }

    private static final class Scratch {
        final float[] h;
        final float[] dh;

        Scratch(int width) {
            h = new float[width];
            dh = new float[width];
        }
    }

    /** Expects the forward pass's buffers and dL/dz of the last layer. */
    void run(BatchBuffers buffers, @Nullable LoraBranch[] branches, Gradients gradients, Masks masks) {
        this.buffers = buffers;
        this.branches = branches;
        this.masks = masks;
        try {
            for (int l = layers.size() - 1; l >= gradients.lowestTrainedLayer(); l--) {
                layer = l;
                LayerGradients g = gradients.layer(l);
                if (branches[l] != null && g.loraA != null) Parallel.both(lowerRows, upperRows);
                if (g.input) Parallel.both(lowerInputs, upperInputs);
            }
        } finally {
            this.buffers = null;
            this.masks = null;
        }
    }

    /** With y = … + s·(u·Bᵀ): this thread's rows of du = s·dz·B, for dA and for the branch's share of dx. */
    private void lowRankGradient(int half) {
        BatchBuffers all = required(buffers);
        LoraBranch branch = required(branches[layer]);
        LayerBuffers b = all.layer(layer);
        int out = branch.layer.outputs();
        int r = branch.rank;
        int i0 = Parallel.start(all.rows, half);
        int i1 = Parallel.end(all.rows, half);
        if (i1 == i0) return;
        NativeBlas.sgemm(false, false, i1 - i0, r, out, branch.scale, required(b.dz).from(i0 * out), out, branch.b, r, 0f,
                required(b.du).from(i0 * r), r);
    }

    /**
     * This thread's columns [c0, c1) of dx = dz·W (+ the branch's du·A through its dropout mask), then of dL/dz of the
     * layer below: its output h = dropout(relu(z)) is this layer's input, h > 0 exactly where the unit was kept and
     * active, and there dh/dz is the keep factor 1/(1-p); elsewhere it is 0.
     */
    private void inputGradient(int half) {
        BatchBuffers all = required(buffers);
        int l = layer;
        DenseLayer dense = layers.get(l);
        LayerBuffers b = all.layer(l);
        int rows = all.rows;
        int in = dense.inputs();
        int out = dense.outputs();
        int c0 = Parallel.start(in, half);
        int c1 = Parallel.end(in, half);
        if (c1 == c0) return;
        int n = c1 - c0;
        NativeFloats dx = required(b.dx);
        NativeBlas.sgemm(false, false, rows, n, out, 1f, required(b.dz), out, dense.weightValues().from(c0), in, 0f, dx.from(c0), in);
        LoraBranch branch = branches[l];
        NativeFloats du = b.du;
        float[] mask = required(masks).lora(l);
        if (branch != null && du != null) {
            NativeFloats dxBranch = b.dxBranch;
            if (mask == null || dxBranch == null) {
                NativeBlas.sgemm(false, false, rows, n, branch.rank, 1f, du, branch.rank, branch.a.from(c0), in, 1f, dx.from(c0), in);
            } else {
                NativeBlas.sgemm(false, false, rows, n, branch.rank, 1f, du, branch.rank, branch.a.from(c0), in, 0f, dxBranch.from(c0), in);
                FloatBuffer d = dx.buffer();
                FloatBuffer fromBranch = dxBranch.buffer();
                for (int i = 0; i < rows; i++) {
                    for (int k = i * in + c0, end = i * in + c1; k < end; k++) d.put(k, d.get(k) + fromBranch.get(k) * mask[k]);
                }
            }
        }
        // dL/dz below = dh·keep·[h > 0], a row's block at a time through heap arrays (a loop the JIT vectorises).
        NativeFloats dz = required(all.layer(l - 1).dz);
        float keep = (float) Dropout.keepScale(dropout);
        float[] h = scratch[half].h;
        float[] dh = scratch[half].dh;
        for (int i = 0; i < rows; i++) {
            int row = i * in + c0;
            b.x.read(row, h, 0, n);
            dx.read(row, dh, 0, n);
            for (int k = 0; k < n; k++) dh[k] = dh[k] * keep * positive(h[k]);
            dz.write(row, dh, 0, n);
        }
    }

    /** 1 for h > 0, else 0, without a branch: activations are positive at random. */
    private static float positive(float h) {
        long bits = Float.floatToRawIntBits(h);
        // A positive float has positive bits; +0 has 0 and negatives (−0 too) the sign bit: bits − 1 < 0 exactly for those.
        return (float) (((bits - 1) >>> 63) ^ 1);
    }
}
