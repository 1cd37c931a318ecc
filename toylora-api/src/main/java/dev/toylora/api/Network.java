package dev.toylora.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A multilayer perceptron built by a {@link Backend}, with at most one LoRA adapter attached at a time. */
public interface Network extends AutoCloseable {
    NetworkSpec spec();

    /** fc1 … fcN, in order. */
    List<Layer> layers();

    /** Weights and biases of the base network, {@code 567,434} for the seed's MLP. */
    long parameterCount();

    /** Parameters a {@link Trainer} made now would update. */
    long trainableParameterCount();

    /**
     * Attaches a LoRA adapter (A drawn from {@code seed}, B = 0, so the logits do not change) and
     * freezes the base. Throws if an adapter is already attached or the spec does not fit.
     */
    Adapter attach(LoraSpec spec, long seed);

    /** The adapter now attached, if any. */
    Optional<Adapter> adapter();

    /** Removes the adapter (unmerging it first if merged): the network is the base again, bit for bit. */
    void detach();

    /** A trainer for what is trainable now; dropout masks are drawn from {@code seed}. */
    Trainer trainer(OptimizerSpec spec, long seed);

    /** Eval-mode forward pass (no dropout): writes {@code batch.rows() × outputs} logits, row-major, into {@code out}. */
    void logits(Batch batch, float[] out);

    /**
     * Eval-mode logits where groups of rows run with different adapters — the way LoRA is served (S-LoRA, Punica): the
     * base's products run once for the whole batch, and each row gets only its own adapters' low-rank updates. Rows in
     * no group get the base. Needs no adapter attached (the base is what is shared); groups must not overlap.
     */
    default void logits(Batch batch, List<RowGroup> groups, float[] out) {
        throw new UnsupportedOperationException("this engine does not batch several adapters in one pass; use AdapterSet.use(name) per adapter");
    }

    /** Eval-mode logits, {@code rows × outputs}, row-major, in a new array. */
    default float[] logits(Batch batch) {
        float[] out = new float[batch.rows() * spec().outputs()];
        logits(batch, out);
        return out;
    }

    /** The class each row's largest logit names (eval mode). */
    default int[] predict(Batch batch) {
        return Predictions.argmax(logits(batch), batch.rows(), spec().outputs());
    }

    /** The fraction of a labelled batch's rows predicted right. */
    default double accuracy(Batch batch) {
        if (!batch.labelled()) throw new IllegalArgumentException("accuracy needs a labelled batch; this one has no labels");
        return Predictions.accuracy(predict(batch), batch.labels(), batch.rows());
    }

    /** Frees what the engine holds outside the Java heap (native memory); the network is not to be used after. */
    @Override
    default void close() {}

    /**
     * An eval-mode forward pass that shows {@code probe} every hidden pre-activation and the logits, and, when
     * {@code inputGradient} is given ({@code rows × inputs}), the gradient of the probe's losses with respect to the
     * inputs written into it. Returns the probe's total loss. Nothing trains and nothing changes: model inversion and
     * activation statistics are built on this.
     */
    default double probe(Batch batch, Probe probe, float @Nullable [] inputGradient) {
        throw new UnsupportedOperationException("this engine cannot probe its forward pass");
    }

    /**
     * The diagonal of the empirical Fisher information of the base's weights and biases on a labelled batch: for each
     * parameter, the mean over rows of its squared per-row gradient of the cross-entropy (eval mode). Named and shaped
     * like {@link #weights()}. Needs no adapter attached.
     */
    default Map<String, Tensor> fisherDiagonal(Batch batch) {
        throw new UnsupportedOperationException("this engine cannot compute a Fisher diagonal");
    }

    /** A copy of the base weights and biases, named {@code fc1.weight}, {@code fc1.bias}, … (PyTorch's state_dict names). */
    Map<String, Tensor> weights();
}
