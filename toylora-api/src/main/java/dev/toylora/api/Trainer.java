package dev.toylora.api;

/**
 * Trains what is trainable in a network, one batch at a time: everything when no adapter is
 * attached, only the adapter (and, if it says so, the adapted layers' biases) when one is.
 */
public interface Trainer {
    /** Forward in training mode (dropout on), softmax cross-entropy, backward, one optimizer update.
     *  Returns the batch's mean loss. */
    double step(Batch batch);

    /** Sets the learning rate for the following steps (schedules live in the caller). */
    void learningRate(double learningRate);

    double learningRate();

    /** Steps taken so far. */
    long steps();
}
