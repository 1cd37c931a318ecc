package dev.toylora.runner.data;

import static dev.toylora.io.data.IdxFiles.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.toylora.io.data.DataException;
import dev.toylora.io.data.DatasetLoader;
import dev.toylora.io.data.IdxFiles;
import dev.toylora.io.data.IdxReader;
import dev.toylora.io.data.KnownDataset;
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
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's downloads of missing data files, and its offline switch. */
class DownloaderTest {

    @TempDir
    Path tmp;

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
            assertMessage(assertThrows(DataException.class, () -> Downloader.load("mnist", dir)), "download is off");
        } finally {
            if (before == null) System.clearProperty(Downloader.OFFLINE_PROPERTY);
            else System.setProperty(Downloader.OFFLINE_PROPERTY, before);
        }
        assertFalse(Downloader.disabled().enabled());
    }
}
