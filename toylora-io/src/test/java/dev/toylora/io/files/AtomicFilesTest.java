package dev.toylora.io.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
        assertFalse(AtomicFiles.publish(first, target), "nothing was there to replace");
        Path second = AtomicFiles.stage(target);
        AtomicFiles.write(second.resolve("metrics.json"), "2");
        assertFalse(Files.exists(target.resolve("x")));
        assertTrue(AtomicFiles.publish(second, target), "the first folder was replaced");
        assertEquals("2", Files.readString(target.resolve("metrics.json")));
        try (Stream<Path> files = Files.list(target.getParent())) {
            assertEquals(1, files.count(), "no staging or old folders left behind");
        }
        assertTrue(Files.isDirectory(target));
    }

    @Test
    void whatIsWrittenAsideIsHiddenAndNamedAfterTheProcess() throws Exception {
        Path target = dir.resolve("results/lora");
        Path staged = AtomicFiles.stage(target);
        String name = staged.getFileName().toString();
        assertTrue(name.startsWith(".lora.tmp-" + AtomicFiles.HOST + "-" + AtomicFiles.PID + "."), name);
        assertTrue(AtomicFiles.isAside(name));
        assertFalse(AtomicFiles.isAside("lora"));
        assertFalse(AtomicFiles.isAside(".cache"));
        assertFalse(AtomicFiles.isAside("rank=4"));
        AtomicFiles.publish(staged, target);
        assertEquals(target, AtomicFiles.published().get(AtomicFiles.published().size() - 1));
    }

    @Test
    void shutDownStopsAllWritingAndDeletesWhatIsAside() throws Exception {
        Path target = dir.resolve("results/lora");
        Path staged = AtomicFiles.stage(target);
        AtomicFiles.write(staged.resolve("metrics.json"), "{}");
        try {
            List<Path> removed = AtomicFiles.shutDown();
            assertTrue(removed.contains(staged.toAbsolutePath()), removed.toString());
            assertFalse(Files.exists(staged), "the staging folder is gone");
            assertTrue(AtomicFiles.isShutDown());
            assertThrows(IllegalStateException.class, () -> AtomicFiles.publish(staged, target));
            assertThrows(IllegalStateException.class, () -> AtomicFiles.stage(target));
            assertThrows(IllegalStateException.class, () -> AtomicFiles.write(dir.resolve("results/sweep.csv"), "a,b\n"));
            assertFalse(Files.exists(target));
            try (Stream<Path> files = Files.list(dir.resolve("results"))) {
                assertEquals(List.of(), files.toList(), "nothing left, nothing new");
            }
        } finally {
            AtomicFiles.reopen();
        }
    }

    @Test
    void removeStaleTakesWhatDeadProcessesLeftAndKeepsWhatLiveOnesWrite() throws Exception {
        Path results = dir.resolve("results");
        Process finished = new ProcessBuilder("true").redirectErrorStream(true).start();
        finished.getInputStream().readAllBytes();
        finished.waitFor();
        long dead = finished.pid();
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            long live = sleeper.pid();
            String host = AtomicFiles.HOST;
            String other = host.equals("00000000") ? "11111111" : "00000000";
            Path deadStaging = Files.createDirectories(results.resolve("sweep/.rank=1.tmp-" + host + "-" + dead + ".123"));
            Files.writeString(deadStaging.resolve("metrics.json"), "{\"half");
            Files.createDirectories(results.resolve(".cache/bases"));
            Path deadPart = Files.writeString(results.resolve(".cache/bases/.base-x.safetensors.tmp-" + host + "-" + dead + ".9.part"), "x");
            Path deadOld = Files.createDirectories(results.resolve(".lora.old-" + host + "-" + dead + "-77"));
            Path liveStaging = Files.createDirectories(results.resolve("sweep/.rank=2.tmp-" + host + "-" + live + ".5"));
            Path mine = Files.createDirectories(results.resolve(".mine.tmp-" + host + "-" + AtomicFiles.PID + ".5"));
            Path myLive = AtomicFiles.stage(results.resolve("sweep/rank=3"));
            Path foreignFresh = Files.createDirectories(results.resolve(".x.tmp-" + other + "-1.1"));
            Path foreignOld = Files.createDirectories(results.resolve(".y.tmp-" + other + "-1.1"));
            Files.setLastModifiedTime(foreignOld, FileTime.from(Instant.now().minus(AtomicFiles.FOREIGN_STALE_AFTER).minus(Duration.ofMinutes(1))));
            Path finishedTrial = Files.createDirectories(results.resolve("sweep/rank=4"));

            List<Path> removed = AtomicFiles.removeStale(results);
            assertEquals(Set.of(deadStaging, deadPart, deadOld, mine, foreignOld), Set.copyOf(removed));
            for (Path gone : removed) assertFalse(Files.exists(gone), gone.toString());
            for (Path kept : List.of(liveStaging, myLive, foreignFresh, finishedTrial)) assertTrue(Files.exists(kept), kept.toString());
            AtomicFiles.deleteTree(myLive);
        } finally {
            sleeper.destroyForcibly();
        }
    }

    /** Writes a file, and a folder with a subfolder and a file, as a run does; in a JVM of its own, under a given umask. */
    static final class Probe {
        public static void main(String[] args) {
            Path root = Path.of(args[0]);
            AtomicFiles.write(root.resolve("results/sweep.csv"), "x");
            Path target = root.resolve("results/run");
            Path staged = AtomicFiles.stage(target);
            AtomicFiles.write(staged.resolve("checkpoints/adapter.safetensors"), "y");
            AtomicFiles.publish(staged, target);
        }
    }

    @ParameterizedTest
    @CsvSource({"022, rw-r--r--, rwxr-xr-x", "002, rw-rw-r--, rwxrwxr-x", "077, rw-------, rwx------"})
    void filesAndFoldersGetTheModeTheUmaskAsksFor(String umask, String fileMode, String folderMode) throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX file modes only");
        Path root = dir.resolve("umask-" + umask);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // umask is a shell builtin: set it, then exec the JVM, which creates files as any process of that shell would
        Process p = new ProcessBuilder("sh", "-c", "umask " + umask + " && exec \"$@\"", "sh", java, "-cp",
                System.getProperty("java.class.path"), Probe.class.getName(), root.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "probe did not finish");
        assertEquals(0, p.exitValue(), out);
        for (String file : List.of("results/sweep.csv", "results/run/checkpoints/adapter.safetensors")) {
            assertEquals(fileMode, PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(file))), file);
        }
        for (String folder : List.of("results", "results/run", "results/run/checkpoints")) {
            assertEquals(folderMode, PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(folder))), folder);
        }
    }
}
