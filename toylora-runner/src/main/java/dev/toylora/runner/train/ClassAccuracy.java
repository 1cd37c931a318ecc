package dev.toylora.runner.train;

import java.util.Collection;

/** Correct and total counts per class, from which every accuracy figure is derived (percent, 0–100). */
public record ClassAccuracy(int[] correct, int[] total) {

    public ClassAccuracy {
        if (correct.length != total.length) throw new IllegalArgumentException("correct and total differ in length");
        correct = correct.clone();
        total = total.clone();
    }

    public int classes() {
        return total.length;
    }

    /** Accuracy of one class in percent; NaN when the class has no examples. */
    public double of(int label) {
        return total[label] == 0 ? Double.NaN : 100.0 * correct[label] / total[label];
    }

    public double[] perClass() {
        double[] out = new double[total.length];
        for (int c = 0; c < out.length; c++) out[c] = of(c);
        return out;
    }

    /** Accuracy over all examples whose label is in {@code labels} (not the mean of class accuracies). */
    public double group(Collection<Integer> labels) {
        long right = 0, all = 0;
        for (int c : labels) {
            right += correct[c];
            all += total[c];
        }
        return all == 0 ? Double.NaN : 100.0 * right / all;
    }

    public double overall() {
        long right = 0, all = 0;
        for (int c = 0; c < total.length; c++) {
            right += correct[c];
            all += total[c];
        }
        return all == 0 ? Double.NaN : 100.0 * right / all;
    }

    public long examples() {
        long all = 0;
        for (int t : total) all += t;
        return all;
    }
}
