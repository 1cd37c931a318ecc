package dev.toylora.runner.pipeline;

import dev.toylora.io.data.Dataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Holds {@code count} training images out for choosing settings, stratified by class and drawn
 * from the seed. The test set is never involved: settings are chosen on these rows.
 */
public record ValidationSplit(int[] trainRows, int[] validationRows) {

    public static ValidationSplit of(Dataset train, int count, long seed) {
        if (count < 0 || count >= train.rows()) {
            throw new IllegalArgumentException("validation must be between 0 and " + (train.rows() - 1) + " images, got " + count);
        }
        int[] all = new int[train.rows()];
        Arrays.setAll(all, i -> i);
        if (count == 0) return new ValidationSplit(all, new int[0]);
        SplittableRandom random = new SplittableRandom(seed);
        int[] counts = train.classCounts();
        boolean[] heldOut = new boolean[train.rows()];
        // Per class, a share of `count` proportional to its size (largest remainders get the leftovers).
        int[] quota = new int[counts.length];
        double[] remainder = new double[counts.length];
        int given = 0;
        for (int c = 0; c < counts.length; c++) {
            double exact = (double) count * counts[c] / train.rows();
            quota[c] = (int) Math.floor(exact);
            remainder[c] = exact - quota[c];
            given += quota[c];
        }
        while (given < count) {
            int best = 0;
            for (int c = 1; c < counts.length; c++) if (remainder[c] > remainder[best]) best = c;
            quota[best]++;
            remainder[best] = -1;
            given++;
        }
        for (int c = 0; c < counts.length; c++) {
            int[] rows = train.rowsOfClasses(List.of(c));
            int[] picked = ReplaySampler.withoutReplacement(rows, quota[c], random);
            for (int r : picked) heldOut[r] = true;
        }
        List<Integer> keep = new ArrayList<>(), hold = new ArrayList<>();
        for (int i = 0; i < heldOut.length; i++) (heldOut[i] ? hold : keep).add(i);
        return new ValidationSplit(keep.stream().mapToInt(Integer::intValue).toArray(), hold.stream().mapToInt(Integer::intValue).toArray());
    }
}
