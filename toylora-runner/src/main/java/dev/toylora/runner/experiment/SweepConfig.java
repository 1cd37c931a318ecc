package dev.toylora.runner.experiment;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A grid over settings: dotted key (e.g. {@code finetune.lora.rank}) → the values it takes, in file order.
 * Empty when the experiment has no {@code sweep:} block. Values are plain Java: Integer/Long, Double, String,
 * Boolean, or (immutable) lists of them, for list-valued keys such as {@code model.hidden}.
 * See {@link SweepGrid#trials(Experiment)}.
 */
public record SweepConfig(Map<String, List<Object>> axes) {

    private static final SweepConfig EMPTY = new SweepConfig(Map.of());

    public SweepConfig {
        Map<String, List<Object>> copy = new LinkedHashMap<>();
        axes.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        axes = Collections.unmodifiableMap(copy);
    }

    public static SweepConfig empty() {
        return EMPTY;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static SweepConfig fromJson(Map<String, List<Object>> axes) {
        return new SweepConfig(axes);
    }

    /** Serialised as the plain map {@code {dotted.key: [values]}}. */
    @JsonValue
    Map<String, List<Object>> json() {
        return axes;
    }

    public boolean isEmpty() {
        return axes.isEmpty();
    }

    /** Number of trials: the product of the axis sizes; 1 when empty. */
    public long trialCount() {
        long n = 1;
        for (List<Object> values : axes.values()) {
            n = Math.multiplyExact(n, values.size());
        }
        return n;
    }
}
