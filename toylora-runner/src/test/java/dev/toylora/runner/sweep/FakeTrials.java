package dev.toylora.runner.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.ExperimentParser;
import dev.toylora.runner.experiment.Trial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Trial folders as a sweep run leaves them, without training: a metrics.json with the trial's config. */
final class FakeTrials {
    static final ObjectMapper JSON = new ObjectMapper();

    private FakeTrials() {}

    static Experiment parse(String yaml) {
        return ExperimentParser.parse(yaml, "experiments/fake-sweep.yaml", List.of());
    }

    /** Writes trial {@code t}'s folder under {@code sweepDir}; accuracies derived from the index. */
    static void write(Path sweepDir, Trial t) throws IOException {
        write(sweepDir, t, ExperimentParser.toJsonNode(t.experiment()), t.seed());
    }

    static void write(Path sweepDir, Trial t, ObjectNode config, long seed) throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.put("schema", "toylora.metrics/1");
        m.put("name", t.experiment().name());
        m.put("backend", "ojalgo");
        m.put("backend_version", "test");
        m.put("seed", t.experiment().seed());
        m.put("finetune_seed", seed);
        ObjectNode p = m.putObject("parameters");
        long trainable = 1000L * (t.index() + 1);
        p.put("base", 100_000);
        p.put("trainable", trainable);
        p.put("total", 100_000 + trainable);
        p.put("trainable_percent_of_total", Math.round(10000.0 * trainable / (100_000 + trainable)) / 100.0);
        ObjectNode base = m.putObject("base");
        base.put("overall", 79.0);
        base.put("old", 98.5);
        base.put("new", 0.0);
        ObjectNode adapted = m.putObject("adapted");
        adapted.put("overall", 90.0 + t.index());
        adapted.put("old", 97.0 + t.index() * 0.1);
        adapted.put("new", 80.0 + t.index());
        ArrayNode perClass = adapted.putArray("per_class");
        for (int c = 0; c < 10; c++) perClass.add(c < 8 ? 97.0 : 80.0 + t.index());
        ObjectNode seconds = m.putObject("seconds");
        seconds.put("pretrain", 0.0);
        seconds.put("finetune", 1.5);
        seconds.put("evaluate", 0.25);
        m.putObject("training").put("base_cached", true);
        m.putObject("data").putObject("sha256").put("train-images-idx3-ubyte", "abc");
        m.set("config", config);
        Path dir = sweepDir.resolve(t.label());
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("metrics.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m));
    }
}
