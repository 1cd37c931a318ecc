package dev.toylora.api;

/**
 * Looks inside an eval-mode forward pass and, when asked, sends gradients back to the inputs: what model inversion
 * (inputs optimised so that the network gives chosen outputs) and activation statistics need.
 * See {@link Network#probe(Batch, Probe, float[])}.
 */
public interface Probe {
    /**
     * Sees hidden layer {@code layer}'s pre-activation {@code z = x·Wᵀ + b} ({@code [rows × units]}, row-major, before
     * the ReLU) and may add a loss on it: returns that loss and writes its gradient with respect to z into
     * {@code gradient} (zeros on entry). The array is the pass's own: read it, do not change it. By default nothing is
     * added.
     */
    default double hidden(int layer, float[] preActivation, int rows, int units, float[] gradient) {
        return 0;
    }

    /** Sees the logits; returns a loss on them and writes its gradient into {@code gradient} (zeros on entry). */
    double logits(float[] logits, int rows, int classes, float[] gradient);
}
