package dev.toylora.runner.sweep;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of {@code count} slices of a sweep: the trials whose index is {@code index} mod {@code count}. Slices are
 * disjoint and together cover the sweep, so a Slurm job array or a Kubernetes Indexed Job can hand each task its
 * index and run the slices on separate machines, all writing trial folders into the same layout.
 *
 * @param index 0 ≤ index &lt; count
 * @param count number of shards, ≥ 1
 */
public record Shard(int index, int count) {
    /** The whole sweep. */
    public static final Shard ALL = new Shard(0, 1);

    private static final Pattern FORM = Pattern.compile("\\s*(-?\\d+)\\s*/\\s*(-?\\d+)\\s*");

    public Shard {
        if (count < 1) throw new IllegalArgumentException("the number of shards must be at least 1, got " + count);
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("the shard index must be between 0 and " + (count - 1) + " for " + count
                    + " shard" + (count == 1 ? "" : "s") + ", got " + index);
        }
    }

    /**
     * Reads {@code i/n}, e.g. {@code 0/7} … {@code 6/7}.
     *
     * @throws IllegalArgumentException with a message that says what was expected
     */
    public static Shard parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected I/N (shard I of N, 0 ≤ I < N, e.g. 0/4), got '" + text + "'");
        }
        int index, count;
        try {
            index = Integer.parseInt(m.group(1));
            count = Integer.parseInt(m.group(2));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected I/N with numbers that fit an int, got '" + text + "'");
        }
        try {
            return new Shard(index, count);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (in '" + text.strip() + "'; shards are numbered from 0)");
        }
    }

    /** Whether trial {@code trialIndex} belongs to this shard. */
    public boolean includes(int trialIndex) {
        return Math.floorMod(trialIndex, count) == index;
    }

    public boolean isAll() {
        return count == 1;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
