package dev.toylora.api;

import java.util.Map;

/**
 * Trains what is trainable in a network, one batch at a time: everything when no adapter is
 * attached, only the adapter (and, if it says so, the adapted layers' biases) when one is.
 */
public interface Trainer {
    /** Forward in training mode (dropout on), softmax cross-entropy, backward, one optimizer update.
     *  Returns the batch's mean loss. */
    double step(Batch batch);

    /**
     * A step that minimises {@code objective} on the batch's logits instead of cross-entropy on its labels (the batch
     * may then be unlabelled). Returns the objective's loss.
     */
    default double step(Batch batch, Objective objective) {
        throw new UnsupportedOperationException("this engine's trainer only minimises cross-entropy on labels");
    }

    /**
     * From now on, every step also minimises {@code strength/2 · Σ importance ⊙ (θ − θ_base)²} over the base's weights
     * and biases as the adapter changes them — {@code θ − θ_base} is {@code s·B·A} for an adapted weight, the trained
     * bias minus the base's for a bias — as elastic weight consolidation (EWC) does with the Fisher information of the
     * old task ({@link Network#fisherDiagonal(Batch)}). Only for a trainer of an adapter; importance is named and
     * shaped like {@link Network#weights()}. The loss a step returns does not include this term.
     */
    default void penaliseChange(Map<String, Tensor> importance, double strength) {
        throw new UnsupportedOperationException("this engine's trainer has no change penalty");
    }

    /** Sets the learning rate for the following steps (schedules live in the caller). */
    void learningRate(double learningRate);

    double learningRate();

    /** Steps taken so far. */
    long steps();
}
