package dev.toylora.runner.data;

import static dev.toylora.runner.data.IdxReaderTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
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
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.load(KnownDataset.MNIST, dir, Downloader.disabled()));
        assertMessage(e, dir.toString(), "does not exist", "scripts/fetch-mnist.sh " + dir);
    }

    @Test
    void directoryIsAFile() throws IOException {
        Path notADir = Files.writeString(tmp.resolve("mnist"), "x");
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.load(KnownDataset.MNIST, notADir, Downloader.disabled()));
        assertMessage(e, notADir.toString(), "is a file", "expected a directory");
    }

    @Test
    void missingFilesOffline() throws IOException {
        IdxFiles.writeFakeDataset(tmp, 3, 3, 2, false);
        Files.delete(tmp.resolve(KnownDataset.TEST_LABELS));
        Files.delete(tmp.resolve(KnownDataset.TRAIN_IMAGES));
        DataException e = assertThrows(DataException.class,
                () -> DatasetLoader.load(KnownDataset.FASHION_MNIST, tmp, Downloader.disabled()));
        assertMessage(e, tmp.toString(), "lacks 2 of the 4 Fashion-MNIST files", KnownDataset.TRAIN_IMAGES, KnownDataset.TEST_LABELS,
                "NAME.gz", "download is off", "TOYLORA_OFFLINE", "scripts/fetch-fashion-mnist.sh " + tmp);
        assertFalse(e.getMessage().contains(KnownDataset.TRAIN_LABELS));
    }

    @Test
    void fileIsADirectory() throws IOException {
        IdxFiles.writeFakeDataset(tmp, 3, 3, 2, false);
        Files.delete(tmp.resolve(KnownDataset.TEST_IMAGES));
        Files.createDirectory(tmp.resolve(KnownDataset.TEST_IMAGES));
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.load(KnownDataset.MNIST, tmp, Downloader.disabled()));
        assertMessage(e, KnownDataset.TEST_IMAGES, "is a directory", "expected the " + KnownDataset.TEST_IMAGES + " IDX file");
    }

    @Test
    void countMismatch() throws IOException {
        IdxFiles.writeFakeDataset(tmp, 5, 4, 2, true);
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.load(KnownDataset.MNIST, tmp, Downloader.disabled()));
        assertMessage(e, KnownDataset.TRAIN_IMAGES + ".gz holds 5 images", KnownDataset.TRAIN_LABELS + ".gz holds 4 labels",
                "expected one label per image");
    }

    @Test
    void checksumMismatch() throws IOException {
        IdxFiles.writeFakeDataset(tmp, 5, 5, 2, false);
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.load(KnownDataset.MNIST, tmp, Downloader.disabled()));
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
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.load(KnownDataset.MNIST, tmp, Downloader.disabled()));
        assertMessage(e, KnownDataset.TRAIN_LABELS + ".gz", "not a valid gzip file");
    }

    @Test
    void unreachableMirrorFailsFastWithAdviceAndLeavesNoDirectory() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Downloader downloader = Downloader.withMirrors(List.of(URI.create("http://127.0.0.1:" + closedPort + "/mnist/")),
                Duration.ofSeconds(2), Duration.ofSeconds(5));
        Path dir = tmp.resolve("data/mnist");
        long start = System.nanoTime();
        DataException e = assertThrows(DataException.class, () -> DatasetLoader.load(KnownDataset.MNIST, dir, downloader));
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "an unreachable host is tried once, not once per file");
        assertMessage(e, dir.toString(), "does not exist", "Downloading them failed", "127.0.0.1:" + closedPort,
                "scripts/fetch-mnist.sh " + dir);
        assertFalse(Files.exists(tmp.resolve("data")), "the directories made for the download are removed again");
    }

    @Test
    void downloadVerifiesBeforeRenaming() throws IOException {
        byte[] good = IdxFiles.labels(3, new byte[] {1, 2, 3});
        byte[] goodGz = IdxFiles.gzip(good);
        Path source = IdxFiles.write(tmp.resolve("src/good"), good);
        String goodHash = IdxReader.sha256OfContent(source);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/m/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = switch (path) {
                case "/m/good.gz" -> goodGz;
                case "/m/tampered.gz" -> IdxFiles.gzip(IdxFiles.labels(3, new byte[] {1, 2, 4}));
                case "/m/notgzip.gz" -> "<html>".getBytes();
                default -> null;
            };
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/m/");
            Downloader downloader = Downloader.withMirrors(List.of(base), Duration.ofSeconds(2), Duration.ofSeconds(10));
            Path dir = Files.createDirectories(tmp.resolve("dl"));

            List<String> failures = new ArrayList<>();
            Optional<Path> fetched = downloader.fetch(List.of(), "good", goodHash, dir, failures);
            assertEquals(Optional.of(dir.resolve("good.gz")), fetched, failures::toString);
            assertArrayEquals(goodGz, Files.readAllBytes(dir.resolve("good.gz")));

            assertEquals(Optional.empty(), downloader.fetch(List.of(), "tampered", goodHash, dir, failures));
            assertEquals(Optional.empty(), downloader.fetch(List.of(), "notgzip", goodHash, dir, failures));
            assertEquals(Optional.empty(), downloader.fetch(List.of(), "absent", goodHash, dir, failures));
            assertEquals(3, failures.size(), failures::toString);
            assertMessage(new DataException(String.join("\n", failures)), "tampered.gz: SHA-256", "expected " + goodHash,
                    "notgzip.gz: not a valid gzip", "absent.gz: HTTP 404");
            try (Stream<Path> left = Files.list(dir)) {
                assertEquals(List.of(dir.resolve("good.gz")), left.toList(), "no temporary or unverified file is left behind");
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void offlineSwitch() {
        String before = System.getProperty(Downloader.OFFLINE_PROPERTY);
        try {
            System.setProperty(Downloader.OFFLINE_PROPERTY, "true");
            assertTrue(Downloader.offlineRequested());
            assertFalse(Downloader.fromEnvironment().enabled());
            Path dir = tmp.resolve("nowhere");
            assertMessage(assertThrows(DataException.class, () -> DatasetLoader.load("mnist", dir)), "download is off");
        } finally {
            if (before == null) System.clearProperty(Downloader.OFFLINE_PROPERTY);
            else System.setProperty(Downloader.OFFLINE_PROPERTY, before);
        }
        assertFalse(Downloader.disabled().enabled());
    }

    @Test
    void splitKeepsHashesInFileOrder() {
        Dataset d = new Dataset("x", new float[1], new int[1], 1, 1);
        DataSplit split = new DataSplit("mnist", d, d, Map.of("b", "2", "a", "1"));
        assertThrows(UnsupportedOperationException.class, () -> split.sha256().put("c", "3"));
        assertEquals(KnownDataset.MNIST, split.known());
    }
}
