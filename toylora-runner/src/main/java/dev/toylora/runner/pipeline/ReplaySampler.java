package dev.toylora.runner.pipeline;

import dev.toylora.io.data.Dataset;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Rehearsal: old-class examples mixed into fine-tuning so the network keeps what it knew.
 * {@code replay} is a fraction of the new-class count, split evenly over the old classes so no
 * old class is starved; drawn without replacement (whole passes over a class before any repeat).
 */
public final class ReplaySampler {
    private ReplaySampler() {}

    /**
     * @param pool       the rows that may be drawn from (training rows, validation excluded)
     * @param oldClasses the classes to replay
     * @param count      how many rows to draw in total
     */
    public static int[] sample(Dataset data, int[] pool, List<Integer> oldClasses, int count, long seed) {
        if (count == 0) return new int[0];
        SplittableRandom random = new SplittableRandom(seed);
        int[] out = new int[count];
        int filled = 0;
        for (int k = 0; k < oldClasses.size(); k++) {
            int label = oldClasses.get(k);
            int share = count / oldClasses.size() + (k < count % oldClasses.size() ? 1 : 0);
            int[] rows = Arrays.stream(pool).filter(r -> data.label(r) == label).toArray();
            if (rows.length == 0) throw new IllegalArgumentException("no training images of class " + label + " to replay");
            int[] picked = withoutReplacement(rows, share, random);
            System.arraycopy(picked, 0, out, filled, picked.length);
            filled += picked.length;
        }
        return out;
    }

    /** {@code n} of {@code rows}: a shuffled prefix, cycling through fresh shuffles when n exceeds the rows. */
    static int[] withoutReplacement(int[] rows, int n, SplittableRandom random) {
        int[] out = new int[n];
        int[] deck = rows.clone();
        int filled = 0;
        while (filled < n) {
            int take = Math.min(deck.length, n - filled);
            // Partial Fisher–Yates: the first `take` positions become a uniform sample.
            for (int i = 0; i < take; i++) {
                int j = i + random.nextInt(deck.length - i);
                int t = deck[i];
                deck[i] = deck[j];
                deck[j] = t;
            }
            System.arraycopy(deck, 0, out, filled, take);
            filled += take;
        }
        return out;
    }
}
