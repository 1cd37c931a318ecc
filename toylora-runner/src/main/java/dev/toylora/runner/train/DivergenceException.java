package dev.toylora.runner.train;

/** The loss became NaN or infinite: training stops at that step and nothing after it is kept. */
public final class DivergenceException extends RuntimeException {
    public DivergenceException(String stage, int epoch, long step, double loss, double learningRate) {
        super("training diverged in stage '" + stage + "' at epoch " + epoch + ", step " + step + ": loss is " + loss
                + " (learning rate " + learningRate + "); try a lower learning rate");
    }
}
