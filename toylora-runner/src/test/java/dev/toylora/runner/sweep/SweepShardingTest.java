package dev.toylora.runner.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toylora.runner.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sharding as a job array does it: two shards of one sweep run in two separate JVMs at the same time, writing into
 * one results folder; merging them gives the rows (all but the timing columns) of the same sweep run whole.
 */
@Tag("mnist")
class SweepShardingTest {
    @TempDir
    Path tmp;

    static final String SWEEP = """
            name: shard-sweep
            seed: 11
            data: { dir: "%s" }
            model: { hidden: [32] }
            pretrain: { epochs: 1 }
            finetune: { epochs: 1, replay: 0, lora: { targets: [fc1, fc2] } }
            sweep:
              finetune.lora.rank: [1, 2, 4]
            """;

    /** The shard's command line: the runner's main class on this test's class path, in a JVM of its own. */
    static ProcessBuilder shard(Path file, Path results, String shard, Path log) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                "dev.toylora.runner.cli.Main", "--no-progress", "--results", results.toString(), file.toString(), "--shard", shard));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    }

    /** The csv without the timing columns. */
    static List<String> rowsWithoutTiming(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = Arrays.asList(lines.get(0).split(","));
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) if (!SweepSummary.timingColumns().contains(header.get(i))) keep.add(i);
        return lines.stream().map(l -> {
            String[] cells = l.split(",", -1);
            return keep.stream().map(i -> cells[i]).collect(Collectors.joining(","));
        }).toList();
    }

    @Test
    void twoShardsInParallelProcessesMergeIntoTheRowsOfOneRun() throws Exception {
        Path file = tmp.resolve("shard-sweep.yaml");
        Files.writeString(file, SWEEP.formatted(Repository.mnist().toString().replace("\\", "/")));
        Path sharded = tmp.resolve("sharded");

        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path log = tmp.resolve("shard-" + i + ".log");
            logs.add(log);
            processes.add(shard(file, sharded, i + "/2", log).start());
        }
        for (int i = 0; i < 2; i++) {
            Process p = processes.get(i);
            boolean ended = p.waitFor(5, TimeUnit.MINUTES);
            if (!ended) p.destroyForcibly();
            assertTrue(ended, "shard " + i + " did not finish in 5 minutes");
            assertEquals(0, p.exitValue(), "shard " + i + " failed:\n" + Files.readString(logs.get(i)));
        }
        String log0 = Files.readString(logs.get(0)), log1 = Files.readString(logs.get(1));
        assertTrue(log0.contains("2 in shard 0/2") && log0.contains("trial 1 of 3") && log0.contains("trial 3 of 3"), log0);
        assertTrue(log1.contains("1 in shard 1/2") && log1.contains("trial 2 of 3") && !log1.contains("trial 1 of 3"), log1);

        Path sweepDir = sharded.resolve("shard-sweep");
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "merge", sweepDir.toString()), err.toString());

        Path whole = tmp.resolve("whole");
        assertEquals(0, Main.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "--no-progress", "--results", whole.toString(), file.toString()), err.toString());

        List<String> merged = rowsWithoutTiming(sweepDir.resolve(SweepSummary.CSV));
        assertEquals(4, merged.size(), "header and three rows: " + merged);
        assertEquals(rowsWithoutTiming(whole.resolve("shard-sweep").resolve(SweepSummary.CSV)), merged);

        JsonNode json = FakeTrials.JSON.readTree(sweepDir.resolve(SweepSummary.JSON_FILE).toFile());
        assertEquals(3, json.path("finished").asInt());
        assertEquals(List.of("0/2", "1/2", "0/2"), List.of("rank=1", "rank=2", "rank=4").stream().map(t -> {
            try {
                return FakeTrials.JSON.readTree(sweepDir.resolve(t).resolve(TrialFolder.TRIAL).toFile()).path("shard").asText();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList());
    }
}
