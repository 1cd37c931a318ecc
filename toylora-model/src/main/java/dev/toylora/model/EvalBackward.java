package dev.toylora.model;

import dev.toylora.api.Batch;
import dev.toylora.api.Probe;
import dev.toylora.api.Tensor;
import dev.toylora.model.kernel.Kernels;
import dev.toylora.model.kernel.Matrix;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Backward passes in eval mode (no dropout, nothing trains), for what keeps old classes without old images:
 * <ul>
 *   <li>{@link #probe}: gradients down to the inputs of losses on the logits and on hidden pre-activations — model
 *       inversion and activation statistics;</li>
 *   <li>{@link #fisher}: the empirical Fisher diagonal of the base — EWC's importance of each weight.</li>
 * </ul>
 * The hidden pre-activations z are brought to the host (rows × units per layer, small beside the products), where the
 * ReLU and its derivative are applied, so that a probe sees z before the ReLU cuts it.
 */
final class EvalBackward {
    /** Batches larger than this run in slices of it (the Fisher sums over a whole training set). */
    private static final int SLICE = 512;
    private static final LoraLinear.Gradients NOTHING = new LoraLinear.Gradients(null, null, null, null);

    private final Mlp network;
    private final Kernels kernels;
    private final List<LoraLinear> layers;
    /** A training-shaped pass (dz everywhere, dx down to the inputs), used without dropout. */
    private final BufferCache<Mlp.Pass> passes;

    EvalBackward(Mlp network) {
        this.network = network;
        this.kernels = network.kernels();
        this.layers = network.linearLayers();
        this.passes = new BufferCache<>(rows -> network.new Pass(rows, true, false, -1));
    }

    void clear() {
        passes.clear();
    }

    /** The host copies of one pass: each layer's pre-activation (z, then logits) and the ReLU outputs below each layer. */
    private final class Host {
        final float[][] z = new float[layers.size()][];
        final float[][] relu = new float[layers.size()][];
        final float[][] dz = new float[layers.size()][];
        /** dL/d(output of layer l), as the layer above sends it back before the ReLU: scratch for the backward pass. */
        final float[][] dy = new float[layers.size()][];

        Host(int rows) {
            for (int l = 0; l < layers.size(); l++) {
                z[l] = new float[rows * layers.get(l).outputs()];
                relu[l] = new float[rows * layers.get(l).outputs()];
                dz[l] = new float[rows * layers.get(l).outputs()];
                dy[l] = new float[rows * layers.get(l).outputs()];
            }
        }
    }

    private final BufferCache<Host> hosts = new BufferCache<>(Host::new);

    /** Eval forward of {@code rows} rows from {@code features[offset…]}; hidden losses of the probe go into {@code host.dz}. */
    private double forward(Mlp.Pass pass, Host host, float[] features, int offset, @Nullable Probe probe) {
        kernels.write(pass.input, features, offset);
        int last = layers.size() - 1;
        double loss = 0;
        for (int l = 0; l <= last; l++) {
            LoraLinear.Activations act = pass.layers.get(l);
            layers.get(l).forward(pass.inputOf(l), act, false, null, null);   // z = x·Wᵀ + b (+ s·v), no ReLU yet
            kernels.read(act.y, host.z[l]);
            if (l == last) break;
            Arrays.fill(host.dz[l], 0f);
            if (probe != null) loss += probe.hidden(l, host.z[l], pass.rows, layers.get(l).outputs(), host.dz[l]);
            float[] z = host.z[l];
            float[] y = host.relu[l];
            for (int k = 0; k < z.length; k++) y[k] = Math.max(z[k], 0f);
            kernels.write(act.y, y, 0);
        }
        return loss;
    }

    /**
     * From dL/dlogits in {@code host.dz[last]}: every layer's dz, down to the inputs; {@code atLayer} sees each layer's
     * dz and input on the host before going below it (the Fisher's hook).
     */
    private void backward(Mlp.Pass pass, Host host, float @Nullable [] inputGradient, @Nullable LayerHook atLayer) {
        int last = layers.size() - 1;
        kernels.write(LoraLinear.required(pass.layers.get(last).dz), host.dz[last], 0);
        for (int l = last; l >= 0; l--) {
            LoraLinear.Activations act = pass.layers.get(l);
            if (atLayer != null) atLayer.accept(l, host.dz[l], l == 0 ? null : host.relu[l - 1]);
            if (l == 0 && inputGradient == null) break;
            layers.get(l).backward(pass.inputOf(l), act, NOTHING);          // dx = dz·W (+ the branch's)
            if (l == 0) {
                kernels.read(LoraLinear.required(act.dx), inputGradient);
                break;
            }
            // Below: dz = dx ⊙ [z > 0] plus the probe's own gradient on z, which it wrote there in forward.
            float[] dx = host.dy[l - 1];
            kernels.read(LoraLinear.required(act.dx), dx);
            float[] z = host.z[l - 1];
            float[] dz = host.dz[l - 1];
            for (int k = 0; k < dz.length; k++) dz[k] += z[k] > 0 ? dx[k] : 0f;
            kernels.write(LoraLinear.required(pass.layers.get(l - 1).dz), dz, 0);
        }
    }

    private interface LayerHook {
        /** Layer l's dz {@code [rows × out]} and its input {@code [rows × in]} (null: the batch itself). */
        void accept(int layer, float[] dz, float @Nullable [] input);
    }

    double probe(Batch batch, Probe probe, float @Nullable [] inputGradient) {
        network.checkColumns(batch);
        int rows = batch.rows();
        if (inputGradient != null && inputGradient.length < rows * batch.columns()) {
            throw new IllegalArgumentException("inputGradient holds " + inputGradient.length + " values, " + rows + " rows of "
                    + batch.columns() + " inputs need " + (long) rows * batch.columns());
        }
        Mlp.Pass pass = passes.forRows(rows);
        Host host = hosts.forRows(rows);
        double loss = forward(pass, host, batch.features(), 0, probe);
        int last = layers.size() - 1;
        Arrays.fill(host.dz[last], 0f);
        loss += probe.logits(host.z[last], rows, network.spec().outputs(), host.dz[last]);
        if (inputGradient != null) backward(pass, host, inputGradient, null);
        return loss;
    }

    /**
     * F = mean over rows of (∂ℓᵢ/∂θ)². A weight's per-row gradient is the outer product dzᵢ·xᵢᵀ, so its square is
     * dzᵢ²·(xᵢ²)ᵀ and the sum over rows one product of the squared matrices: (dz⊙dz)ᵀ·(x⊙x).
     */
    Map<String, Tensor> fisher(Batch batch) {
        if (network.attachedAdapter() != null) throw new IllegalStateException("detach the adapter first: the Fisher diagonal is the base's");
        if (!batch.labelled()) throw new IllegalArgumentException("the Fisher diagonal needs a labelled batch; this one has no labels");
        network.checkColumns(batch);
        int classes = network.spec().outputs();
        int count = layers.size();
        Matrix[] weights = new Matrix[count];
        double[][] biases = new double[count][];
        for (int l = 0; l < count; l++) {
            weights[l] = kernels.zeros(layers.get(l).outputs(), layers.get(l).inputs());
            biases[l] = new double[layers.get(l).outputs()];
        }
        for (int first = 0; first < batch.rows(); first += SLICE) {
            int rows = Math.min(SLICE, batch.rows() - first);
            Mlp.Pass pass = passes.forRows(rows);
            Host host = hosts.forRows(rows);
            forward(pass, host, batch.features(), first * batch.columns(), null);
            int last = count - 1;
            SoftmaxCrossEntropy.lossAndGradient(host.z[last], rows, classes, batch.labels(), first, host.dz[last]);
            for (int k = 0; k < host.dz[last].length; k++) host.dz[last][k] *= rows;    // per row, not the batch mean
            int firstRow = first;
            backward(pass, host, null, (l, dz, input) -> {
                int in = layers.get(l).inputs();
                int out = layers.get(l).outputs();
                float[] x2 = new float[rows * in];
                if (input == null) {
                    System.arraycopy(batch.features(), firstRow * in, x2, 0, rows * in);
                } else {
                    System.arraycopy(input, 0, x2, 0, rows * in);
                }
                for (int k = 0; k < x2.length; k++) x2[k] *= x2[k];
                float[] dz2 = new float[rows * out];
                for (int k = 0; k < dz2.length; k++) {
                    dz2[k] = dz[k] * dz[k];
                    biases[l][k % out] += dz2[k];
                }
                Matrix squaredDz = kernels.zeros(rows, out);
                Matrix squaredX = kernels.zeros(rows, in);
                kernels.write(squaredDz, dz2, 0);
                kernels.write(squaredX, x2, 0);
                kernels.product(1f, squaredDz, true, squaredX, false, 1f, weights[l]);
                kernels.release(squaredDz);
                kernels.release(squaredX);
            });
        }
        Map<String, Tensor> fisher = new LinkedHashMap<>();
        float mean = 1f / batch.rows();
        for (int l = 0; l < count; l++) {
            LoraLinear layer = layers.get(l);
            float[] w = new float[layer.outputs() * layer.inputs()];
            kernels.read(weights[l], w);
            kernels.release(weights[l]);
            for (int k = 0; k < w.length; k++) w[k] *= mean;
            float[] b = new float[layer.outputs()];
            for (int k = 0; k < b.length; k++) b[k] = (float) (biases[l][k] * mean);
            fisher.put(layer.weight.name(), new Tensor(layer.weight.shape(), w));
            fisher.put(layer.bias.name(), new Tensor(layer.bias.shape(), b));
        }
        return fisher;
    }
}
