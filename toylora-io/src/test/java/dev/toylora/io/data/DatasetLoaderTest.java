package dev.toylora.io.data;

import static dev.toylora.io.data.IdxFiles.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLoaderTest {

    @TempDir
    Path tmp;

    @Test
    void normalisesLikeTorchvision() {
        float[] x = DatasetLoader.normalise(new byte[] {0, (byte) 255, (byte) 128}, 0.1307f, 0.3081f);
        assertEquals(-0.4242129f, x[0], 1e-6f);
        assertEquals(2.8214867f, x[1], 1e-5f);
        assertEquals((128 / 255f - 0.1307f) / 0.3081f, x[2], 0f);
        assertEquals(0.1307f, KnownDataset.MNIST.mean());
        assertEquals(0.3081f, KnownDataset.MNIST.std());
        assertEquals(0.2860f, KnownDataset.FASHION_MNIST.mean());
        assertEquals(0.3530f, KnownDataset.FASHION_MNIST.std());
    }

    @Test
    void fromIdxReadsAndNormalises() throws IOException {
        byte[] pixels = {0, (byte) 255, 51, 102, (byte) 153, (byte) 204};
        Path images = IdxFiles.write(tmp.resolve("i.gz"), IdxFiles.gzip(IdxFiles.images(3, 1, 2, pixels)));
        Path labels = IdxFiles.write(tmp.resolve("l"), IdxFiles.labels(3, new byte[] {4, 0, 9}));
        Dataset d = DatasetLoader.fromIdx("tiny", images, labels, 0.5f, 0.25f);
        assertEquals(3, d.rows());
        assertEquals(2, d.columns());
        assertArrayEquals(new int[] {4, 0, 9}, d.labels());
        assertArrayEquals(new float[] {-2f, 2f, -1.2f, -0.4f, 0.4f, 1.2f}, d.features(), 1e-6f);
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path images = IdxFiles.write(tmp.resolve("i"), IdxFiles.images(2, 1, 1, new byte[2]));
        Path labels = IdxFiles.write(tmp.resolve("train-labels-idx1-ubyte"), IdxFiles.labels(2, new byte[] {3, 12}));
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.fromIdx("x", images, labels, 0f, 1f));
        assertMessage(e, "train-labels-idx1-ubyte", "label 1 is 12", "expected 0..9");
    }

    @Test
    void knownDatasets() {
        assertEquals(KnownDataset.MNIST, KnownDataset.byId("mnist"));
        assertEquals(KnownDataset.MNIST, KnownDataset.byId("MNIST"));
        assertEquals(KnownDataset.FASHION_MNIST, KnownDataset.byId("fashion-mnist"));
        assertEquals(KnownDataset.FASHION_MNIST, KnownDataset.byId("Fashion_MNIST"));
        assertMessage(assertThrows(DataException.class, () -> KnownDataset.byId("cifar10")), "cifar10", "mnist", "fashion-mnist");
        assertEquals(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
                KnownDataset.FASHION_MNIST.classNames());
        for (KnownDataset d : KnownDataset.values()) {
            assertEquals(10, d.numClasses());
            assertEquals(KnownDataset.FILES, List.copyOf(d.sha256().keySet()));
            d.sha256().values().forEach(h -> assertTrue(h.matches("[0-9a-f]{64}"), h));
            assertTrue(d.fetchScript().startsWith("scripts/fetch-"));
        }
        assertEquals("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                KnownDataset.MNIST.sha256(KnownDataset.TRAIN_IMAGES));
    }

    @Test
    void missingDirectory() {
        Path dir = tmp.resolve("data/mnist");
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.load(KnownDataset.MNIST, dir));
        assertMessage(e, dir.toString(), "does not exist", "scripts/fetch-mnist.sh " + dir);
    }

    @Test
    void directoryIsAFile() throws IOException {
        Path notADir = Files.writeString(tmp.resolve("mnist"), "x");
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.load(KnownDataset.MNIST, notADir));
        assertMessage(e, notADir.toString(), "is a file", "expected a directory");
    }

    @Test
    void missingFilesWithoutFetcher() throws IOException {
        IdxFiles.writeFakeDataset(tmp, 3, 3, 2, false);
        Files.delete(tmp.resolve(KnownDataset.TEST_LABELS));
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.load(KnownDataset.MNIST, tmp));
        assertMessage(e, "lacks 1 of the 4 MNIST files", KnownDataset.TEST_LABELS, "Get the files with: scripts/fetch-mnist.sh " + tmp);
        assertFalse(e.getMessage().contains("ownload"), "the library downloads nothing and says nothing about it: " + e.getMessage());
    }

    @Test
    void fileIsADirectory() throws IOException {
        IdxFiles.writeFakeDataset(tmp, 3, 3, 2, false);
        Files.delete(tmp.resolve(KnownDataset.TEST_IMAGES));
        Files.createDirectory(tmp.resolve(KnownDataset.TEST_IMAGES));
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.load(KnownDataset.MNIST, tmp));
        assertMessage(e, KnownDataset.TEST_IMAGES, "is a directory", "expected the " + KnownDataset.TEST_IMAGES + " IDX file");
    }

    @Test
    void countMismatch() throws IOException {
        IdxFiles.writeFakeDataset(tmp, 5, 4, 2, true);
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.load(KnownDataset.MNIST, tmp));
        assertMessage(e, KnownDataset.TRAIN_IMAGES + ".gz holds 5 images", KnownDataset.TRAIN_LABELS + ".gz holds 4 labels",
                "expected one label per image");
    }

    @Test
    void checksumMismatch() throws IOException {
        IdxFiles.writeFakeDataset(tmp, 5, 5, 2, false);
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.load(KnownDataset.MNIST, tmp));
        String actual = IdxReader.sha256OfContent(tmp.resolve(KnownDataset.TRAIN_IMAGES));
        assertMessage(e, "checksum mismatch", tmp.resolve(KnownDataset.TRAIN_IMAGES).toString(),
                "expected SHA-256 " + KnownDataset.MNIST.sha256(KnownDataset.TRAIN_IMAGES), "got " + actual,
                "delete it and fetch it again with scripts/fetch-mnist.sh " + tmp);
    }

    @Test
    void corruptGzipInDataDirectory() throws IOException {
        IdxFiles.writeFakeDataset(tmp, 5, 5, 2, false);
        Files.delete(tmp.resolve(KnownDataset.TRAIN_LABELS));
        Files.write(tmp.resolve(KnownDataset.TRAIN_LABELS + ".gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0});
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.load(KnownDataset.MNIST, tmp));
        assertMessage(e, KnownDataset.TRAIN_LABELS + ".gz", "not a valid gzip file");
    }

    @Test
    void splitKeepsHashesInFileOrder() {
        Dataset d = new Dataset("x", new float[1], new int[1], 1, 1);
        DataSplit split = new DataSplit("mnist", d, d, Map.of("b", "2", "a", "1"));
        assertThrows(UnsupportedOperationException.class, () -> split.sha256().put("c", "3"));
        assertEquals(KnownDataset.MNIST, split.known());
    }
}
