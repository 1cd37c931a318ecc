package dev.toylora.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.toylora.io.data.KnownDataset;
import dev.toylora.io.data.RealData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/library/LibraryExample.java compiles against the library and runs: trained with the plain-Java engine (the
 * test class path's), its saved and reloaded adapter scores what the trained one did.
 */
@Tag("mnist")
class LibraryExampleTest {
    @TempDir
    Path out;

    @Test
    void theLibraryExampleTrainsSavesAndReloads() throws Exception {
        Path mnist = RealData.require(KnownDataset.MNIST);
        Path example = RealData.repoRoot().resolve("examples/library/LibraryExample.java");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), example.toString(), mnist.toString(), out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the example did not finish:\n" + log);
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("engine java;"), "the plain-Java engine of the test class path ran:\n" + log);
        for (String saved : List.of("adapter.safetensors", "adapter-peft")) {
            assertTrue(log.contains("reloaded " + out.resolve(saved) + ": the same accuracy"), log);
        }
        for (String file : List.of("base.safetensors", "adapter.safetensors", "adapter-peft/adapter_config.json", "adapter-peft/adapter_model.safetensors")) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file);
        }
        System.out.println(log);
    }
}
