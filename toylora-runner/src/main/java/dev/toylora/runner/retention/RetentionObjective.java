package dev.toylora.runner.retention;

import dev.toylora.api.Objective;
import dev.toylora.runner.experiment.RetentionConfig;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The fine-tuning loss when it does more than cross-entropy on labels ({@code finetune.retention}), row by row of the
 * training set — new images first, then replayed ones:
 * <pre>
 *   new image:      full·CE(z, y) + (1 − full)·CE(z[new], y) + lwf·T²·KL(softmax(t[old]/T) ‖ softmax(z[old]/T))
 *   replayed image: distill·T²·KL(softmax(t/T) ‖ softmax(z/T))      (or CE(z, y) when distill is 0)
 * </pre>
 * z the model's logits, t the frozen base's (computed once, before training), z[S] the logits of the classes S only;
 * averaged over the batch. T² keeps the distillation's gradient the size of a cross-entropy's (Hinton et al., 2015).
 */
public final class RetentionObjective {
    private final RetentionConfig config;
    private final int[] newClasses;
    private final int[] oldClasses;
    private final int[] allClasses;
    private final int newRows;
    private final int[] labels;
    private final float @Nullable [] teacher;
    private final int classes;

    /**
     * @param newRows training rows below this index are new images, the rest replayed
     * @param labels  every training row's label
     * @param teacher every training row's base logits ({@code rows × classes}); needed when distill or lwf is above 0
     */
    public RetentionObjective(RetentionConfig config, List<Integer> newClasses, List<Integer> oldClasses, int classes,
                              int newRows, int[] labels, float @Nullable [] teacher) {
        this.config = config;
        this.newClasses = newClasses.stream().mapToInt(Integer::intValue).toArray();
        this.oldClasses = oldClasses.stream().mapToInt(Integer::intValue).toArray();
        this.allClasses = java.util.stream.IntStream.range(0, classes).toArray();
        this.classes = classes;
        this.newRows = newRows;
        this.labels = labels.clone();
        if ((config.distill() > 0 || config.lwf() > 0) && teacher == null) {
            throw new IllegalArgumentException("distillation needs the base's logits on every training row");
        }
        this.teacher = teacher;
    }

    /** The loss of one batch, whose row r is training row {@code rows[r]}. */
    public Objective forRows(int[] rows) {
        int[] batchRows = rows.clone();
        return (logits, count, classCount, gradient) -> {
            if (classCount != classes) throw new IllegalArgumentException("the network has " + classCount + " outputs, the objective " + classes);
            java.util.Arrays.fill(gradient, 0, count * classes, 0f);
            double total = 0;
            double temperature = config.temperature();
            for (int r = 0; r < count; r++) {
                int row = batchRows[r];
                int at = r * classes;
                int label = labels[row];
                if (row < newRows) {
                    double full = config.fullSoftmax();
                    if (full > 0) total += full * crossEntropy(logits, at, allClasses, label, full / count, gradient);
                    if (full < 1) total += (1 - full) * crossEntropy(logits, at, newClasses, label, (1 - full) / count, gradient);
                    if (config.lwf() > 0) {
                        total += config.lwf() * distill(logits, at, teacherOf(row), oldClasses, temperature, config.lwf() / count, gradient);
                    }
                } else if (config.distill() > 0) {
                    total += config.distill() * distill(logits, at, teacherOf(row), allClasses, temperature, config.distill() / count, gradient);
                } else {
                    total += crossEntropy(logits, at, allClasses, label, 1.0 / count, gradient);
                }
            }
            return total / count;
        };
    }

    private float[] teacherOf(int row) {
        float[] all = teacher;
        if (all == null) throw new IllegalStateException("no teacher logits");
        float[] out = new float[classes];
        System.arraycopy(all, row * classes, out, 0, classes);
        return out;
    }

    /** −log softmax(z[S])[label] of one row; adds {@code scale}·(p − onehot) on S to its gradient. */
    static double crossEntropy(float[] logits, int at, int[] subset, int label, double scale, float[] gradient) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j : subset) max = Math.max(max, logits[at + j]);
        double sum = 0;
        for (int j : subset) sum += Math.exp(logits[at + j] - max);
        for (int j : subset) {
            double p = Math.exp(logits[at + j] - max) / sum;
            gradient[at + j] += (float) (scale * (p - (j == label ? 1 : 0)));
        }
        return Math.log(sum) + max - logits[at + label];
    }

    /**
     * T²·KL(softmax(t[S]/T) ‖ softmax(z[S]/T)) of one row; adds {@code scale}·T·(p − q) on S to its gradient, the
     * derivative of that with respect to z.
     */
    static double distill(float[] logits, int at, float[] teacher, int[] subset, double temperature, double scale, float[] gradient) {
        double zMax = Double.NEGATIVE_INFINITY;
        double tMax = Double.NEGATIVE_INFINITY;
        for (int j : subset) {
            zMax = Math.max(zMax, logits[at + j] / temperature);
            tMax = Math.max(tMax, teacher[j] / temperature);
        }
        double zSum = 0;
        double tSum = 0;
        for (int j : subset) {
            zSum += Math.exp(logits[at + j] / temperature - zMax);
            tSum += Math.exp(teacher[j] / temperature - tMax);
        }
        double kl = 0;
        for (int j : subset) {
            double logP = logits[at + j] / temperature - zMax - Math.log(zSum);
            double logQ = teacher[j] / temperature - tMax - Math.log(tSum);
            double q = Math.exp(logQ);
            kl += q * (logQ - logP);
            gradient[at + j] += (float) (scale * temperature * (Math.exp(logP) - q));
        }
        return temperature * temperature * kl;
    }
}
