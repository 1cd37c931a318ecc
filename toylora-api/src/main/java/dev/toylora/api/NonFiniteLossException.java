package dev.toylora.api;

/**
 * A training step stopped because its loss was not finite; no weight was updated, so the network is as it was before
 * the step. Usually a learning rate too high for the inputs.
 */
public final class NonFiniteLossException extends IllegalStateException {
    private final long step;
    private final double loss;

    public NonFiniteLossException(long step, double loss) {
        super("step " + step + ": the loss is " + loss + "; no weight was updated (a learning rate too high for these inputs?)");
        this.step = step;
        this.loss = loss;
    }

    /** The step that stopped, counted from 1. */
    public long step() {
        return step;
    }

    public double loss() {
        return loss;
    }
}
