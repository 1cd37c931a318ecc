package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.toylora.io.data.KnownDataset;
import dev.toylora.io.data.RealData;
import dev.toylora.runner.pipeline.ExperimentRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A run's results folder as others see it: readable by whoever the umask lets read it (a volume shared by several users
 * or uids), and a run that replaces a folder says so. A tiny model on the real MNIST, one epoch each.
 */
@Tag("mnist")
class ResultsFolderCliTest {
    @TempDir
    Path dir;

    @Test
    void aRunHonoursTheUmaskAndASecondRunSaysItReplacedTheFolder() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX file modes only");
        Path mnist = RealData.require(KnownDataset.MNIST).toAbsolutePath();
        Path experiment = dir.resolve("tiny.yaml");
        Files.writeString(experiment, """
                data: { dir: "%s" }
                model: { hidden: [16] }
                pretrain: { epochs: 1 }
                finetune: { epochs: 1, lora: { rank: 2, targets: [fc1, fc2] } }
                """.formatted(mnist));
        Path results = dir.resolve("results");

        // the first run in a JVM of its own under umask 022, as a shell with the usual umask starts it
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("sh", "-c", "umask 022 && exec \"$@\"", "sh", java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--no-progress", "--results", results.toString(), experiment.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the run did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("results written to") && !out.contains("replacing"), "a new folder is no news: " + out);
        try (Stream<Path> all = Files.walk(results)) {
            for (Path path : all.toList()) {
                String expected = Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--";
                assertEquals(expected, PosixFilePermissions.toString(Files.getPosixFilePermissions(path)), results.relativize(path).toString());
            }
        }

        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(ExperimentRunner.class);
        log.start();
        logger.addAppender(log);
        try {
            MainTest.Outcome again = MainTest.run("--no-progress", "--results", results.toString(), experiment.toString());
            assertEquals(0, again.exit(), again.err());
        } finally {
            logger.detachAppender(log);
        }
        List<String> warnings = log.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(List.of("results written to " + results.resolve("tiny") + ", replacing the folder that was there (its earlier files are gone)"),
                warnings);
    }
}
