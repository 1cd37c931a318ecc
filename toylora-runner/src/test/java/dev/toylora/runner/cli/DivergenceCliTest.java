package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toylora.io.data.KnownDataset;
import dev.toylora.io.data.RealData;
import dev.toylora.io.safetensors.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training that blows up, end to end on the real MNIST. Adam's steps are bounded by the learning rate, so even the
 * largest rate the files allow (10) only kills the ReLUs; what really diverges is AdamW with learning rate 10 and
 * weight decay 1: each step multiplies every weight by 1 - 10·1 = -9, and the loss overflows to infinity within a
 * few hundred steps. The run must stop at that step with exit code 1 and a message naming the stage, epoch and step
 * and advising a lower learning rate, and write nothing after that point.
 */
@Tag("mnist")
class DivergenceCliTest {
    static final String BLOW_UP_PRETRAIN = "pretrain.learning-rate=10";
    static final String DECAY_PRETRAIN = "pretrain.weight-decay=1";

    @TempDir
    Path dir;

    Path experiment;
    Path results;

    @BeforeEach
    void experiment() throws IOException {
        Path mnist = RealData.require(KnownDataset.MNIST).toAbsolutePath();
        experiment = dir.resolve("blowup.yaml");
        Files.writeString(experiment, """
                data: { dir: "%s" }
                model: { hidden: [32] }
                pretrain: { epochs: 1 }
                finetune: { epochs: 1, lora: { targets: [fc1, fc2] } }
                """.formatted(mnist.toString().replace("\\", "/")));
        results = dir.resolve("results");
    }

    private static void assertDiverged(MainTest.Outcome o, String stage) {
        assertEquals(1, o.exit(), o.err());
        assertTrue(o.err().contains("error: training diverged in stage '" + stage + "' at epoch 1, step "), o.err());
        assertTrue(o.err().contains("loss is Infinity") || o.err().contains("loss is NaN"), o.err());
        assertTrue(o.err().contains("try a lower learning rate"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace:\n" + o.err());
    }

    @Test
    void pretrainingThatDivergesWritesNoResultsAndCachesNoBase() throws IOException {
        MainTest.Outcome o = MainTest.run("--no-progress", "--results", results.toString(), experiment.toString(), BLOW_UP_PRETRAIN, DECAY_PRETRAIN);
        assertDiverged(o, "pretrain");
        assertFalse(Files.exists(results.resolve("blowup")), "no results folder");
        assertEquals(List.of(), listAll(results), "nothing at all under results/: no cached base, nothing aside");
    }

    @Test
    void fineTuningThatDivergesKeepsOnlyTheFinishedBase() throws IOException {
        MainTest.Outcome o = MainTest.run("--no-progress", "--results", results.toString(), experiment.toString(),
                "finetune.learning-rate=10", "finetune.weight-decay=1");
        assertDiverged(o, "finetune");
        assertFalse(Files.exists(results.resolve("blowup")), "no results folder");
        // the base finished before fine-tuning began: it is cached whole, and nothing else is there
        List<Path> all = listAll(results).stream().filter(Files::isRegularFile).toList();
        assertEquals(1, all.size(), all.toString());
        assertTrue(all.get(0).toString().contains(".cache/bases/base-") || all.get(0).toString().contains(".cache\\bases\\base-"), all.toString());
        assertFalse(Safetensors.read(all.get(0)).tensors().isEmpty());
    }

    @Test
    void aDivergingSweepTrialHasNoFolderAndTheOthersAreKept() throws IOException {
        MainTest.Outcome o = MainTest.run("--no-progress", "--results", results.toString(), experiment.toString(), "name=blowup-sweep",
                "finetune.weight-decay=1", "sweep.finetune.learning-rate=[0.001,10]");
        assertEquals(1, o.exit(), "a sweep with a diverged trial exits 1: " + o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace:\n" + o.err());
        Path sweep = results.resolve("blowup-sweep");
        assertTrue(Files.isRegularFile(sweep.resolve("learning-rate=0.001/metrics.json")), listAll(results).toString());
        assertFalse(Files.exists(sweep.resolve("learning-rate=10")), "the diverged trial has no folder");
        JsonNode table = ResultsTreeCheck.JSON.readTree(sweep.resolve("sweep.json").toFile());
        assertEquals(1, table.get("finished").asInt());
        assertEquals("learning-rate=10", table.get("missing").get(0).asText());
        ResultsTreeCheck.Report report = ResultsTreeCheck.check(results);
        assertEquals(List.of(), report.problems());
        assertEquals(List.of(), report.aside());
    }

    private static List<Path> listAll(Path root) throws IOException {
        if (!Files.exists(root)) return List.of();
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> !p.equals(root)).sorted().toList();
        }
    }
}
