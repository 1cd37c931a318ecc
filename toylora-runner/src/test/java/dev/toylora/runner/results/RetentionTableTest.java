package dev.toylora.runner.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.runner.experiment.ExperimentParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The retention table from result folders: its rows and columns, what each run kept and made, missing runs, markers. */
class RetentionTableTest {
    @TempDir
    Path results;

    static final String TABLE = """
            | run | what keeps 0–7 | kept on disk for it | old classes % (adapted, test) | new classes % | overall % | fine-tune seconds | images made |
            |---|---|---|---:|---:|---:|---:|---|
            | `lora-r16-naive` | nothing | nothing | 3.71 | 99.21 | 22.79 | 9 | — |
            | `lora-r16-lwf` | LwF | nothing | 61.50 | 95.10 | 68.22 | 15 | — |
            | `lora-r16-ewc` | EWC | 2.3 MB Fisher diagonal | 40.25 | 97.60 | 51.72 | 12 | — |
            | `lora-r16-synthetic` | synthetic replay | 7.2 KB of activation statistics | 95.40 | 96.80 | 95.68 | 40 | 4,000 in 95 s |
            | `lora-r16` | replay of stored images | 48,200 images (37.8 MB) | 98.49 | 97.88 | 98.37 | 32 | — |
            """;

    @Test
    void oneRowPerRunInTheTeachingOrder() throws Exception {
        FakeRuns.writeAll(results);
        String table = RetentionTable.markdown(results);
        assertEquals(TABLE, table);
    }

    @Test
    void whatWasKeptAndMadeIsReadFromTheRecordedExperimentNotTheFolderName() throws Exception {
        FakeRuns.writeAll(results);
        // a folder named for LwF whose run used synthetic replay and EWC, with images read from beside a cached base
        ObjectNode both = FakeRuns.metrics("lora-r16-lwf", "  replay: 1.0\n  replay-source: synthetic\n  retention: { ewc: 10 }\n",
                90.0, 95.0, 91.0, 20.0, 11_800);
        FakeRuns.retention(both, "synthetic", 7_168 + FakeRuns.FISHER_BYTES).put("synthetic_images", 4000)
                .put("synthetic_seconds", 0.0).put("synthetic_cached", true);
        FakeRuns.write(results, both);
        // stored-image replay with distillation and LwF on top: the images and nothing else kept
        ObjectNode distilled = FakeRuns.metrics("lora-r16", "  replay: 3.0\n  retention: { distill: 1.0, lwf: 0.5, full-softmax: 0.5 }\n",
                98.0, 97.0, 97.8, 30.0, 35_400);
        FakeRuns.retention(distilled, "images", 0);
        FakeRuns.write(results, distilled);

        List<String> lines = RetentionTable.markdown(results).lines().toList();
        assertEquals("| `lora-r16-lwf` | synthetic replay + EWC | 2.3 MB of activation statistics and Fisher diagonal | 90.00 | 95.00 "
                + "| 91.00 | 20 | read from cache |", lines.get(3));
        assertEquals("| `lora-r16` | replay of stored images (distilled) + LwF + new-class-only cross-entropy | 48,200 images (37.8 MB) "
                + "| 98.00 | 97.00 | 97.80 | 30 | — |", lines.get(6));
    }

    @Test
    void theStoredImagesAreCountedAtTheNetworksInputs() throws Exception {
        ObjectNode m = FakeRuns.metrics("lora-r16", "  replay: 3.0\n", 98.0, 97.0, 97.8, 30.0, 35_400);
        assertEquals(784, RetentionTable.inputs(m, ExperimentParser.fromJsonNode(m.get("config"), "metrics.json")));
        // another model: 784 → 64 → 10
        ObjectNode small = FakeRuns.metrics("small", "  replay: 3.0\n", 98.0, 97.0, 97.8, 30.0, 35_400);
        ObjectNode config = (ObjectNode) small.get("config");
        ((ObjectNode) config.get("model")).putArray("hidden").add(64);
        ((ObjectNode) config.get("finetune").get("lora")).putArray("targets").add("fc1").add("fc2");
        ((ObjectNode) small.get("parameters")).put("base", (784 + 1) * 64 + (64 + 1) * 10);
        assertEquals(784, RetentionTable.inputs(small, ExperimentParser.fromJsonNode(config, "metrics.json")));
        ((ObjectNode) small.get("parameters")).put("base", 12_345);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RetentionTable.inputs(small, ExperimentParser.fromJsonNode(config, "metrics.json")));
        assertTrue(e.getMessage().contains("small: cannot tell the network's inputs from its 12345 base parameters"), e.getMessage());
    }

    @Test
    void sizesAreDecimalWithOneDecimal() {
        assertEquals("0 bytes", RetentionTable.size(0));
        assertEquals("1 byte", RetentionTable.size(1));
        assertEquals("999 bytes", RetentionTable.size(999));
        assertEquals("1.0 KB", RetentionTable.size(1000));
        assertEquals("7.2 KB", RetentionTable.size(7_168));
        assertEquals("999.9 KB", RetentionTable.size(999_949));
        assertEquals("1.0 MB", RetentionTable.size(999_950));
        assertEquals("2.3 MB", RetentionTable.size(FakeRuns.FISHER_BYTES));
        assertEquals("37.8 MB", RetentionTable.size(48_200L * 784));
        assertEquals("1,234.6 MB", RetentionTable.size(1_234_567_890L));
    }

    @Test
    void aMissingRunIsAnErrorNamingEachMissingFolder() throws Exception {
        FakeRuns.writeAll(results);
        try (var files = Files.walk(results.resolve("lora-r16-ewc"))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.delete(results.resolve("lora-r16-synthetic").resolve("metrics.json"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RetentionTable.collect(results));
        assertTrue(e.getMessage().startsWith("no results for the retention table in " + results.resolve("lora-r16-ewc") + ", "
                + results.resolve("lora-r16-synthetic") + " (no metrics.json): run those experiments first"), e.getMessage());
        assertFalse(e.getMessage().contains(results.resolve("lora-r16-naive").toString()), e.getMessage());
    }

    @Test
    void everyMarkedBlockGetsTheTableAndBadMarkersAreErrors() {
        Path source = Path.of("README.md");
        String text = "a\n" + RetentionTable.BEGIN + "\nstale\n" + RetentionTable.END + "\nb\n" + RetentionTable.BEGIN + "\n" + RetentionTable.END + "\n";
        assertEquals(2, RetentionTable.blocks(text, source));
        assertEquals("a\n" + RetentionTable.BEGIN + "\n| t |\n" + RetentionTable.END + "\nb\n" + RetentionTable.BEGIN + "\n| t |\n"
                + RetentionTable.END + "\n", RetentionTable.withTable(text, "| t |\n", source));

        for (String bad : List.of(RetentionTable.BEGIN + "\nrows\n", "rows\n" + RetentionTable.END + "\n",
                RetentionTable.BEGIN + " rows\n" + RetentionTable.END + "\n")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RetentionTable.withTable(bad, "| t |\n", source));
            assertTrue(e.getMessage().startsWith("README.md: ") && e.getMessage().contains("make 0 block(s)"), e.getMessage());
        }
    }
}
