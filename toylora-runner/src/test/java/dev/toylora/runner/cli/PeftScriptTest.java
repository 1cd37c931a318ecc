package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.toylora.io.data.KnownDataset;
import dev.toylora.io.data.RealData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed results/lora-r16 adapter, exported with {@code export --peft}, applied in PyTorch the way PEFT applies
 * it (scripts/peft_check.py), reproduces the runner's accuracies; and the runner's own commands read the directory as
 * they read the file. The script needs a python3 with numpy and torch; without torch this test is skipped, saying so.
 */
@Tag("mnist")
class PeftScriptTest {
    @TempDir
    Path dir;

    static String runner(int expectedExit, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertEquals(expectedExit, exit, String.join(" ", args) + ":\n" + err);
        return out.toString();
    }

    @Test
    void pytorchWithPeftsLoraReproducesTheRunnersAccuracy() throws Exception {
        Path mnist = RealData.require(KnownDataset.MNIST);
        Path repo = RealData.repoRoot();
        Path checkpoints = repo.resolve("results/lora-r16/checkpoints");
        Path base = checkpoints.resolve("base.safetensors"), adapter = checkpoints.resolve("adapter.safetensors");
        if (!Files.isRegularFile(base) || !Files.isRegularFile(adapter)) fail("the committed checkpoints are missing from " + checkpoints);
        Path peft = dir.resolve("lora-r16-peft");
        runner(0, "export", "--base", base.toString(), "--adapter", adapter.toString(), "--peft", peft.toString());

        // the runner reads the directory back: compare gives the table the adapter file gives
        String fromFile = runner(0, "compare", "--base", base.toString(), "--adapter", adapter.toString(), "--data", mnist.toString());
        String fromDir = runner(0, "compare", "--base", base.toString(), "--adapter", peft.toString(), "--data", mnist.toString());
        assertEquals(fromFile, fromDir);

        List<String> tried = new ArrayList<>();
        String python = InteropScriptTest.pythonWith("numpy, torch", tried);
        Assumptions.assumeFalse(python.isEmpty(), "skipped: no python3 with numpy and torch to run scripts/peft_check.py (tried "
                + String.join("; ", tried) + "); install them, e.g. apt-get install python3-numpy python3-torch");
        Process p = new ProcessBuilder(python, "scripts/peft_check.py", "results/lora-r16", peft.toString(), "--data", mnist.toString())
                .directory(repo.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "peft_check.py did not finish");
        assertEquals(0, p.exitValue(), python + " scripts/peft_check.py:\n" + out);
        assertTrue(out.contains("OK: all 26 accuracies agree"), out);
        System.out.println(out);
    }
}
