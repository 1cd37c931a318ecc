package dev.toylora.runner.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.api.Objective;
import dev.toylora.runner.experiment.RetentionConfig;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fine-tuning losses of {@code finetune.retention}: each gradient against central finite differences of its own
 * loss (the losses are computed in double from float logits, so h = 1e-3 leaves only the truncation, ~h²/6·|f'''| ≈
 * 1e-7, and the gradient's rounding to float: tolerance 1e-4 of the gradient's scale), and which rows get which loss.
 */
class RetentionObjectiveTest {
    private static final int CLASSES = 5;
    private static final int[] ALL = {0, 1, 2, 3, 4};
    private static final List<Integer> NEW = List.of(3, 4);
    private static final List<Integer> OLD = List.of(0, 1, 2);
    /** Training rows 0..3 are new images (labels among 3, 4), 4..7 replayed (labels among 0..2). */
    private static final int NEW_ROWS = 4;
    private static final int[] LABELS = {3, 4, 4, 3, 0, 2, 1, 0};
    private static final double H = 1e-3;
    private static final double TOLERANCE = 1e-4;

    // ----------------------------------------------------------------------------------------------------------------
    // The two losses of one row

    @Test
    void crossEntropyOverASubsetMatchesFiniteDifferencesAndLeavesTheOtherLogitsAlone() {
        float[] logits = random(2 * CLASSES, 1);
        int[] subset = {1, 3, 4};
        float[] gradient = new float[2 * CLASSES];
        double loss = RetentionObjective.crossEntropy(logits, CLASSES, subset, 3, 0.5, gradient);

        double sum = 0;
        for (int j : subset) sum += Math.exp(logits[CLASSES + j]);
        assertEquals(Math.log(sum) - logits[CLASSES + 3], loss, 1e-12, "−log softmax(z[S])[label]");
        double[] numeric = new double[2 * CLASSES];
        for (int k = 0; k < numeric.length; k++) {
            numeric[k] = 0.5 * derivative(logits, k, z -> RetentionObjective.crossEntropy(z, CLASSES, subset, 3, 0.5, new float[2 * CLASSES]));
        }
        assertClose(numeric, gradient, "scale × d CE / d z");
        for (int k : new int[] {0, 1, 2, 3, 4, CLASSES, CLASSES + 2}) assertEquals(0f, gradient[k], "logit " + k + " is outside row 1's subset");
    }

    @Test
    void crossEntropyAddsToTheGradient() {
        float[] logits = random(CLASSES, 2);
        float[] gradient = new float[CLASSES];
        Arrays.fill(gradient, 0.25f);
        float[] alone = new float[CLASSES];
        RetentionObjective.crossEntropy(logits, 0, ALL, 2, 1.0, gradient);
        RetentionObjective.crossEntropy(logits, 0, ALL, 2, 1.0, alone);
        for (int j = 0; j < CLASSES; j++) assertEquals(0.25f + alone[j], gradient[j], 1e-7f);
    }

    @Test
    void distillationMatchesFiniteDifferences() {
        float[] logits = random(2 * CLASSES, 3);
        float[] teacher = random(CLASSES, 4);
        int[] subset = {0, 2, 3};
        double temperature = 2.0;
        float[] gradient = new float[2 * CLASSES];
        double loss = RetentionObjective.distill(logits, CLASSES, teacher, subset, temperature, 0.75, gradient);

        assertEquals(temperature * temperature * kl(teacher, logits, CLASSES, subset, temperature), loss, 1e-12, "T²·KL(teacher ‖ student)");
        assertTrue(loss > 0);
        double[] numeric = new double[2 * CLASSES];
        for (int k = 0; k < numeric.length; k++) {
            numeric[k] = 0.75 * derivative(logits, k, z -> RetentionObjective.distill(z, CLASSES, teacher, subset, temperature, 0.75, new float[2 * CLASSES]));
        }
        assertClose(numeric, gradient, "scale × d T²·KL / d z");
        for (int k : new int[] {0, 1, 2, 3, 4, CLASSES + 1, CLASSES + 4}) assertEquals(0f, gradient[k], "logit " + k + " is outside row 1's subset");
    }

    @Test
    void distillingIdenticalLogitsCostsNothing() {
        float[] logits = random(2 * CLASSES, 5);
        float[] teacher = Arrays.copyOfRange(logits, CLASSES, 2 * CLASSES);
        for (double temperature : new double[] {0.5, 1, 2, 7}) {
            float[] gradient = new float[2 * CLASSES];
            double loss = RetentionObjective.distill(logits, CLASSES, teacher, ALL, temperature, 1.0, gradient);
            assertEquals(0.0, loss, 1e-15, "T = " + temperature);
            for (float g : gradient) assertEquals(0f, g, 0f, "T = " + temperature);
        }
    }

    // ----------------------------------------------------------------------------------------------------------------
    // The objective of a batch

    @Test
    void theObjectivesGradientMatchesFiniteDifferencesOfItsLoss() {
        float[] teacher = random(LABELS.length * CLASSES, 6);
        int[] rows = {6, 1, 4, 2, 7, 0};
        for (RetentionConfig config : List.of(
                config(1.5, 0, 2.0, 1.0),      // replayed rows distilled
                config(0, 0.8, 3.0, 0.3),      // LwF on the new rows, part of their CE over the new classes only
                config(0, 0, 2.0, 0.0),        // CE over the new classes only; replayed rows on their labels
                config(2.0, 1.2, 1.5, 0.6))) {
            Objective objective = objective(config, teacher).forRows(rows);
            float[] logits = random(rows.length * CLASSES, 7);
            float[] gradient = new float[rows.length * CLASSES];
            objective.lossAndGradient(logits, rows.length, CLASSES, gradient);
            double[] numeric = new double[logits.length];
            for (int k = 0; k < logits.length; k++) {
                numeric[k] = derivative(logits, k, z -> objective.lossAndGradient(z, rows.length, CLASSES, new float[z.length]));
            }
            assertClose(numeric, gradient, config.toString());
        }
    }

    /**
     * Student logits equal to the teacher's: a replayed row then costs nothing and gets no gradient (it is distilled,
     * whatever its label), while a new row still learns its label with cross-entropy over every class.
     */
    @Test
    void rowsBelowNewRowsLearnTheirLabelsTheOthersTheTeacher() {
        float[] teacher = random(LABELS.length * CLASSES, 8);
        int[] rows = {5, 2, 7, 0};
        int count = rows.length;
        float[] logits = teacherRows(teacher, rows);
        float[] gradient = new float[count * CLASSES];
        double loss = objective(config(1.5, 0, 2.0, 1.0), teacher).forRows(rows).lossAndGradient(logits, count, CLASSES, gradient);

        double expectedLoss = 0;
        for (int r = 0; r < count; r++) {
            float[] rowGradient = Arrays.copyOfRange(gradient, r * CLASSES, (r + 1) * CLASSES);
            if (rows[r] >= NEW_ROWS) {
                for (float g : rowGradient) assertEquals(0f, g, 0f, "replayed training row " + rows[r] + " matches its teacher");
            } else {
                double[] p = softmax(logits, r * CLASSES, ALL);
                expectedLoss += -Math.log(p[LABELS[rows[r]]]);
                for (int j = 0; j < CLASSES; j++) {
                    assertEquals((p[j] - (j == LABELS[rows[r]] ? 1 : 0)) / count, rowGradient[j], 1e-7,
                            "new training row " + rows[r] + ", class " + j + ": cross-entropy on its label, over the batch");
                }
            }
        }
        assertEquals(expectedLoss / count, loss, 1e-12);
    }

    @Test
    void withoutDistillationReplayedRowsLearnTheirLabels() {
        float[] logits = random(2 * CLASSES, 9);
        int[] rows = {6, 4};
        float[] gradient = new float[2 * CLASSES];
        double loss = objective(config(0, 0, 2.0, 1.0), null).forRows(rows).lossAndGradient(logits, 2, CLASSES, gradient);
        double expected = 0;
        for (int r = 0; r < 2; r++) {
            double[] p = softmax(logits, r * CLASSES, ALL);
            expected += -Math.log(p[LABELS[rows[r]]]) / 2;
            for (int j = 0; j < CLASSES; j++) {
                assertEquals((p[j] - (j == LABELS[rows[r]] ? 1 : 0)) / 2, gradient[r * CLASSES + j], 1e-7, "row " + r + ", class " + j);
            }
        }
        assertEquals(expected, loss, 1e-12);
    }

    /** fullSoftmax 0 and no LwF: a new image's cross-entropy is over the new classes only, and the old logits get no push. */
    @Test
    void newClassesOnlyCrossEntropyLeavesTheOldLogitsAlone() {
        float[] logits = random(CLASSES, 10);
        float[] gradient = new float[CLASSES];
        double loss = objective(config(0, 0, 2.0, 0.0), null).forRows(new int[] {1}).lossAndGradient(logits, 1, CLASSES, gradient);
        for (int old : OLD) assertEquals(0f, gradient[old], 0f, "old class " + old);
        int[] newClasses = {3, 4};
        double[] p = softmax(logits, 0, newClasses);
        assertEquals(-Math.log(p[1]), loss, 1e-12, "−log softmax(z[3, 4]) at the label 4");
        assertEquals(p[0], gradient[3], 1e-7);
        assertEquals(p[1] - 1, gradient[4], 1e-7);
    }

    /** LwF pulls a new image's old-class logits toward the teacher's: the old classes' gradient sums to zero. */
    @Test
    void learningWithoutForgettingActsOnTheOldLogitsOfNewImages() {
        float[] teacher = random(LABELS.length * CLASSES, 11);
        float[] logits = random(CLASSES, 12);
        float[] gradient = new float[CLASSES];
        double temperature = 2.0;
        double loss = objective(config(0, 0.8, temperature, 0.0), teacher).forRows(new int[] {2}).lossAndGradient(logits, 1, CLASSES, gradient);
        float[] rowTeacher = Arrays.copyOfRange(teacher, 2 * CLASSES, 3 * CLASSES);
        int[] old = {0, 1, 2};
        double[] p = softmax(logits, 0, old, temperature);
        double[] q = softmax(rowTeacher, 0, old, temperature);
        double sum = 0;
        for (int i = 0; i < old.length; i++) {
            assertEquals(0.8 * temperature * (p[i] - q[i]), gradient[old[i]], 1e-7, "old class " + old[i]);
            sum += gradient[old[i]];
        }
        assertEquals(0, sum, 1e-7);
        double ce = -Math.log(softmax(logits, 0, new int[] {3, 4})[1]);
        assertEquals(ce + 0.8 * temperature * temperature * kl(rowTeacher, logits, 0, old, temperature), loss, 1e-12);
    }

    @Test
    void theGradientArrayIsWrittenNotAddedTo() {
        float[] teacher = random(LABELS.length * CLASSES, 13);
        int[] rows = {0, 5, 3};
        Objective objective = objective(config(1.0, 0.5, 2.0, 0.5), teacher).forRows(rows);
        float[] logits = random(3 * CLASSES, 14);
        float[] clean = new float[3 * CLASSES];
        float[] dirty = new float[3 * CLASSES];
        Arrays.fill(dirty, Float.NaN);
        double first = objective.lossAndGradient(logits, 3, CLASSES, clean);
        assertEquals(first, objective.lossAndGradient(logits, 3, CLASSES, dirty), 0.0);
        assertTrue(Arrays.equals(clean, dirty), Arrays.toString(clean) + " vs " + Arrays.toString(dirty));
    }

    @Test
    void refusals() {
        String message = assertThrows(IllegalArgumentException.class, () -> objective(config(1.0, 0, 2.0, 1.0), null)).getMessage();
        assertTrue(message.contains("base's logits"), message);
        assertThrows(IllegalArgumentException.class, () -> objective(config(0, 0.1, 2.0, 1.0), null));
        Objective objective = objective(config(0, 0, 2.0, 1.0), null).forRows(new int[] {0});
        message = assertThrows(IllegalArgumentException.class, () -> objective.lossAndGradient(new float[4], 1, 4, new float[4])).getMessage();
        assertTrue(message.contains("4 outputs") && message.contains("5"), message);
    }

    // ----------------------------------------------------------------------------------------------------------------

    private static RetentionConfig config(double distill, double lwf, double temperature, double fullSoftmax) {
        return new RetentionConfig(distill, lwf, temperature, fullSoftmax, 0.0);
    }

    private static RetentionObjective objective(RetentionConfig config, float[] teacher) {
        return new RetentionObjective(config, NEW, OLD, CLASSES, NEW_ROWS, LABELS, teacher);
    }

    private interface Loss {
        double of(float[] logits);
    }

    /** Central difference in logit k, over the step the float logit actually takes. */
    private static double derivative(float[] logits, int k, Loss loss) {
        float original = logits[k];
        logits[k] = (float) (original + H);
        float up = logits[k];
        double lossUp = loss.of(logits);
        logits[k] = (float) (original - H);
        float down = logits[k];
        double lossDown = loss.of(logits);
        logits[k] = original;
        return (lossUp - lossDown) / ((double) up - down);
    }

    private static void assertClose(double[] numeric, float[] analytic, String what) {
        double scale = 0;
        for (double v : numeric) scale = Math.max(scale, Math.abs(v));
        assertTrue(scale > 1e-3, what + ": a gradient to check");
        for (int k = 0; k < numeric.length; k++) {
            assertEquals(numeric[k], analytic[k], TOLERANCE * scale, what + " [" + k + "]\n numeric  " + Arrays.toString(numeric)
                    + "\n analytic " + Arrays.toString(analytic));
        }
    }

    private static double[] softmax(float[] logits, int at, int[] subset) {
        return softmax(logits, at, subset, 1.0);
    }

    /** softmax(z[S]/T) of the row at {@code at}, in double. */
    private static double[] softmax(float[] logits, int at, int[] subset, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j : subset) max = Math.max(max, logits[at + j] / temperature);
        double sum = 0;
        for (int j : subset) sum += Math.exp(logits[at + j] / temperature - max);
        double[] p = new double[subset.length];
        for (int i = 0; i < subset.length; i++) p[i] = Math.exp(logits[at + subset[i]] / temperature - max) / sum;
        return p;
    }

    /** KL(softmax(t[S]/T) ‖ softmax(z[S]/T)) of the row at {@code at}. */
    private static double kl(float[] teacher, float[] logits, int at, int[] subset, double temperature) {
        double[] q = softmax(teacher, 0, subset, temperature);
        double[] p = softmax(logits, at, subset, temperature);
        double kl = 0;
        for (int i = 0; i < subset.length; i++) kl += q[i] * Math.log(q[i] / p[i]);
        return kl;
    }

    private static float[] teacherRows(float[] teacher, int[] rows) {
        float[] out = new float[rows.length * CLASSES];
        for (int r = 0; r < rows.length; r++) System.arraycopy(teacher, rows[r] * CLASSES, out, r * CLASSES, CLASSES);
        return out;
    }

    private static float[] random(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[size];
        for (int k = 0; k < size; k++) values[k] = (float) (4 * random.nextDouble() - 2);
        return values;
    }
}
