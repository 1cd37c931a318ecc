package dev.toylora.runner.pipeline;

import java.nio.charset.StandardCharsets;

/** Independent, reproducible seeds for each use of randomness, derived from the experiment's seed. */
public final class Seeds {
    private Seeds() {}

    public static long derive(long seed, String purpose) {
        long h = seed;
        for (byte b : purpose.getBytes(StandardCharsets.UTF_8)) h = mix(h ^ b);
        return mix(h);
    }

    /** SplitMix64's finaliser: nearby inputs give unrelated outputs. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
