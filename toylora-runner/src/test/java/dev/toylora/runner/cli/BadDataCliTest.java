package dev.toylora.runner.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toylora.io.data.KnownDataset;
import dev.toylora.io.data.RealData;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.runner.data.Downloader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged data, through the command line: MNIST is linked into a temporary folder with one file spoiled, and the
 * run must stop before training with exit code 2 and one message that names the file and what was expected — no
 * stack trace, no results folder, no cached base.
 */
@Tag("mnist")
class BadDataCliTest {
    static final String LABELS = KnownDataset.TEST_LABELS;

    @TempDir
    Path dir;

    Path mnist;
    Path data;

    @BeforeEach
    void linkMnist() throws IOException {
        mnist = RealData.require(KnownDataset.MNIST).toAbsolutePath();
        data = Files.createDirectories(dir.resolve("mnist"));
        for (String name : KnownDataset.FILES) {
            Path real = mnist.resolve(name);
            if (!Files.exists(real)) real = mnist.resolve(name + ".gz");
            Path link = data.resolve(real.getFileName());
            try {
                Files.createSymbolicLink(link, real);
            } catch (UnsupportedOperationException | IOException e) {
                Files.copy(real, link);
            }
        }
        System.setProperty(Downloader.OFFLINE_PROPERTY, "true");
    }

    @AfterEach
    void online() throws IOException {
        System.clearProperty(Downloader.OFFLINE_PROPERTY);
        // unlink MNIST ourselves: JUnit warns about every link it finds in a temporary folder
        try (var files = Files.list(data)) {
            for (Path p : files.toList()) if (Files.isSymbolicLink(p)) Files.delete(p);
        }
    }

    /** The real test labels, uncompressed; the spoiled copy replaces the link. */
    private byte[] realLabels() throws IOException {
        Path raw = mnist.resolve(LABELS);
        if (Files.exists(raw)) return Files.readAllBytes(raw);
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(mnist.resolve(LABELS + ".gz")))) {
            return in.readAllBytes();
        }
    }

    private Path replaceLabels(byte[] content) throws IOException {
        Files.deleteIfExists(data.resolve(LABELS));
        Files.deleteIfExists(data.resolve(LABELS + ".gz"));
        return Files.write(data.resolve(LABELS), content);
    }

    private void assertRefused(Path dataDir, String... expected) throws IOException {
        Path file = dir.resolve("run.yaml");
        Files.writeString(file, "model: { hidden: [16] }\npretrain: { epochs: 1 }\nfinetune: { epochs: 1 }\n");
        Path results = dir.resolve("results");
        MainTest.Outcome o = MainTest.run("--no-progress", "--results", results.toString(), file.toString(), "data.dir=" + dataDir);
        assertEquals(2, o.exit(), o.err());
        assertTrue(o.err().startsWith("error: "), o.err());
        for (String part : expected) assertTrue(o.err().contains(part), "expected «" + part + "» in:\n" + o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace:\n" + o.err());
        assertFalse(Files.exists(results), "no results folder, no cached base");
    }

    @Test
    void aDamagedCachedBaseIsIgnoredAndPretrainedAgain() throws IOException {
        Path file = dir.resolve("cached.yaml");
        Files.writeString(file, "model: { hidden: [16] }\npretrain: { epochs: 1 }\nfinetune: { epochs: 1 }\n");
        Path results = dir.resolve("results");
        String[] args = {"--no-progress", "--results", results.toString(), file.toString(), "data.dir=" + data};
        assertEquals(0, MainTest.run(args).exit());
        byte[] base = Files.readAllBytes(results.resolve("cached/checkpoints/base.safetensors"));
        Path cached;
        try (var files = Files.list(results.resolve(".cache/bases"))) {
            cached = files.filter(p -> p.getFileName().toString().startsWith("base-")).findFirst().orElseThrow();
        }
        Files.write(cached, Arrays.copyOf(Files.readAllBytes(cached), 1000)); // truncated, as by a full disk

        MainTest.Outcome again = MainTest.run(args);
        assertEquals(0, again.exit(), again.err());
        JsonNode metrics = ResultsTreeCheck.JSON.readTree(results.resolve("cached/metrics.json").toFile());
        assertFalse(metrics.path("training").path("base_cached").asBoolean(), "pretrained again, not read from the damaged file");
        assertArrayEquals(base, Files.readAllBytes(results.resolve("cached/checkpoints/base.safetensors")), "the same base as before");
        Safetensors.read(cached); // and the cache holds a whole one again
    }

    @Test
    void aChecksumMismatchNamesTheFileBothDigestsAndTheFix() throws IOException {
        byte[] labels = realLabels();
        labels[8] = (byte) ((labels[8] + 1) % 10); // still a valid label: only the checksum can tell
        Path spoiled = replaceLabels(labels);
        assertRefused(data, "checksum mismatch for " + spoiled, "expected SHA-256 " + KnownDataset.MNIST.sha256(LABELS),
                "delete it and fetch it again with scripts/fetch-mnist.sh");
    }

    @Test
    void aTruncatedFileSaysHowMuchIsMissing() throws IOException {
        Path spoiled = replaceLabels(Arrays.copyOf(realLabels(), 5008));
        assertRefused(data, spoiled + " is truncated: its header says 10000 labels, i.e. 10000 bytes after the 8-byte header, but the file holds only 5000");
    }

    @Test
    void aDirectoryInPlaceOfAFile() throws IOException {
        Files.deleteIfExists(data.resolve(LABELS));
        Files.deleteIfExists(data.resolve(LABELS + ".gz"));
        Path d = Files.createDirectory(data.resolve(LABELS));
        assertRefused(data, d + " is a directory; expected the " + LABELS + " IDX file");
    }

    @Test
    void aMissingDataDirectorySaysHowToGetIt() throws IOException {
        Path nowhere = dir.resolve("nowhere");
        assertRefused(nowhere, "the MNIST directory " + nowhere + " does not exist", "scripts/fetch-mnist.sh " + nowhere);
        assertFalse(Files.exists(nowhere), "not created either");
    }

    @Test
    void aFileInPlaceOfTheDataDirectory() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertRefused(file, file + " is a file; expected a directory holding the four MNIST IDX files");
    }

    @Test
    void swappedFilesAreRecognisedByTheirMagic() throws IOException {
        Files.deleteIfExists(data.resolve(LABELS));
        Files.deleteIfExists(data.resolve(LABELS + ".gz"));
        Path images = data.resolve(Files.exists(data.resolve(KnownDataset.TEST_IMAGES)) ? KnownDataset.TEST_IMAGES : KnownDataset.TEST_IMAGES + ".gz");
        Path swapped = data.resolve(LABELS + (images.toString().endsWith(".gz") ? ".gz" : ""));
        Files.copy(images, swapped);
        assertRefused(data, swapped + " has magic number 0x00000803; expected 0x00000801", "are the file names swapped?");
    }

    @Test
    void countsThatDisagree() throws IOException {
        byte[] labels = Arrays.copyOf(realLabels(), 8 + 9999);
        labels[6] = (byte) (9999 >> 8);
        labels[7] = (byte) (9999 & 0xff);
        Path spoiled = replaceLabels(labels);
        assertRefused(data, "holds 10000 images but " + spoiled + " holds 9999 labels; expected one label per image");
    }

    @Test
    void aCorruptGzipFile() throws IOException {
        Files.deleteIfExists(data.resolve(LABELS));
        Path gz = Files.write(data.resolve(LABELS + ".gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5});
        assertRefused(data, gz + " starts with the gzip magic 1f 8b but is not a valid gzip file", "fetch it again");
    }
}
