package dev.toylora.runner.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toylora.runner.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed experiment files, run through the command line on the real MNIST: one base is
 * pretrained for the whole class (the base cache shares it), then fine-tuned two ways.
 */
@Tag("mnist")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MnistEndToEndTest {
    @TempDir
    static Path results;

    static Path repo;

    @BeforeAll
    static void findRepository() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("experiments"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("cannot find the repository root (a folder holding experiments/)");
        repo = dir;
        if (!Files.isRegularFile(repo.resolve("data/mnist/train-images-idx3-ubyte"))
                && !Files.isRegularFile(repo.resolve("data/mnist/train-images-idx3-ubyte.gz"))) {
            throw new IllegalStateException("MNIST is missing from " + repo.resolve("data/mnist") + "; run scripts/fetch-mnist.sh first");
        }
    }

    static JsonNode run(String experiment) throws IOException {
        int exit = Main.execute("--no-progress", "--results", results.toString(), repo.resolve("experiments").resolve(experiment).toString(),
                "data.dir=" + repo.resolve("data/mnist"));
        assertEquals(0, exit, "runner exit code for " + experiment);
        String name = experiment.replace(".yaml", "");
        Path dir = results.resolve(name);
        for (String file : new String[] {"metrics.json", "per_class.csv", "history.csv", "comparison.md", "experiment.yaml",
                "checkpoints/base.safetensors", "checkpoints/adapter.safetensors"}) {
            assertTrue(Files.isRegularFile(dir.resolve(file)), name + " wrote " + file);
        }
        return new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
    }

    @Test
    @Order(1)
    void loraR16KeepsOldDigitsAndLearnsNewOnes() throws IOException {
        JsonNode m = run("lora-r16.yaml");
        assertEquals("ojalgo", m.path("backend").asText());
        assertEquals(567_434, m.path("parameters").path("base").asLong());

        // The base: trained on 0–7 only.
        double baseOld = m.path("base").path("old").asDouble();
        assertTrue(baseOld >= 98.0, "base accuracy on 0–7 is " + baseOld + "%, expected >= 98.0%");
        assertEquals(0.0, m.path("base").path("new").asDouble(), "the base never saw 8–9");

        // The promised table: 0–7 kept, 8–9 learned.
        double old = m.path("adapted").path("old").asDouble();
        double fresh = m.path("adapted").path("new").asDouble();
        double overall = m.path("adapted").path("overall").asDouble();
        assertTrue(old >= 98.3, "adapted 0–7 accuracy " + old + "% < 98.3%");
        assertTrue(old >= baseOld - 0.3, "adapted 0–7 accuracy " + old + "% fell more than 0.3 points below the base's " + baseOld + "%");
        assertTrue(fresh >= 95.0, "adapted 8–9 accuracy " + fresh + "% < 95.0%");
        assertTrue(overall >= 98.0, "adapted overall accuracy " + overall + "% < 98.0%");
    }

    @Test
    @Order(2)
    void compareReproducesTheTableFromTheSavedCheckpointsAlone() throws IOException {
        Path checkpoints = results.resolve("lora-r16/checkpoints");
        java.io.StringWriter out = new java.io.StringWriter(), err = new java.io.StringWriter();
        int exit = Main.execute(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), "compare",
                "--base", checkpoints.resolve("base.safetensors").toString(), "--adapter", checkpoints.resolve("adapter.safetensors").toString(),
                "--data", repo.resolve("data/mnist").toString());
        assertEquals(0, exit, err.toString());
        assertEquals(Files.readString(results.resolve("lora-r16/comparison.md")), out.toString());
    }

    @Test
    @Order(3)
    void naiveFineTuningForgetsTheOldDigits() throws IOException {
        JsonNode m = run("lora-r16-naive.yaml");
        assertTrue(m.path("training").path("base_cached").asBoolean(), "the naive run reuses the base pretrained for lora-r16");
        assertEquals(41_376, m.path("parameters").path("trainable").asLong());
        assertEquals(608_810, m.path("parameters").path("total").asLong());
        double old = m.path("adapted").path("old").asDouble();
        assertTrue(old < 50.0, "fine-tuning on 8–9 alone should forget 0–7, yet 0–7 accuracy is " + old + "%");
        assertTrue(m.path("adapted").path("new").asDouble() > 90.0, "the naive run still learns 8–9");
    }
}
