package dev.toylora.runner.train;

/**
 * Learning rate per step: linear warm-up over the first {@code warmupSteps}, then constant or
 * cosine decay to zero at {@code totalSteps} (as PyTorch's CosineAnnealingLR with eta_min = 0,
 * stepped per batch).
 */
public record LearningRateSchedule(String kind, double peak, long warmupSteps, long totalSteps) {

    /** The schedules an experiment file may name. */
    public enum Kind {
        CONSTANT, COSINE;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Kind of(String id) {
            for (Kind k : values()) if (k.id().equals(id)) return k;
            throw new IllegalArgumentException("unknown schedule '" + id + "'; expected constant or cosine");
        }
    }

    public LearningRateSchedule {
        Kind.of(kind);
        if (warmupSteps < 0 || totalSteps < 0) throw new IllegalArgumentException("steps must be >= 0");
    }

    /** The rate for step {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        if (kind.equals("constant")) return peak;
        long decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        return 0.5 * peak * (1 + Math.cos(Math.PI * progress));
    }
}
