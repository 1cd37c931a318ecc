package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/interop_check.py — the checkpoints read with numpy alone — reproduces the runner's accuracies of
 * results/lora-r16. Without a Python that has numpy the script says so in one line with exit code 3, and the check is
 * skipped with that line rather than failed: it cannot say anything about the runner then (CI installs python3-numpy).
 */
class InteropScriptTest {
    /** interop_check.py's exit code when numpy cannot be imported. */
    static final int NUMPY_MISSING = 3;
    static final List<String> PYTHONS = List.of("/usr/bin/python3", "python3");

    record Run(int exit, String out) {}

    /** The first of {@link #PYTHONS} that imports numpy, or "" (with what each said added to {@code tried}). */
    static String pythonWithNumpy(List<String> tried) {
        return pythonWith("numpy", tried);
    }

    /** The first of /usr/bin/python3, python3 that can import {@code modules} (e.g. "numpy, torch"); empty if none, each failure in {@code tried}. */
    static String pythonWith(String modules, List<String> tried) {
        for (String python : PYTHONS) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import " + modules).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) return python;
                tried.add(python + ": " + (out.isEmpty() ? "exit " + p.exitValue() : out.lines().reduce((a, b) -> b).orElse(out)));
            } catch (IOException e) {
                tried.add(python + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
        return "";
    }

    /** {@code python scripts/interop_check.py args…} from the repository root; null when there is no such python. */
    static @Nullable Run interopCheck(String python, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python, "scripts/interop_check.py"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(RealData.repoRoot().toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return null; // no such program
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(python + " scripts/interop_check.py did not finish:\n" + out);
        }
        return new Run(p.exitValue(), out);
    }

    @Test
    @Tag("mnist")
    void numpyReproducesTheRunnersAccuracy() throws Exception {
        RealData.require(KnownDataset.MNIST);
        List<String> tried = new ArrayList<>();
        for (String python : PYTHONS) {
            Run run = interopCheck(python, Map.of(), "results/lora-r16");
            if (run == null || run.exit() == NUMPY_MISSING) {
                tried.add(python + ": " + (run == null ? "not found" : run.out().strip()));
                continue;
            }
            assertEquals(0, run.exit(), python + " scripts/interop_check.py:\n" + run.out());
            assertTrue(run.out().contains("OK: all 26 accuracies agree"), run.out());
            assertTrue(run.out().contains("| overall | 79.00 | 79.00 | 98.37 | 98.37 |"), run.out());
            return;
        }
        Assumptions.abort("skipped: no Python with numpy to run scripts/interop_check.py (" + String.join("; ", tried)
                + "); install it, e.g. apt-get install python3-numpy");
    }

    @Test
    void withoutNumpyTheScriptSaysSoInOneLineWithItsOwnExitCode(@TempDir Path dir) throws Exception {
        // a numpy package that fails to import stands in for a Python without numpy
        Files.createDirectories(dir.resolve("numpy"));
        Files.writeString(dir.resolve("numpy/__init__.py"), "raise ImportError('No module named numpy')\n");
        for (String python : PYTHONS) {
            Run run = interopCheck(python, Map.of("PYTHONPATH", dir.toString()), "results/lora-r16");
            if (run == null) continue;
            assertEquals(NUMPY_MISSING, run.exit(), run.out());
            assertTrue(run.out().startsWith("interop_check: numpy is missing") && run.out().strip().lines().count() == 1, run.out());
            return;
        }
        Assumptions.abort("skipped: no python3 to run scripts/interop_check.py with");
    }
}
