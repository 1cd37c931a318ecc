package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.toylora.io.data.KnownDataset;
import dev.toylora.io.data.RealData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/analysis_check.py — the checkpoints read and decomposed with numpy alone — reproduces every number of the
 * committed results/analysis, and with --accuracy every accuracy in it. Without a Python that has numpy this fails,
 * as {@link InteropScriptTest} does (CI installs python3-numpy).
 */
@Tag("mnist")
class AnalysisScriptTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out) {}

    private static Run run(String python, Path workingDir, List<String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python, "scripts/analysis_check.py"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true);
        for (String pair : environment) builder.environment().put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "analysis_check.py did not finish");
        return new Run(p.exitValue(), out);
    }

    private static String python() {
        List<String> tried = new ArrayList<>();
        String python = InteropScriptTest.pythonWithNumpy(tried);
        if (python.isEmpty()) {
            org.junit.jupiter.api.Assumptions.abort("skipped: no Python with numpy to run scripts/analysis_check.py (tried " + String.join("; ", tried)
                    + "); install it, e.g. apt-get install python3-numpy");
        }
        return python;
    }

    @Test
    void numpyReproducesEveryNumberAndAccuracyOfTheCommittedAnalysis() throws Exception {
        RealData.require(KnownDataset.MNIST);
        Run r = run(python(), RealData.repoRoot(), List.of(), "results/analysis", "--accuracy");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("OK: all ") && r.out().contains(" numbers of fc1, fc2, fc3, fc4 and the accuracies agree"), r.out());
    }

    @Test
    void withoutNumpyItSaysSoInOneLineAndExits3() throws Exception {
        // a numpy that cannot be imported stands in for a Python without one
        Path fake = Files.createDirectories(dir.resolve("numpy"));
        Files.writeString(fake.resolve("__init__.py"), "raise ImportError('No module named numpy')\n");
        Run r = run(python(), RealData.repoRoot(), List.of("PYTHONPATH=" + dir), "results/analysis");
        assertEquals(3, r.exit(), r.out());
        assertFalse(r.out().strip().contains("\n"), "one line: " + r.out());
        assertTrue(r.out().contains("numpy is not installed") && !r.out().contains("Traceback"), r.out());
    }
}
