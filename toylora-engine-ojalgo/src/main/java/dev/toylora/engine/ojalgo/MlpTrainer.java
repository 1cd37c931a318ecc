package dev.toylora.engine.ojalgo;

import dev.toylora.engine.common.BufferCache;
import dev.toylora.api.Batch;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Trainer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinTask;
import org.jspecify.annotations.Nullable;

/**
 * Trains what was trainable when it was made: the whole network, or only an adapter (and the adapted
 * layers' biases when the adapter says so). Attaching or detaching an adapter afterwards makes it refuse
 * to step; a new trainer is needed then.
 */
final class MlpTrainer implements Trainer {
    private final MlpNetwork network;
    private final long configuration;
    private final @Nullable LoraAdapter adapter;
    /** The adapter's branch of each layer (all null without one). */
    private final @Nullable LoraBranch[] branches;
    private final Gradients gradients;
    private final Adam adam;
    private final SplittableRandom dropoutMasks;
    private final BufferCache<BatchBuffers> buffers;
    /**
     * Wᵀ {@code [in][out]} of every layer, for the forward pass's z = x·Wᵀ. Training the base, made anew before each
     * forward pass (Adam changed W); under an adapter, made at the first step only: the base weights are frozen then,
     * and nothing changes them while this trainer can step (merging stops it; unmerging restores them bit for bit).
     */
    private final float[][][] transposedWeights;
    private boolean transposed;
    private final ForwardPass forward;
    private final BackwardPass backward;

    MlpTrainer(MlpNetwork network, OptimizerSpec spec, long seed) {
        this.network = network;
        this.configuration = network.configuration();
        this.adapter = network.attachedAdapter();
        this.gradients = adapter == null ? Gradients.ofBase(network.denseLayers()) : Gradients.ofAdapter(network.denseLayers(), adapter);
        this.adam = new Adam(spec, gradients);
        this.dropoutMasks = new SplittableRandom(seed);
        this.branches = adapter == null ? new LoraBranch[network.denseLayers().size()] : adapter.branchesByLayer();
        this.buffers = new BufferCache<>(rows -> new BatchBuffers(rows, network.denseLayers(), this.branches, gradients, true));
        List<DenseLayer> layers = network.denseLayers();
        this.transposedWeights = new float[layers.size()][][];
        for (int l = 0; l < layers.size(); l++) {
            float[][] w = layers.get(l).weightRows();
            transposedWeights[l] = Rows.zeros(w[0].length, w.length);
        }
        this.forward = new ForwardPass(layers, network.spec().dropout(), transposedWeights);
        this.backward = new BackwardPass(network.denseLayers(), network.spec().dropout());
    }

    @Override
    public double step(Batch batch) {
        double loss = computeGradients(batch);
        adam.step();
        return loss;
    }

    /** Forward in training mode, loss and backward, without updating: the gradients by parameter name (for tests). */
    Map<String, double[]> gradients(Batch batch) {
        computeGradients(batch);
        return gradients.copies();
    }

    /**
     * Training-mode loss with dropout masks drawn from a fresh stream of {@code maskSeed}, without backward or
     * update (for tests: finite differences through dropout, against {@link #gradients} of a trainer made with that seed).
     */
    double trainingLoss(Batch batch, long maskSeed) {
        checkUsable();
        network.checkColumns(batch);
        BatchBuffers b = buffers.forRows(batch.rows());
        b.loadInput(batch.features(), 0, batch.columns());
        forward().run(b, branches, new SplittableRandom(maskSeed));
        return SoftmaxCrossEntropy.loss(b.last().zT, batch.labels());
    }

    private double computeGradients(Batch batch) {
        checkUsable();
        network.checkColumns(batch);
        BatchBuffers b = buffers.forRows(batch.rows());
        b.loadInput(batch.features(), 0, batch.columns());
        forward().run(b, branches, dropoutMasks);
        LayerBuffers last = b.last();
        double loss = SoftmaxCrossEntropy.lossAndGradient(last.zT, batch.labels(), ForwardPass.required(last.dz), ForwardPass.required(last.dzT));
        backward.run(b, branches, gradients);
        return loss;
    }

    /**
     * The forward pass, with Wᵀ up to date. Making Wᵀ every step costs 0.2 ms (the larger half of fc1's on a pool
     * thread) and saves more: every product then adds rows as long as a layer (z = x·Wᵀ rather than zᵀ = W·xᵀ, whose
     * rows are the 64 of the batch), which ojAlgo's AXPY runs faster, and runs faster still when the same loop never
     * sees short rows (C2 unrolls it for the trip counts it has seen).
     */
    private ForwardPass forward() {
        if (adapter == null || !transposed) {
            List<DenseLayer> layers = network.denseLayers();
            float[][] w0 = layers.get(0).weightRows();
            int half = w0.length / 2;
            ForkJoinTask<?> upper = ForkJoinTask.adapt(() -> Rows.transpose(w0, transposedWeights[0], half, w0.length)).fork();
            Rows.transpose(w0, transposedWeights[0], 0, half);
            for (int l = 1; l < layers.size(); l++) Rows.transpose(layers.get(l).weightRows(), transposedWeights[l]);
            upper.join();
            transposed = true;
        }
        return forward;
    }

    private void checkUsable() {
        if (network.configuration() != configuration) {
            throw new IllegalStateException("this trainer was made for " + (adapter == null ? "the base network" : "adapter " + adapter)
                    + ", but an adapter has been attached or detached since; make a new trainer with network.trainer(…)");
        }
        if (adapter != null && adapter.merged()) {
            throw new IllegalStateException("cannot train while the adapter is merged into the base weights; call adapter.unmerge() first");
        }
    }

    @Override
    public void learningRate(double learningRate) {
        adam.learningRate(learningRate);
    }

    @Override
    public double learningRate() {
        return adam.learningRate();
    }

    @Override
    public long steps() {
        return adam.steps();
    }
}
