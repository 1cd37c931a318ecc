package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
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
