package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.io.data.KnownDataset;
import dev.toylora.io.data.RealData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same experiment with the same seed, engine and thread count gives the same results twice, to the bit: the
 * metrics (timings and timestamps aside), the history and both checkpoints. And with the ojAlgo engine the thread
 * count does not matter either: the ojAlgo engine splits a product among its threads by rows of the result, each element's
 * sum is taken in the same order whatever the number of threads (see docs/robustness.md, "Determinism").
 */
@Tag("mnist")
class DeterminismTest {
    @TempDir
    Path dir;

    Path experiment;

    @BeforeEach
    void experiment() throws IOException {
        Path mnist = RealData.require(KnownDataset.MNIST).toAbsolutePath();
        experiment = dir.resolve("same.yaml");
        Files.writeString(experiment, """
                data: { dir: "%s" }
                model: { hidden: [32] }
                pretrain: { epochs: 1 }
                finetune: { epochs: 1, lora: { rank: 4, targets: [fc1, fc2] } }
                """.formatted(mnist.toString().replace("\\", "/")));
    }

    @Test
    void sameSeedEngineAndThreadsGiveIdenticalResults() throws IOException {
        Path first = run("first", List.of());
        Path second = run("second", List.of());
        assertSame(first, second);
        // and the comparison can tell runs apart: another seed gives other metrics
        Path other = run("other", List.of("seed=7"));
        assertNotEquals(comparable(first), comparable(other));
    }

    @Test
    void theOjalgoEngineGivesTheSameResultsOnOneThreadAndOnFour() throws Exception {
        // a wider layer than above, so that ojAlgo does split the products among its threads
        Path one = runChild("one-thread", 1);
        Path four = runChild("four-threads", 4);
        assertEquals(1, metrics(one).path("environment").path("processors").asInt());
        assertEquals(4, metrics(four).path("environment").path("processors").asInt());
        assertSame(one, four);
    }

    private Path run(String name, List<String> overrides) {
        Path results = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("--no-progress", "--results", results.toString(), experiment.toString()));
        args.addAll(overrides);
        MainTest.Outcome o = MainTest.run(args.toArray(String[]::new));
        assertEquals(0, o.exit(), o.err());
        return results.resolve("same");
    }

    private Path runChild(String name, int processors) throws Exception {
        Path results = dir.resolve(name);
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-XX:ActiveProcessorCount=" + processors, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--no-progress", "--results", results.toString(), experiment.toString(), "model.hidden=[128]")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("no result within 180 s:\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), Files.readString(log));
        return results.resolve("same");
    }

    private static void assertSame(Path a, Path b) throws IOException {
        assertEquals(comparable(a), comparable(b), "metrics.json, timings and timestamps aside");
        assertEquals(history(a), history(b), "history.csv, timings aside");
        for (String checkpoint : List.of("checkpoints/base.safetensors", "checkpoints/adapter.safetensors")) {
            assertArrayEquals(Files.readAllBytes(a.resolve(checkpoint)), Files.readAllBytes(b.resolve(checkpoint)), checkpoint + " byte for byte");
        }
        assertEquals(Files.readString(a.resolve("per_class.csv")), Files.readString(b.resolve("per_class.csv")));
    }

    static JsonNode metrics(Path run) throws IOException {
        return ResultsTreeCheck.JSON.readTree(run.resolve("metrics.json").toFile());
    }

    /** metrics.json without what measures the machine rather than the model: seconds, throughput, environment. */
    static JsonNode comparable(Path run) throws IOException {
        ObjectNode m = (ObjectNode) metrics(run);
        m.remove("seconds");
        m.remove("environment");
        ((ObjectNode) m.get("training")).remove("pretrain_gflops_per_second");
        return m;
    }

    /** history.csv without its last two columns, seconds and images per second. */
    static List<String> history(Path run) throws IOException {
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("history.csv"))) {
            String[] cells = line.split(",");
            rows.add(String.join(",", List.of(cells).subList(0, cells.length - 2)));
        }
        return rows;
    }
}
