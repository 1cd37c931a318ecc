package dev.toylora.io.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests (the runner's tests use them too), and checks error messages. */
public final class IdxFiles {

    private IdxFiles() {}

    public static byte[] images(int count, int rows, int cols, byte[] pixels) {
        return concat(header(IdxReader.IMAGES_MAGIC, count, rows, cols), pixels);
    }

    public static byte[] labels(int count, byte[] labels) {
        return concat(header(IdxReader.LABELS_MAGIC, count), labels);
    }

    /** {@code count} images of rows×cols whose pixel k of image i is {@code (i*31 + k*7) % 256}. */
    public static byte[] patternPixels(int count, int rows, int cols) {
        byte[] p = new byte[count * rows * cols];
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < rows * cols; k++) p[i * rows * cols + k] = (byte) ((i * 31 + k * 7) % 256);
        }
        return p;
    }

    public static byte[] header(int magic, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length); // big-endian, as IDX
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        return b.array();
    }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    public static Path write(Path file, byte[] data) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, data);
    }

    /**
     * Writes a well-formed but made-up set of the four MNIST files into {@code dir}: {@code trainCount}
     * and {@code testCount} images of 28×28 with labels {@code i % 10}. Their checksums are of course not MNIST's.
     */
    public static void writeFakeDataset(Path dir, int trainCount, int trainLabelCount, int testCount, boolean gz) throws IOException {
        writeSplit(dir, KnownDataset.TRAIN_IMAGES, KnownDataset.TRAIN_LABELS, trainCount, trainLabelCount, gz);
        writeSplit(dir, KnownDataset.TEST_IMAGES, KnownDataset.TEST_LABELS, testCount, testCount, gz);
    }

    private static void writeSplit(Path dir, String imagesName, String labelsName, int count, int labelCount, boolean gz)
            throws IOException {
        byte[] images = images(count, 28, 28, patternPixels(count, 28, 28));
        byte[] l = new byte[labelCount];
        for (int i = 0; i < labelCount; i++) l[i] = (byte) (i % 10);
        byte[] labels = labels(labelCount, l);
        write(dir.resolve(imagesName + (gz ? ".gz" : "")), gz ? gzip(images) : images);
        write(dir.resolve(labelsName + (gz ? ".gz" : "")), gz ? gzip(labels) : labels);
    }

    /** Fails unless {@code e}'s message contains every one of {@code parts}. */
    public static void assertMessage(Throwable e, String... parts) {
        String message = String.valueOf(e.getMessage());
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "message lacks \"" + part + "\": " + message);
        }
    }
}
