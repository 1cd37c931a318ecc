package dev.toylora.bench.peers;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * MNIST as the runner loads it (toylora-runner's DatasetLoader): the four IDX files in one folder, each raw or
 * gzip-compressed (told apart by the gzip magic, not the name), pixels {@code (b/255f - 0.1307f) / 0.3081f} in float,
 * computed once per byte value. Images are rows of {@link #PIXELS} floats, row-major, one after the other.
 */
public record Mnist(float[] trainImages, int[] trainLabels, float[] testImages, int[] testLabels) {

    public static final int PIXELS = 28 * 28;
    public static final int CLASSES = 10;
    public static final float MEAN = 0.1307f;
    public static final float STD = 0.3081f;

    public int trainCount() {
        return trainLabels.length;
    }

    public int testCount() {
        return testLabels.length;
    }

    public static Mnist load(Path dir) {
        return new Mnist(images(dir, "train-images-idx3-ubyte"), labels(dir, "train-labels-idx1-ubyte"),
                images(dir, "t10k-images-idx3-ubyte"), labels(dir, "t10k-labels-idx1-ubyte"));
    }

    private static float[] images(Path dir, String name) {
        byte[] raw = read(dir, name, 0x00000803, 3);
        float[] table = new float[256];
        for (int b = 0; b < 256; b++) table[b] = (b / 255f - MEAN) / STD;
        int offset = 16;
        float[] out = new float[raw.length - offset];
        for (int i = 0; i < out.length; i++) out[i] = table[raw[offset + i] & 0xFF];
        return out;
    }

    private static int[] labels(Path dir, String name) {
        byte[] raw = read(dir, name, 0x00000801, 1);
        int[] out = new int[raw.length - 8];
        for (int i = 0; i < out.length; i++) {
            out[i] = raw[8 + i] & 0xFF;
            if (out[i] >= CLASSES) throw new IllegalStateException(name + ": label " + i + " is " + out[i]);
        }
        return out;
    }

    /** The whole (decompressed) file, header included, after checking its magic and that its size matches its header. */
    private static byte[] read(Path dir, String name, int magic, int dims) {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) file = dir.resolve(name + ".gz");
        if (!Files.exists(file)) {
            throw new IllegalStateException(dir.resolve(name) + "[.gz] is missing (run scripts/fetch-mnist.sh)");
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length >= 2 && bytes[0] == 0x1f && bytes[1] == (byte) 0x8b) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes), 1 << 16)) {
                    bytes = in.readAllBytes();
                }
            }
            int header = 4 + 4 * dims;
            if (bytes.length < header || intAt(bytes, 0) != magic) {
                throw new IllegalStateException(file + " is not an IDX file with magic " + Integer.toHexString(magic));
            }
            long expected = header;
            long count = 1;
            for (int d = 0; d < dims; d++) count *= intAt(bytes, 4 + 4 * d);
            expected += count;
            if (bytes.length != expected) {
                throw new IllegalStateException(file + " holds " + bytes.length + " bytes; its header says " + expected);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static int intAt(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }
}
