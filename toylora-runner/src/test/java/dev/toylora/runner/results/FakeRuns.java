package dev.toylora.runner.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.runner.experiment.ExperimentParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Result folders as the runs of the retention table leave them, without training: a metrics.json with the fields the
 * tables read and the run's resolved experiment as its config (the default model: 784 → 512 → 256 → 128 → 10).
 */
public final class FakeRuns {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The default network's parameters: (784+1)·512 + (512+1)·256 + (256+1)·128 + (128+1)·10. */
    static final long BASE_PARAMETERS = 567_434;
    /** Its Fisher diagonal in float32. */
    static final long FISHER_BYTES = 4 * BASE_PARAMETERS;

    private FakeRuns() {}

    /** The five runs of {@link RetentionTable#RUNS} under {@code resultsRoot}. */
    public static void writeAll(Path resultsRoot) throws IOException {
        write(resultsRoot, metrics("lora-r16-naive", "  replay: 0\n", 3.71, 99.21, 22.79, 9.4, 0));
        ObjectNode lwf = metrics("lora-r16-lwf", "  retention: { lwf: 1.0 }\n", 61.5, 95.1, 68.22, 14.6, 0);
        retention(lwf, "images", 0).put("peak_heap_bytes", 300_000_000L);
        write(resultsRoot, lwf);
        ObjectNode ewc = metrics("lora-r16-ewc", "  retention: { ewc: 1000 }\n", 40.25, 97.6, 51.72, 12.1, 0);
        retention(ewc, "images", FISHER_BYTES).put("record_seconds", 3.2);
        write(resultsRoot, ewc);
        ObjectNode synthetic = metrics("lora-r16-synthetic", "  replay: 3.0\n  replay-source: synthetic\n", 95.4, 96.8, 95.68, 40.2, 35_400);
        ObjectNode s = retention(synthetic, "synthetic", 7_168);
        s.put("synthetic_images", 4000).put("synthetic_seconds", 95.2).put("synthetic_base_agreement", 99.5)
                .put("synthetic_bytes", 4000L * 784 * 4).put("synthetic_cached", false);
        write(resultsRoot, synthetic);
        write(resultsRoot, metrics("lora-r16", "  replay: 3.0\n", 98.49, 97.88, 98.37, 31.9, 35_400));
    }

    /** A run's metrics: accuracies after fine-tuning, its seconds, and {@code finetuneYaml} under {@code finetune:}. */
    public static ObjectNode metrics(String name, String finetuneYaml, double old, double fresh, double overall,
                                     double finetuneSeconds, int replayed) {
        ObjectNode m = JSON.createObjectNode();
        m.put("schema", Metrics.SCHEMA);
        m.put("name", name);
        m.put("backend", "ojalgo");
        m.put("method", "lora");
        m.putObject("parameters").put("base", BASE_PARAMETERS).put("trainable", 42_282).put("total", BASE_PARAMETERS + 42_282)
                .put("trainable_percent_of_total", 6.95);
        ObjectNode base = m.putObject("base").put("overall", 79.0).put("old", 98.54).put("new", 0.0);
        ArrayNode perClass = base.putArray("per_class");
        for (int c = 0; c < 10; c++) perClass.add(c < 8 ? 98.5 : 0.0);
        m.putObject("adapted").put("overall", overall).put("old", old).put("new", fresh);
        ObjectNode classes = m.putObject("classes");
        List.of(0, 1, 2, 3, 4, 5, 6, 7).forEach(classes.putArray("old")::add);
        List.of(8, 9).forEach(classes.putArray("new")::add);
        m.putObject("seconds").put("pretrain", 0.0).put("finetune", finetuneSeconds).put("evaluate", 0.5);
        ObjectNode training = m.putObject("training").put("base_cached", true).put("pretrain_images", 48_200)
                .put("finetune_new_images", 11_800);
        if (replayed > 0) training.put("finetune_replayed_images", replayed);
        m.putObject("data").put("dataset", "mnist");
        String yaml = "name: " + name + "\nbackend: ojalgo\nfinetune:\n" + finetuneYaml;
        m.set("config", ExperimentParser.toJsonNode(ExperimentParser.parse(yaml, "experiments/" + name + ".yaml", List.of())));
        return m;
    }

    /** Gives {@code m} a retention block that kept {@code keptBytes} with the base. */
    public static ObjectNode retention(ObjectNode m, String replaySource, long keptBytes) {
        return m.putObject("retention").put("replay_source", replaySource).put("kept_bytes", keptBytes).put("record_seconds", 0.0)
                .put("peak_heap_bytes", 250_000_000L);
    }

    /** Writes {@code results/<name>/metrics.json}. */
    public static void write(Path resultsRoot, ObjectNode m) throws IOException {
        Path dir = Files.createDirectories(resultsRoot.resolve(m.path("name").asText()));
        Files.writeString(dir.resolve("metrics.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m));
    }
}
