package dev.toylora.runner.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void writeReplacesWholeAndLeavesNoTemporaryFiles() throws Exception {
        Path file = dir.resolve("a/b/metrics.json");
        AtomicFiles.write(file, "one");
        AtomicFiles.write(file, "two");
        assertEquals("two", Files.readString(file));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void publishSwapsAFolderForAnother() throws Exception {
        Path target = dir.resolve("results/lora");
        Path first = AtomicFiles.stage(target);
        AtomicFiles.write(first.resolve("metrics.json"), "1");
        AtomicFiles.publish(first, target);
        Path second = AtomicFiles.stage(target);
        AtomicFiles.write(second.resolve("metrics.json"), "2");
        assertFalse(Files.exists(target.resolve("x")));
        AtomicFiles.publish(second, target);
        assertEquals("2", Files.readString(target.resolve("metrics.json")));
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertEquals(1, files.count(), "no staging or old folders left behind");
        }
        assertTrue(Files.isDirectory(target));
    }
}
