package dev.toylora.tck;

import dev.toylora.api.Batch;
import dev.toylora.api.Network;
import dev.toylora.api.Trainer;
import java.util.Map;

/**
 * An engine's test hooks, which the API does not offer: gradients without an update, losses in the engine's own
 * arithmetic, and live access to parameter values. Each engine implements it in its tests, next to its package-private
 * internals; it is not API.
 */
public interface Introspection {

    /** The unit roundoff of the engine's arithmetic, 2⁻⁵³ for double, 2⁻²⁴ for float: tolerances scale with it. */
    double unitRoundoff();

    /**
     * A forward pass in training mode (dropout masks from the trainer's own stream, as {@code step} would draw them),
     * the loss and the backward pass, without an update: the gradients of what the trainer trains, by parameter name,
     * in the order and layout of the named tensors ({@code fc1.weight} row-major {@code [out, in]}, …).
     */
    Map<String, double[]> gradients(Trainer trainer, Batch batch);

    /**
     * The training-mode mean loss with dropout masks drawn from a fresh stream of {@code maskSeed}, without backward or
     * update (finite differences through dropout, against {@link #gradients} of a trainer made with that seed).
     */
    double trainingLoss(Trainer trainer, Batch batch, long maskSeed);

    /** The eval-mode mean cross-entropy of {@code batch}, accumulated in double. */
    double loss(Network network, Batch batch);

    /** Every parameter by name, live (base, then the attached adapter's): values a test may nudge. */
    Map<String, Values> liveParameters(Network network);

    /** A parameter's live values, read and written as doubles (an engine in float rounds what it is given). */
    interface Values {
        int size();

        double get(int index);

        void set(int index, double value);

        static Values of(double[] values) {
            return new Values() {
                public int size() { return values.length; }
                public double get(int index) { return values[index]; }
                public void set(int index, double value) { values[index] = value; }
            };
        }

        static Values of(float[] values) {
            return new Values() {
                public int size() { return values.length; }
                public double get(int index) { return values[index]; }
                public void set(int index, double value) { values[index] = (float) value; }
            };
        }

        default double[] toArray() {
            double[] copy = new double[size()];
            for (int i = 0; i < copy.length; i++) copy[i] = get(i);
            return copy;
        }
    }
}
