package dev.toylora.engine.openblas;

import dev.toylora.engine.common.BufferCache;
import dev.toylora.api.Batch;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Trainer;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Trains what was trainable when it was made: the whole network, or only an adapter (and the adapted
 * layers' biases when the adapter says so). Attaching or detaching an adapter afterwards makes it refuse
 * to step; a new trainer is needed then.
 *
 * <p>A step splits its batch into two fixed halves (rows [0, n/2) and [n/2, n)), each with its own buffers and
 * gradients, run at once by {@link Parallel}; the dropout masks are drawn for the whole batch first, and the halves'
 * gradients are added before Adam. The split does not depend on the machine, so neither do the results.
 */
final class MlpTrainer implements Trainer {
    private final MlpNetwork network;
    private final long configuration;
    private final @Nullable LoraAdapter adapter;
    /** The adapter's branch of each layer (all null without one). */
    private final @Nullable LoraBranch[] branches;
    /** Each half's gradients: the same parameters, buffers of their own. */
    private final Gradients[] halves = new Gradients[2];
    @SuppressWarnings("unchecked") // generic array: one cache per half of the batch
    private final BufferCache<BatchBuffers>[] buffers = (BufferCache<BatchBuffers>[]) new BufferCache<?>[2];
    private final Adam adam;
    private final SplittableRandom dropoutMasks;
    private final ForwardPass forward;
    private final BackwardPass backward;
    private @Nullable Masks masks;

    // The step in progress, for the halves' preallocated tasks (nothing is allocated per step).
    private @Nullable Batch batch;
    private boolean backwardToo;
    private int split;
    private final double[] losses = new double[2];
    private final Runnable firstHalf = () -> half(0);
    private final Runnable secondHalf = () -> half(1);

    MlpTrainer(MlpNetwork network, OptimizerSpec spec, long seed) {
        this.network = network;
        this.configuration = network.configuration();
        this.adapter = network.attachedAdapter();
        this.branches = adapter == null ? new LoraBranch[network.denseLayers().size()] : adapter.branchesByLayer();
        for (int h = 0; h < 2; h++) {
            Gradients gradients = adapter == null ? Gradients.ofBase(network.denseLayers()) : Gradients.ofAdapter(network.denseLayers(), adapter);
            halves[h] = gradients;
            buffers[h] = new BufferCache<>(rows -> new BatchBuffers(rows, network.denseLayers(), this.branches, gradients));
        }
        this.adam = new Adam(spec, halves[0], halves[1]);
        this.dropoutMasks = new SplittableRandom(seed);
        this.forward = new ForwardPass(network.denseLayers());
        this.backward = new BackwardPass(network.denseLayers(), network.spec().dropout());
    }

    @Override
    public double step(Batch batch) {
        double loss = run(batch, dropoutMasks, true);
        adam.step(split < batch.rows());
        return loss;
    }

    /** Forward in training mode, loss and backward, without updating: the gradients by parameter name (for tests). */
    Map<String, double[]> gradients(Batch batch) {
        run(batch, dropoutMasks, true);
        adam.reduce(split < batch.rows());
        return halves[0].copies();
    }

    /**
     * Training-mode loss with dropout masks drawn from a fresh stream of {@code maskSeed}, without backward or
     * update (for tests: finite differences through dropout, against {@link #gradients} of a trainer made with that seed).
     */
    double trainingLoss(Batch batch, long maskSeed) {
        return run(batch, new SplittableRandom(maskSeed), false);
    }

    /** Draws the step's masks, runs both halves (forward, loss and, if asked, backward) and returns the mean loss. */
    private double run(Batch batch, SplittableRandom random, boolean backward) {
        checkUsable();
        network.checkColumns(batch);
        int rows = batch.rows();
        Masks current = masks;
        if (current == null || current.rows != rows) {
            current = new Masks(rows, network.denseLayers(), branches, network.spec().dropout());
            masks = current;
        }
        current.draw(random);
        this.batch = batch;
        this.backwardToo = backward;
        this.split = rows >= 2 ? rows / 2 : rows;
        losses[1] = 0;
        try {
            if (split < rows) Parallel.both(firstHalf, secondHalf);
            else firstHalf.run();
        } finally {
            this.batch = null;
        }
        return (losses[0] + losses[1]) / rows;
    }

    /** One half of the step: rows [0, split) or [split, rows). */
    private void half(int index) {
        Batch current = ForwardPass.required(batch);
        Masks stepMasks = ForwardPass.required(masks);
        int first = index == 0 ? 0 : split;
        int rows = index == 0 ? split : current.rows() - split;
        BatchBuffers b = buffers[index].forRows(rows);
        b.loadInput(current.features(), first, current.columns());
        forward.run(b, branches, stepMasks, first);
        LayerBuffers last = b.last();
        int classes = network.spec().outputs();
        if (!backwardToo) {
            losses[index] = SoftmaxCrossEntropy.sum(last.z, rows, classes, current.labels(), first);
            return;
        }
        losses[index] = SoftmaxCrossEntropy.sumAndGradient(last.z, rows, classes, current.labels(), first, current.rows(), ForwardPass.required(last.dz));
        backward.run(b, branches, halves[index], stepMasks, first);
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
