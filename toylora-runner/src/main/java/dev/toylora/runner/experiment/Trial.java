package dev.toylora.runner.experiment;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One point of a sweep.
 *
 * @param index      0-based position in the grid (the last axis varies fastest)
 * @param values     dotted key → the value this trial takes, in the sweep's order; empty without a sweep
 * @param experiment the experiment with these values applied, no sweep, named {@code <name>/<label>}; its
 *                   {@link Experiment#seed()} is still the base seed, so pretraining is shared
 * @param seed       the seed for this trial's fine-tuning randomness (adapter init, shuffling, dropout),
 *                   {@link SweepGrid#trialSeed(long, int)} of the base seed and the index
 */
public record Trial(int index, Map<String, Object> values, Experiment experiment, long seed) {

    public Trial {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        Objects.requireNonNull(experiment, "experiment");
    }

    /** The part of the name after the experiment's own, e.g. {@code rank=16}; empty without a sweep. */
    public String label() {
        String name = experiment.name();
        int slash = name.indexOf('/');
        return slash < 0 ? "" : name.substring(slash + 1);
    }
}
