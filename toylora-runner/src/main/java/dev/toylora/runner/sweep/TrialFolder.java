package dev.toylora.runner.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.runner.experiment.ExperimentException;
import dev.toylora.runner.experiment.ExperimentParser;
import dev.toylora.runner.experiment.Trial;
import dev.toylora.runner.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One trial's folder, {@code results/<sweep>/<label>/}, as {@link dev.toylora.runner.pipeline.ExperimentRunner}
 * publishes it (complete or absent), plus the sweep's own {@value #TRIAL} written beside it afterwards.
 *
 * <p>A folder counts as the trial's result when its {@code metrics.json} reads, its recorded config equals the
 * trial's (read back through the parser, so number types and defaults compare alike; {@code data.dir} is left out
 * because the same files may live elsewhere on another machine — their SHA-256 are compared instead where known),
 * and its fine-tuning seed is the trial's.
 */
final class TrialFolder {
    static final String METRICS = "metrics.json";
    /** Written by the sweep after the trial's folder is published: index, values, seed, wall time. */
    static final String TRIAL = "trial.json";


    /** What the current run expects of a finished trial beyond its config; null fields are not checked. */
    record Expectation(@Nullable Map<String, String> dataSha256, @Nullable String backendVersion) {
        static final Expectation NONE = new Expectation(null, null);
    }

    /** A trial folder that holds this trial's result. */
    record Finished(Trial trial, Path dir, JsonNode metrics, OptionalDouble wallSeconds) {}

    private TrialFolder() {}

    static Path dir(Path sweepDir, Trial trial) {
        return sweepDir.resolve(trial.label());
    }

    /** The finished result of {@code trial} under {@code sweepDir}, or why there is none. */
    static Outcome read(Path sweepDir, Trial trial, Expectation expected) {
        Path dir = dir(sweepDir, trial);
        Path metricsFile = dir.resolve(METRICS);
        if (!Files.isRegularFile(metricsFile)) return new Outcome(null, null);
        JsonNode metrics;
        try {
            metrics = Json.MAPPER.readTree(metricsFile.toFile());
        } catch (IOException e) {
            return new Outcome(null, "its metrics.json does not read: " + e.getMessage());
        }
        String mismatch = mismatch(trial, metrics, expected);
        if (mismatch != null) return new Outcome(null, mismatch);
        return new Outcome(new Finished(trial, dir, metrics, wallSeconds(dir)), null);
    }

    /**
     * @param finished the result, when the folder holds it
     * @param stale    why a folder that exists does not count (different config, seed, data…), else null
     */
    record Outcome(@Nullable Finished finished, @Nullable String stale) {
        Optional<Finished> result() {
            return Optional.ofNullable(finished);
        }
    }

    /** Why {@code metrics} is not {@code trial}'s result, or null when it is. */
    static @Nullable String mismatch(Trial trial, JsonNode metrics, Expectation expected) {
        JsonNode config = metrics.get("config");
        if (config == null || !config.isObject()) return "its metrics.json has no config";
        ObjectNode recorded;
        try {
            recorded = comparable(ExperimentParser.toJsonNode(ExperimentParser.fromJsonNode(config, METRICS)));
        } catch (ExperimentException e) {
            return "its recorded config no longer reads (" + e.getMessage() + ")";
        }
        ObjectNode wanted = comparable(ExperimentParser.toJsonNode(trial.experiment()));
        if (!recorded.equals(wanted)) return "it was run with other settings (" + firstDifference("", recorded, wanted) + ")";
        if (!metrics.path("finetune_seed").canConvertToLong() || metrics.path("finetune_seed").asLong() != trial.seed()) {
            return "it was fine-tuned with seed " + metrics.path("finetune_seed").asText("?") + ", the trial's is " + trial.seed();
        }
        if (expected.dataSha256() != null) {
            Map<String, String> recordedSha = new TreeMap<>();
            metrics.path("data").path("sha256").properties().forEach(e -> recordedSha.put(e.getKey(), e.getValue().asText()));
            if (!recordedSha.equals(new TreeMap<>(expected.dataSha256()))) return "it was run on other data (SHA-256 differ)";
        }
        if (expected.backendVersion() != null && !expected.backendVersion().equals(metrics.path("backend_version").asText())) {
            return "it was run with backend version " + metrics.path("backend_version").asText() + ", this is " + expected.backendVersion();
        }
        return null;
    }

    private static ObjectNode comparable(ObjectNode config) {
        if (config.get("data") instanceof ObjectNode data) data.remove("dir");
        return config;
    }

    /** The first path at which two trees differ, e.g. {@code finetune.lora.rank: 4 ≠ 8}. */
    static String firstDifference(String at, JsonNode a, JsonNode b) {
        if (a.isObject() && b.isObject()) {
            for (Iterator<String> names = a.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                String path = at.isEmpty() ? name : at + "." + name;
                if (!b.has(name)) return path + " only in the recorded config";
                if (!a.get(name).equals(b.get(name))) return firstDifference(path, a.get(name), b.get(name));
            }
            for (Iterator<String> names = b.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!a.has(name)) return (at.isEmpty() ? name : at + "." + name) + " missing from the recorded config";
            }
        }
        return at + ": recorded " + a + ", now " + b;
    }

    static OptionalDouble wallSeconds(Path dir) {
        Path file = dir.resolve(TRIAL);
        if (!Files.isRegularFile(file)) return OptionalDouble.empty();
        try {
            JsonNode wall = Json.MAPPER.readTree(file.toFile()).get("wall_seconds");
            return wall != null && wall.isNumber() ? OptionalDouble.of(wall.asDouble()) : OptionalDouble.empty();
        } catch (IOException e) {
            return OptionalDouble.empty();
        }
    }
}
