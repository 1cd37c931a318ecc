package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toylora.io.data.KnownDataset;
import dev.toylora.io.data.RealData;
import dev.toylora.io.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner, started as a child process on a small sweep over the real MNIST, is killed at random moments — SIGINT
 * ({@code kill -INT}), SIGTERM ({@link Process#destroy()}) and SIGKILL ({@link Process#destroyForcibly()}) in turn —
 * and after each kill the results folder must read completely: every file whole or absent, every results folder
 * complete, nothing half-written under a visible name. SIGINT and SIGTERM run the shutdown hook, which must say
 * what was kept and leave nothing aside; what a SIGKILL leaves aside must be gone after the next run. Runs that
 * finish before their kill reset part of the tree (the trial folders, every other time the cached base too), so
 * later kills land in pretraining, base caching, fine-tuning and publishing again. Finally a run to the end must
 * finish the sweep with each trial exactly once, and a re-run after deleting one trial must run only that trial
 * on the cached base.
 */
@Tag("mnist")
@EnabledOnOs({OS.LINUX, OS.MAC})
class KillTest {
    static final int KILLS = 24;
    static final int AT_LEAST = 20;
    static final long BUDGET_MILLIS = 150_000;
    static final List<String> LABELS = List.of("rank=1", "rank=2", "rank=3", "rank=4", "rank=5", "rank=6");

    @TempDir
    Path dir;

    enum Signal { INT, TERM, KILL }

    record Outcome(int exit, String out, String err, long pid) {}

    @Test
    void killedAtRandomMomentsTheResultsAreWholeOrAbsentAndARerunFinishesTheSweep() throws Exception {
        Path mnist = RealData.require(KnownDataset.MNIST).toAbsolutePath();
        Path results = dir.resolve("results");
        Path sweepDir = results.resolve("tiny");
        Path experiment = dir.resolve("tiny.yaml");
        Files.writeString(experiment, """
                name: tiny
                data: { dir: "%s" }
                model: { hidden: [32] }
                pretrain: { epochs: 1 }
                finetune: { epochs: 1, lora: { targets: [fc1, fc2] } }
                sweep:
                  finetune.lora.rank: [1, 2, 3, 4, 5, 6]
                """.formatted(mnist.toString().replace("\\", "/")));

        Random random = new Random(Long.getLong("toylora.kill.seed", System.nanoTime()));
        long started = System.currentTimeMillis();
        Map<Signal, Integer> survived = new TreeMap<>();
        Set<Long> sigkilled = new HashSet<>();
        int completed = 0, hookReports = 0, leftBehind = 0, filesChecked = 0, resets = 0;
        int kills = 0, attempts = 0;
        List<String> log = new ArrayList<>();
        while (kills < KILLS) {
            long elapsed = System.currentTimeMillis() - started;
            if (elapsed > BUDGET_MILLIS) break;
            Signal signal = Signal.values()[attempts % 3];
            attempts++;
            // spread the kills over a run's life: JVM start, data loading, pretraining, caching, fine-tuning, publishing
            long remainingPerKill = (BUDGET_MILLIS - elapsed) / Math.max(1, AT_LEAST - kills);
            long maxDelay = Math.max(600, Math.min(5_000, remainingPerKill - 800));
            long delay = 200 + (long) (random.nextDouble() * (maxDelay - 200));
            Outcome o = runAndKill(experiment, results, signal, delay);
            log.add(signal + "@" + delay + "ms→" + o.exit());

            ResultsTreeCheck.Report report = ResultsTreeCheck.check(results);
            filesChecked += report.filesChecked();
            assertTrue(report.problems().isEmpty(), "after " + signal + " at " + delay + " ms: " + report.problems() + "\n" + o.err());
            for (Path aside : report.aside()) {
                long owner = ownerPid(aside);
                assertTrue(sigkilled.contains(owner) || (signal == Signal.KILL && owner == o.pid()),
                        aside + " was left aside by process " + owner + ", which was not killed with SIGKILL (or was cleaned up): " + o.err());
            }

            if (o.exit() == 0) {
                completed++;
                // the sweep is done: take work away so that the next kills land in the middle of it again
                assertTrue(Files.isRegularFile(sweepDir.resolve("sweep.csv")), o.out());
                for (String label : LABELS) AtomicFiles.deleteTree(sweepDir.resolve(label));
                if (resets++ % 2 == 1) {
                    AtomicFiles.deleteTree(results.resolve(".cache"));
                    AtomicFiles.deleteTree(sweepDir.resolve("bases"));
                }
                continue;
            }
            int expected = switch (signal) { case INT -> 130; case TERM -> 143; case KILL -> 137; };
            assertEquals(expected, o.exit(), "exit code after " + signal + " at " + delay + " ms\n" + o.out() + "\n" + o.err());
            kills++;
            survived.merge(signal, 1, Integer::sum);
            if (signal == Signal.KILL) {
                sigkilled.add(o.pid());
                if (report.aside().stream().anyMatch(p -> ownerPid(p) == o.pid())) leftBehind++;
            } else {
                assertFalse(o.err().contains("\tat "), "no stack trace after " + signal + ":\n" + o.err());
                if (o.err().contains("interrupted:")) {
                    hookReports++;
                    assertTrue(o.err().contains("nothing partial was written"), o.err());
                    for (String kept : keptFolders(o.err())) {
                        assertEquals(List.of(), ResultsTreeCheck.missingFromRunFolder(Path.of(kept)), "reported as kept: " + kept);
                    }
                    assertTrue(report.aside().stream().noneMatch(p -> ownerPid(p) == o.pid()),
                            "the shutdown hook left " + report.aside() + " aside");
                }
            }
        }
        long loopSeconds = (System.currentTimeMillis() - started) / 1000;
        String summary = "kill test: " + kills + " interruptions survived with nothing half-written " + survived + " in " + loopSeconds
                + " s; " + hookReports + " shutdown-hook reports; " + leftBehind + " SIGKILLs left staging entries aside (all hidden, removed by"
                + " the next run); " + completed + " runs finished before their kill; " + filesChecked + " file reads checked";
        System.out.println(summary);
        System.out.println("kill test sequence: " + String.join(" ", log));
        assertTrue(kills >= AT_LEAST, "only " + kills + " kills fitted in the time budget: " + summary);

        // What a kill -9 in the middle of writing leaves (a half-filled staging folder, a half-written cached base),
        // in case no SIGKILL above landed in such a moment: hidden, named after a process that no longer runs.
        long dead = sigkilled.isEmpty() ? deadPid() : sigkilled.iterator().next();
        String tag = ".tmp-" + hostId(dir) + "-" + dead + ".";
        Path halfTrial = Files.createDirectories(sweepDir.resolve("." + LABELS.get(2) + tag + "1"));
        Files.writeString(halfTrial.resolve("metrics.json"), "{\"schema\": \"toylora.met");
        Path halfBase = Files.createDirectories(results.resolve(".cache/bases")).resolve(".base-0.safetensors" + tag + "2.part");
        Files.write(halfBase, new byte[] {8, 0, 0});
        assertEquals(List.of(), ResultsTreeCheck.check(results).problems(), "hidden leftovers are not results");

        // A run to the end finishes the sweep: each trial exactly once, nothing aside any more.
        Outcome last = run(experiment, results);
        assertEquals(0, last.exit(), last.out() + "\n" + last.err());
        assertTrue(last.out().contains("unfinished staging folder(s)/file(s) left by an interrupted run"), last.out());
        assertFalse(Files.exists(halfTrial) || Files.exists(halfBase), "the next run removed what the killed one left aside");
        ResultsTreeCheck.Report report = ResultsTreeCheck.check(results);
        assertTrue(report.problems().isEmpty(), report.problems().toString());
        assertEquals(List.of(), report.aside(), "the clean run removed what killed runs left aside");
        assertEachTrialOnce(sweepDir);

        // Resuming: with one trial folder gone, a re-run runs that trial alone, on the cached base.
        AtomicFiles.deleteTree(sweepDir.resolve("rank=3"));
        Outcome resumed = run(experiment, results);
        assertEquals(0, resumed.exit(), resumed.out() + "\n" + resumed.err());
        assertTrue(resumed.out().contains("5 finished already, 1 to run"), resumed.out());
        assertTrue(resumed.out().contains("reusing the cached base"), resumed.out());
        assertFalse(resumed.out().contains("pretrain epoch"), "no pretraining on resume: " + resumed.out());
        assertEachTrialOnce(sweepDir);
    }

    private static void assertEachTrialOnce(Path sweepDir) throws IOException {
        List<String> rows = Files.readAllLines(sweepDir.resolve("sweep.csv"), StandardCharsets.UTF_8);
        List<String> labels = rows.subList(1, rows.size()).stream().map(r -> r.split(",")[1]).toList();
        assertEquals(LABELS, labels, "sweep.csv: one row per trial, in order");
        JsonNode json = ResultsTreeCheck.JSON.readTree(sweepDir.resolve("sweep.json").toFile());
        assertEquals(6, json.get("finished").asInt());
        assertEquals(0, json.get("missing").size());
        try (Stream<Path> children = Files.list(sweepDir)) {
            assertEquals(LABELS, children.filter(p -> Files.isRegularFile(p.resolve("metrics.json")))
                    .map(p -> p.getFileName().toString()).sorted().toList(), "one results folder per trial");
        }
    }

    /** The host part of the names {@link AtomicFiles} gives what it writes aside here. */
    private static String hostId(Path scratch) {
        Path staged = AtomicFiles.stage(scratch.resolve("probe"));
        String name = staged.getFileName().toString();
        AtomicFiles.deleteTree(staged);
        Matcher m = Pattern.compile("\\.tmp-([0-9a-f]{8})-").matcher(name);
        assertTrue(m.find(), name);
        return m.group(1);
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    private static List<String> keptFolders(String err) {
        List<String> kept = new ArrayList<>();
        for (String line : err.split("\n")) {
            if (line.startsWith("  kept: ")) kept.add(line.substring("  kept: ".length()).trim());
        }
        return kept;
    }

    private static final Pattern OWNER = Pattern.compile("\\.(?:tmp|old)-[0-9a-f]{8}-(\\d+)[.-]");

    private static long ownerPid(Path aside) {
        Matcher m = OWNER.matcher(aside.getFileName().toString());
        if (!m.find()) fail("not something written aside: " + aside);
        return Long.parseLong(m.group(1));
    }

    private Outcome runAndKill(Path experiment, Path results, Signal signal, long delayMillis) throws Exception {
        Path out = dir.resolve("out.log"), err = dir.resolve("err.log");
        Process p = start(experiment, results, out, err);
        if (!p.waitFor(delayMillis, TimeUnit.MILLISECONDS)) {
            switch (signal) {
                case INT -> new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
                case TERM -> p.destroy();
                case KILL -> p.destroyForcibly();
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("the runner did not stop within 60 s of " + signal + ":\n" + Files.readString(err));
        }
        return new Outcome(p.exitValue(), Files.readString(out), Files.readString(err), p.pid());
    }

    private Outcome run(Path experiment, Path results) throws Exception {
        Path out = dir.resolve("out.log"), err = dir.resolve("err.log");
        Process p = start(experiment, results, out, err);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("the runner did not finish within 180 s:\n" + Files.readString(err));
        }
        // the log goes to standard output with logback's console appender; keep both for the assertions
        return new Outcome(p.exitValue(), Files.readString(out) + Files.readString(err), Files.readString(err), p.pid());
    }

    private Process start(Path experiment, Path results, Path out, Path err) throws IOException {
        List<String> command = new ArrayList<>();
        // A process started in the background of a non-interactive shell inherits SIGINT as ignored, and the JVM
        // then never sees Ctrl-C; env --default-signal (GNU coreutils 8.31+) restores the default for the child.
        if (DEFAULT_SIGNALS) command.addAll(List.of("env", "--default-signal=INT,TERM"));
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--no-progress", "--results", results.toString(), experiment.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("TOYLORA_OFFLINE", "1");
        return pb.start();
    }

    static final boolean DEFAULT_SIGNALS = probeDefaultSignal();

    private static boolean probeDefaultSignal() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT,TERM", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
