package dev.toylora.engine.openblas;

import dev.toylora.engine.common.BufferCache;
import dev.toylora.engine.common.SplitMixStream;
import dev.toylora.api.Batch;
import dev.toylora.api.OptimizerSpec;
import dev.toylora.api.Trainer;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Trains what was trainable when it was made: the whole network, or only an adapter (and the adapted
 * layers' biases when the adapter says so). Attaching or detaching an adapter afterwards makes it refuse
 * to step; a new trainer is needed then.
 *
 * <p>A step runs on both cores ({@link Parallel}): the dropout masks for the whole batch, drawn by halves; each layer
 * of the forward and backward pass, by halves of its outputs (forward) or inputs (backward); then each thread forms
 * half the rows of every parameter's gradient over the whole batch and updates them ({@link ParameterGradients},
 * {@link Adam}). No split depends on the machine, so neither do the results.
 */
final class MlpTrainer implements Trainer {
    private final MlpNetwork network;
    private final long configuration;
    private final @Nullable LoraAdapter adapter;
    /** The adapter's branch of each layer (all null without one). */
    private final @Nullable LoraBranch[] branches;
    private final Gradients gradients;
    private final BufferCache<StepBuffers> buffers;
    private final Adam adam;
    private final SplitMixStream dropoutMasks;
    private final ForwardPass forward;
    private final BackwardPass backward;
    private @Nullable Masks masks;

    // The step in progress, for the preallocated tasks (nothing is allocated per step).
    private @Nullable StepBuffers current;
    private boolean update;
    private final Runnable lowerParameterRows = () -> parameterRows(0);
    private final Runnable upperParameterRows = () -> parameterRows(1);

    /** A batch size's buffers, and the parameter-gradient blocks over them. */
    private static final class StepBuffers {
        final BatchBuffers batch;
        final ParameterGradients parameterGradients;

        StepBuffers(int rows, MlpNetwork network, @Nullable LoraBranch[] branches, Gradients gradients) {
            this.batch = new BatchBuffers(rows, network.denseLayers(), branches, gradients);
            this.parameterGradients = new ParameterGradients(network.denseLayers(), branches, gradients, batch);
        }
    }

    MlpTrainer(MlpNetwork network, OptimizerSpec spec, long seed) {
        this.network = network;
        this.configuration = network.configuration();
        this.adapter = network.attachedAdapter();
        this.branches = adapter == null ? new LoraBranch[network.denseLayers().size()] : adapter.branchesByLayer();
        this.gradients = adapter == null ? Gradients.ofBase(network.denseLayers()) : Gradients.ofAdapter(network.denseLayers(), adapter);
        this.buffers = new BufferCache<>(rows -> new StepBuffers(rows, network, this.branches, gradients));
        this.adam = new Adam(spec, gradients);
        this.dropoutMasks = new SplitMixStream(seed);
        this.forward = new ForwardPass(network.denseLayers());
        this.backward = new BackwardPass(network.denseLayers(), network.spec().dropout());
    }

    @Override
    public double step(Batch batch) {
        return run(batch, dropoutMasks, true, true);
    }

    /** Forward in training mode, loss and backward, without updating: the gradients by parameter name (for tests). */
    Map<String, double[]> gradients(Batch batch) {
        run(batch, dropoutMasks, true, false);
        return gradients.copies();
    }

    /**
     * Training-mode loss with dropout masks drawn from a fresh stream of {@code maskSeed}, without backward or
     * update (for tests: finite differences through dropout, against {@link #gradients} of a trainer made with that seed).
     */
    double trainingLoss(Batch batch, long maskSeed) {
        return run(batch, new SplitMixStream(maskSeed), false, false);
    }

    /** Draws the step's masks, runs forward, the loss and, if asked, backward, the parameter gradients and the update; returns the mean loss. */
    private double run(Batch batch, SplitMixStream random, boolean backwardToo, boolean update) {
        checkUsable();
        network.checkColumns(batch);
        int rows = batch.rows();
        Masks stepMasks = masks;
        if (stepMasks == null || stepMasks.rows != rows) {
            stepMasks = new Masks(rows, network.denseLayers(), branches, network.spec().dropout());
            masks = stepMasks;
        }
        stepMasks.draw(random);
        StepBuffers step = buffers.forRows(rows);
        BatchBuffers b = step.batch;
        b.loadInput(batch.features(), 0, batch.columns());
        forward.run(b, branches, stepMasks);
        LayerBuffers last = b.last();
        int classes = network.spec().outputs();
        if (!backwardToo) return SoftmaxCrossEntropy.sum(last.z, rows, classes, batch.labels(), 0) / rows;
        double loss = SoftmaxCrossEntropy.sumAndGradient(last.z, rows, classes, batch.labels(), 0, rows, ForwardPass.required(last.dz)) / rows;
        backward.run(b, branches, gradients, stepMasks);
        this.current = step;
        this.update = update;
        try {
            if (update) adam.beginStep();
            Parallel.both(lowerParameterRows, upperParameterRows);
        } finally {
            this.current = null;
        }
        return loss;
    }

    /** One thread's half of every parameter's rows: gradients over the whole batch, then (if asked) their update. */
    private void parameterRows(int half) {
        ForwardPass.required(current).parameterGradients.run(half, update ? adam : null);
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
