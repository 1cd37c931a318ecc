package dev.toylora.engine.openblas;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The last phase of a training step: once the batch has run forward and backward, every trained
 * parameter's gradient over the whole batch, each thread taking half the rows of every parameter and handing each block
 * to Adam as soon as it is formed, while it is still in cache. One product over all rows, rather than one per half and
 * then their sum, packs each operand and clears each gradient once, and Adam reads each gradient once.
 */
final class ParameterGradients {
    /** A block of rows of one parameter: how its gradient is formed, and which of the parameter's values it covers. */
    private record Block(int parameter, int from, int to, Runnable gradient) {}

    private final Block[][] blocks = new Block[2][];

    /**
     * @param whole the buffers of the batch, which the forward and backward passes filled
     */
    ParameterGradients(List<DenseLayer> layers, @Nullable LoraBranch[] branches, Gradients gradients, BatchBuffers whole) {
        for (int half = 0; half < 2; half++) {
            List<Block> made = new ArrayList<>();
            for (int l = layers.size() - 1; l >= 0; l--) {
                addBlocks(made, half, layers.get(l), branches[l], gradients.layer(l), gradients, whole.layer(l), whole.rows);
            }
            blocks[half] = made.toArray(new Block[0]);
        }
    }

    /** Forms this thread's blocks of the gradients and, when {@code adam} is given, updates those values with them. */
    void run(int half, @Nullable Adam adam) {
        for (Block block : blocks[half]) {
            block.gradient.run();
            if (adam != null) adam.update(block.parameter, block.from, block.to, half);
        }
    }

    private static void addBlocks(List<Block> blocks, int half, DenseLayer layer, @Nullable LoraBranch branch, LayerGradients g,
                                  Gradients gradients, LayerBuffers b, int rows) {
        int in = layer.inputs();
        int out = layer.outputs();
        int j0 = Parallel.start(out, half);
        int j1 = Parallel.end(out, half);
        int m = j1 - j0;
        NativeFloats weight = g.weight;
        NativeFloats bias = g.bias;
        NativeFloats loraA = g.loraA;
        NativeFloats loraB = g.loraB;
        if (m > 0 && (weight != null || bias != null || loraB != null)) {
            // Columns j0… of dz, read with dz's own row length: dzᵀ's rows j0…j1.
            NativeFloats dz = ForwardPass.required(b.dz);
            NativeFloats dzFromColumn = dz.view(j0, dz.length() - j0);
            if (weight != null) {
                NativeFloats rowsOfGradient = weight.view(j0 * in, m * in);
                blocks.add(new Block(gradients.indexOf(weight), j0 * in, j1 * in,    // dW = dzᵀ·x
                        () -> NativeBlas.sgemm(true, false, m, in, rows, 1f, dzFromColumn, out, b.x, in, 0f, rowsOfGradient, in)));
            }
            if (bias != null) {
                float[] total = new float[m];
                float[] row = new float[m];
                blocks.add(new Block(gradients.indexOf(bias), j0, j1, () -> columnSums(dz, rows, out, j0, j1, bias, total, row)));   // db = Σ_rows dz
            }
            if (loraB != null && branch != null) {
                int r = branch.rank;
                NativeFloats u = ForwardPass.required(b.u);
                NativeFloats rowsOfGradient = loraB.view(j0 * r, m * r);
                blocks.add(new Block(gradients.indexOf(loraB), j0 * r, j1 * r,     // dB = s·dzᵀ·u
                        () -> NativeBlas.sgemm(true, false, m, r, rows, branch.scale, dzFromColumn, out, u, r, 0f, rowsOfGradient, r)));
            }
        }
        if (loraA != null && branch != null) {
            int r = branch.rank;
            int i0 = Parallel.start(r, half);
            int i1 = Parallel.end(r, half);
            if (i1 > i0) {
                NativeFloats du = ForwardPass.required(b.du);
                NativeFloats duFromColumn = du.view(i0, du.length() - i0);
                NativeFloats input = b.xDropped != null ? b.xDropped : b.x;
                NativeFloats rowsOfGradient = loraA.view(i0 * in, (i1 - i0) * in);
                blocks.add(new Block(gradients.indexOf(loraA), i0 * in, i1 * in,   // dA = duᵀ·drop(x)
                        () -> NativeBlas.sgemm(true, false, i1 - i0, in, rows, 1f, duFromColumn, r, input, in, 0f, rowsOfGradient, in)));
            }
        }
    }

    /** Σ over rows of columns [from, to) of a row-major matrix, a row's block at a time through heap arrays. */
    private static void columnSums(NativeFloats matrix, int rows, int columns, int from, int to, NativeFloats sums, float[] total, float[] row) {
        int n = to - from;
        java.util.Arrays.fill(total, 0f);
        for (int i = 0; i < rows; i++) {
            matrix.read(i * columns + from, row, 0, n);
            for (int j = 0; j < n; j++) total[j] += row[j];
        }
        sums.write(from, total, 0, n);
    }
}
