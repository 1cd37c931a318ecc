package dev.toylora.model.kernel;

/**
 * The sequence of {@code new SplittableRandom(seed).nextDouble()}, addressable by position: draw k is
 * {@code mix64(seed + (k + 1)·γ)}, so any range of it can be drawn without drawing what comes before, and a step's
 * draws can be shared among threads and still be the values every engine draws serially. A test holds it to
 * {@link java.util.SplittableRandom} draw for draw.
 */
public final class SplitMixStream {
    /** SplittableRandom's increment for a generator made from a seed. */
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private static final double DOUBLE_UNIT = 0x1.0p-53;

    private final long seed;
    private long position;

    public SplitMixStream(long seed) {
        this.seed = seed;
    }

    /** How many values have been taken so far (the next one is {@link #at(long) at(position())}). */
    public long position() {
        return position;
    }

    /** Takes {@code count} values, which the caller draws with {@link #at}. */
    public void advance(long count) {
        if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
        position += count;
    }

    /** Value number {@code index} of the stream (0-based from its start): what the (index+1)-th nextDouble() returns. */
    public double at(long index) {
        return bitsAt(index) * DOUBLE_UNIT;
    }

    /** The 53 random bits of value {@code index}: {@code at(index)} is this times 2⁻⁵³. */
    public long bitsAt(long index) {
        return mix64(seed + (index + 1) * GOLDEN_GAMMA) >>> 11;
    }

    /**
     * For j in [0, count): {@code out[j]} = 1 when {@code bitsAt(first + j·stride) < threshold}, else 0 — many draws at
     * once, in loops over arrays the JIT vectorises (one loop doing it all, as {@link #bitsAt} does, it leaves scalar).
     */
    public void below(long first, long stride, int count, long threshold, long[] out) {
        long z = seed + (first + 1) * GOLDEN_GAMMA;
        long step = stride * GOLDEN_GAMMA;
        for (int j = 0; j < count; j++) {
            out[j] = z;
            z += step;
        }
        for (int j = 0; j < count; j++) out[j] = ((mix64(out[j]) >>> 11) - threshold) >>> 63;   // both below 2⁵³
    }

    /**
     * The least 53-bit value whose {@link #at} is ≥ p: {@code at(k) >= p} exactly when {@code bitsAt(k) >= threshold(p)},
     * for p in [0, 1], which decides without converting to double.
     */
    public static long threshold(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("p must be in [0, 1], got " + p);
        return (long) Math.ceil(p * 0x1.0p53);      // exact: scaling by 2⁵³ and ceil lose nothing below 2⁵³
    }

    /** SplittableRandom's finaliser (Stafford's variant 13 of MurmurHash3's). */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
