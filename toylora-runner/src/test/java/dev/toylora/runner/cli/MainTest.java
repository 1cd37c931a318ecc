package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;

/** The command line's answers to bad input: one clear line, exit code 2, nothing trained or written. */
class MainTest {
    @TempDir
    Path dir;

    record Outcome(int exit, String out, String err) {}

    static Outcome run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Outcome(exit, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommands() {
        Outcome o = run("--help");
        assertEquals(0, o.exit());
        for (String command : new String[] {"backends", "validate", "compare", "report"}) assertTrue(o.out().contains(command), o.out());
    }

    @Test
    void everyCommandAnswersHelpEvenWithoutItsRequiredOptions() {
        for (String command : new CommandLine(new Main()).getSubcommands().keySet()) {
            for (String flag : new String[] {"--help", "-h"}) {
                Outcome o = run(command, flag);
                assertEquals(0, o.exit(), command + " " + flag + ": " + o.err());
                assertTrue(o.out().contains("Usage: runner " + command), command + " " + flag + ": " + o.out());
            }
        }
        assertTrue(run("compare", "--help").out().contains("--base=FILE"));
    }

    @Test
    void everyCommandsSummaryIsAWholeSentence() {
        // "runner --help" lists each command by the first line of its description: a sentence cut there reads as a bug
        new CommandLine(new Main()).getSubcommands().forEach((name, sub) -> {
            String[] description = sub.getCommandSpec().usageMessage().description();
            assertTrue(description.length > 0 && description[0].endsWith("."), name + ": " + String.join(" / ", description));
        });
    }

    @Test
    void aMistypedCommandGetsADidYouMeanInAFewLines() {
        Outcome o = run("comapre");
        assertEquals(2, o.exit());
        assertTrue(o.err().startsWith("error: unknown command 'comapre'; did you mean 'compare'?"), o.err());
        assertTrue(o.err().lines().count() <= 5, "short: " + o.err());
        // the options after it are the mistyped command's, not the runner's: the command is the mistake to name
        Outcome p = run("predcit", "--base", "x", "img.png");
        assertEquals(2, p.exit());
        assertTrue(p.err().startsWith("error: unknown command 'predcit'; did you mean 'predict'?"), p.err());
        Outcome far = run("frobnicate");
        assertEquals(2, far.exit());
        assertTrue(far.err().contains("'frobnicate' is neither a command (backends, keys,"), far.err());
    }

    @Test
    void aMistypedOptionGetsADidYouMean() {
        Outcome o = run("compare", "--bsae", "x.safetensors");
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("'--bsae'") && o.err().contains("did you mean '--base'?"), o.err());
        assertTrue(o.err().contains("See 'runner compare --help'."), o.err());
        assertTrue(o.err().lines().count() <= 5, "short: " + o.err());
        Outcome top = run("--resluts", "x", "a.yaml");
        assertTrue(top.err().startsWith("error: Unknown option: '--resluts'; did you mean '--results'?"), top.err());
    }

    @Test
    void aBareRunnerShowsTheWholeUsage() {
        Outcome o = run();
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("Commands:") && o.err().contains("merge"), o.err());
    }

    @Test
    void backendsListsTheOjalgoEngine() {
        Outcome o = run("backends");
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.out().contains("ojalgo") && o.out().contains("usable"), o.out());
    }

    @Test
    void anUnknownBackendFailsBeforeTrainingAndNamesTheAvailableOnes() throws Exception {
        Path file = dir.resolve("x.yaml");
        Files.writeString(file, "backend: cuda\n");
        Outcome o = run("--results", dir.resolve("results").toString(), file.toString());
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("no backend named 'cuda'") && o.err().contains("ojalgo"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
        assertFalse(Files.exists(dir.resolve("results")), "nothing written");
    }

    @Test
    void aBadKeyIsReportedWithFileLineAndSuggestion() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "finetune:\n  lora:\n    rnak: 4\n");
        Outcome o = run(file.toString());
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("bad.yaml:3:") && o.err().contains("rank"), o.err());
        Outcome v = run("validate", file.toString());
        assertEquals(2, v.exit());
    }

    @Test
    void aBadOverrideAndAStrayArgumentAreRefused() throws Exception {
        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, "{}\n");
        Outcome o = run(file.toString(), "finetune.lora.rank=0");
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("finetune.lora.rank"), o.err());
        Outcome stray = run(file.toString(), "oops");
        assertEquals(2, stray.exit());
        assertTrue(stray.err().contains("'oops'"), stray.err());
        assertEquals(0, run("validate", file.toString()).exit());
    }

    @Test
    void missingDataSaysHowToGetIt() throws Exception {
        Path file = dir.resolve("nodata.yaml");
        Files.writeString(file, "data: { dir: " + dir.resolve("nowhere") + " }\n");
        System.setProperty("toylora.offline", "true");
        try {
            Outcome o = run("--no-progress", "--results", dir.resolve("results").toString(), file.toString());
            assertEquals(2, o.exit());
            assertTrue(o.err().contains("fetch-mnist.sh"), o.err());
        } finally {
            System.clearProperty("toylora.offline");
        }
    }
}
