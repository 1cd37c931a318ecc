package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.toylora.io.data.KnownDataset;
import dev.toylora.io.data.RealData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * scripts/interop_check.py — the checkpoints read with numpy alone — reproduces the runner's accuracies
 * of results/lora-r16. Without a Python that has numpy this fails (CI installs python3-numpy).
 */
@Tag("mnist")
class InteropScriptTest {

    /** The first of /usr/bin/python3, python3 that can import numpy. */
    static String pythonWithNumpy(List<String> tried) {
        return pythonWith("numpy", tried);
    }

    /** The first of /usr/bin/python3, python3 that can import {@code modules} (e.g. "numpy, torch"); empty if none, each failure in {@code tried}. */
    static String pythonWith(String modules, List<String> tried) {
        for (String python : List.of("/usr/bin/python3", "python3")) {
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

    @Test
    void numpyReproducesTheRunnersAccuracy() throws Exception {
        RealData.require(KnownDataset.MNIST);
        Path repo = RealData.repoRoot();
        List<String> tried = new ArrayList<>();
        String python = pythonWithNumpy(tried);
        if (python.isEmpty()) {
            fail("no Python with numpy to run scripts/interop_check.py (tried " + String.join("; ", tried)
                    + "); install it, e.g. apt-get install python3-numpy");
        }
        Process p = new ProcessBuilder(python, "scripts/interop_check.py", "results/lora-r16").directory(repo.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "interop_check.py did not finish");
        assertEquals(0, p.exitValue(), python + " scripts/interop_check.py:\n" + out);
        assertTrue(out.contains("OK: all 26 accuracies agree"), out);
        assertTrue(out.contains("| overall | 79.00 | 79.00 | 98.37 | 98.37 |"), out);
    }
}
