package dev.toylora.api;

/**
 * What a training step minimises, given the batch's logits: the step's loss and its gradient with respect to every
 * logit. {@link Trainer#step(Batch)} uses softmax cross-entropy on the batch's labels; {@link Trainer#step(Batch,
 * Objective)} takes any other — distillation toward a teacher's outputs, a loss over some logits only — while the
 * engine does the rest (forward in training mode, backward, the optimizer).
 */
@FunctionalInterface
public interface Objective {
    /**
     * The loss of {@code rows} rows of row-major {@code logits [rows × classes]}, and {@code dLoss/dlogits} written
     * into {@code gradient} (same layout; every value must be written).
     */
    double lossAndGradient(float[] logits, int rows, int classes, float[] gradient);
}
