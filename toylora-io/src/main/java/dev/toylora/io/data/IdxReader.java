package dev.toylora.io.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.jspecify.annotations.Nullable;

/**
 * Reads IDX files (the format of MNIST and Fashion-MNIST), raw or gzip-compressed. Compression is
 * detected by the gzip magic bytes {@code 1f 8b}, not by the file name.
 *
 * <p>The reader streams the file once, checking the header before it allocates anything, so a
 * damaged or foreign file ends in a {@link DataException} naming the file and what was expected,
 * never in an {@link OutOfMemoryError} or a partial result.
 */
public final class IdxReader {

    /** Magic of an IDX file of unsigned bytes with three dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic of an IDX file of unsigned bytes with one dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;
    /** The largest payload read into one array. */
    static final long MAX_PAYLOAD = Integer.MAX_VALUE - 16L;

    private static final int BUFFER = 1 << 16;

    private IdxReader() {}

    /** Reads an IDX images file (magic {@code 0x00000803}), raw or gzip-compressed. */
    public static IdxImages readImages(Path file) {
        return readImages(file, null);
    }

    /** Reads an IDX labels file (magic {@code 0x00000801}), raw or gzip-compressed. */
    public static IdxLabels readLabels(Path file) {
        return readLabels(file, null);
    }

    /**
     * Reads IDX images from bytes in memory (raw or gzip-compressed, told apart by the gzip magic);
     * {@code source} names them in messages. Fails as {@link #readImages(Path)} does, with a {@link DataException}.
     */
    public static IdxImages readImages(byte[] content, String source) {
        int[] dims = new int[3];
        byte[] pixels = read(content, source, IMAGES_MAGIC, dims);
        return new IdxImages(dims[0], dims[1], dims[2], pixels);
    }

    /** Reads IDX labels from bytes in memory (raw or gzip-compressed), as {@link #readImages(byte[], String)}. */
    public static IdxLabels readLabels(byte[] content, String source) {
        int[] dims = new int[1];
        byte[] labels = read(content, source, LABELS_MAGIC, dims);
        return new IdxLabels(dims[0], labels);
    }

    /** As {@link #readImages(Path)}, feeding the uncompressed bytes (header included) to {@code digest}. */
    static IdxImages readImages(Path file, @Nullable MessageDigest digest) {
        int[] dims = new int[3];
        byte[] pixels = read(file, IMAGES_MAGIC, dims, digest);
        return new IdxImages(dims[0], dims[1], dims[2], pixels);
    }

    /** As {@link #readLabels(Path)}, feeding the uncompressed bytes (header included) to {@code digest}. */
    static IdxLabels readLabels(Path file, @Nullable MessageDigest digest) {
        int[] dims = new int[1];
        byte[] labels = read(file, LABELS_MAGIC, dims, digest);
        return new IdxLabels(dims[0], labels);
    }

    /** Whether the file starts with the gzip magic {@code 1f 8b}. */
    public static boolean isGzip(Path file) {
        requireRegularFile(file);
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e, e);
        }
    }

    /**
     * The hex SHA-256 of the file's uncompressed content: of the file itself when raw, of what it
     * decompresses to when gzip-compressed. The known checksums in {@link KnownDataset} are of this kind.
     */
    public static String sha256OfContent(Path file) {
        requireRegularFile(file);
        MessageDigest digest = newSha256();
        boolean gz = isGzip(file);
        try (InputStream in = open(file, gz)) {
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = in.read(buffer)) >= 0) digest.update(buffer, 0, n);
        } catch (ZipException | EOFException e) {
            throw corruptGzip(file.toString(), e);
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e, e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    static void requireRegularFile(Path file) {
        if (Files.isDirectory(file)) {
            throw new DataException(file + " is a directory; expected an IDX file (a regular file, raw or .gz)");
        }
        if (!Files.exists(file)) {
            throw new DataException(file + " does not exist; expected an IDX file (raw or .gz)");
        }
    }

    private static byte[] read(Path file, int magic, int[] dims, @Nullable MessageDigest digest) {
        requireRegularFile(file);
        String kind = magic == IMAGES_MAGIC ? "images" : "labels";
        boolean gz = isGzip(file);
        try (InputStream opened = open(file, gz)) {
            return read(opened, file.toString(), gz, gz ? -1 : Files.size(file), magic, dims, digest);
        } catch (ZipException | EOFException e) {
            // readNBytes never throws EOFException itself: these come from the gzip layer
            throw corruptGzip(file.toString(), e);
        } catch (NoSuchFileException e) {
            throw new DataException(file + " does not exist; expected an IDX " + kind + " file", e);
        } catch (IOException e) {
            throw new DataException("cannot read " + file + " (expected an IDX " + kind + " file): " + e, e);
        }
    }

    /** As {@link #read(Path, int, int[], MessageDigest)}, on bytes in memory (raw or gzip-compressed). */
    private static byte[] read(byte[] content, String source, int magic, int[] dims) {
        String kind = magic == IMAGES_MAGIC ? "images" : "labels";
        boolean gz = content.length >= 2 && content[0] == 0x1f && content[1] == (byte) 0x8b;
        try (InputStream opened = gz ? new GZIPInputStream(new ByteArrayInputStream(content), BUFFER) : new ByteArrayInputStream(content)) {
            return read(opened, source, gz, gz ? -1 : content.length, magic, dims, null);
        } catch (ZipException | EOFException e) {
            throw corruptGzip(source, e);
        } catch (IOException e) {
            throw new DataException("cannot read " + source + " (expected an IDX " + kind + " file): " + e, e);
        }
    }

    /**
     * Checks the header, then reads the payload of an IDX stream.
     *
     * @param rawSize the stream's length when known (raw data), else -1 (gzip)
     */
    private static byte[] read(InputStream opened, String source, boolean gz, long rawSize, int magic, int[] dims,
                               @Nullable MessageDigest digest) throws IOException {
        String kind = magic == IMAGES_MAGIC ? "images" : "labels";
        InputStream in = digest == null ? opened : new DigestInputStream(opened, digest);
        int headerBytes = 4 + 4 * dims.length;
        byte[] header = in.readNBytes(headerBytes);
        if (header.length < 4) {
            throw new DataException(source + " holds only " + header.length + " byte(s); expected an IDX " + kind
                    + " file starting with the magic number " + hex(magic));
        }
        int actualMagic = intAt(header, 0);
        if (actualMagic != magic) {
            String hint = actualMagic == (magic == IMAGES_MAGIC ? LABELS_MAGIC : IMAGES_MAGIC)
                    ? " (that is the magic of an IDX " + (magic == IMAGES_MAGIC ? "labels" : "images") + " file: are the file names swapped?)"
                    : "";
            throw new DataException(source + " has magic number " + hex(actualMagic) + "; expected " + hex(magic)
                    + " (IDX " + kind + ": unsigned bytes, " + dims.length + " dimension" + (dims.length > 1 ? "s" : "") + ")" + hint);
        }
        if (header.length < headerBytes) {
            throw new DataException(source + " is truncated: expected an IDX " + kind + " header of " + headerBytes
                    + " bytes, the file holds " + header.length);
        }
        for (int d = 0; d < dims.length; d++) {
            dims[d] = intAt(header, 4 + 4 * d);
            if (dims[d] < 0) {
                throw new DataException(source + ": header dimension " + d + " reads " + Integer.toUnsignedString(dims[d])
                        + ", beyond what one array can hold (2^31); expected an MNIST-sized IDX " + kind + " file");
            }
        }
        if (dims.length == 3 && (dims[1] == 0 || dims[2] == 0)) {
            throw new DataException(source + ": header gives an image size of " + dims[1] + "×" + dims[2]
                    + " pixels; expected rows and columns of at least 1");
        }
        long payload = 1;
        for (int d : dims) {
            payload *= d; // checked after each factor (< 2^31), so the long cannot overflow
            if (payload > MAX_PAYLOAD) {
                throw new DataException(source + ": header claims " + describe(kind, dims) + ", more than the "
                        + MAX_PAYLOAD + " bytes one array can hold; expected an MNIST-sized IDX " + kind + " file");
            }
        }
        byte[] data = readPayload(in, (int) payload, gz ? -1 : rawSize - headerBytes);
        int got = data.length;
        if (got < payload) {
            throw new DataException(source + " is truncated: its header says " + describe(kind, dims)
                    + ", i.e. " + payload + " bytes after the " + headerBytes + "-byte header, but the file holds only "
                    + got + (gz ? " (uncompressed)" : ""));
        }
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw new DataException(source + " holds " + extra + " byte(s) more than its header announces ("
                    + describe(kind, dims) + " = " + (headerBytes + payload) + " bytes"
                    + (gz ? " uncompressed" : "") + "); expected an exact IDX " + kind + " file");
        }
        return data;
    }

    /**
     * Reads up to {@code payload} bytes. A raw file's remaining size is known, so a header that claims
     * more than the file holds costs no allocation; for gzip ({@code available < 0}) the buffer grows as
     * data actually arrives. Returns fewer bytes than {@code payload} if the stream ends early.
     */
    private static byte[] readPayload(InputStream in, int payload, long available) throws IOException {
        if (available >= 0) {
            byte[] data = new byte[(int) Math.min(payload, available)];
            int got = in.readNBytes(data, 0, data.length);
            return got == data.length ? data : Arrays.copyOf(data, got);
        }
        byte[] data = new byte[Math.min(payload, 1 << 24)];
        int got = 0;
        while (true) {
            got += in.readNBytes(data, got, data.length - got);
            if (got < data.length || data.length == payload) break;
            data = Arrays.copyOf(data, (int) Math.min(payload, 2L * data.length));
        }
        return got == data.length ? data : Arrays.copyOf(data, got);
    }

    private static InputStream open(Path file, boolean gz) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        if (!gz) return in;
        try {
            return new GZIPInputStream(in, BUFFER);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static DataException corruptGzip(String file, IOException e) {
        return new DataException(file + " starts with the gzip magic 1f 8b but is not a valid gzip file (" + e.getMessage()
                + "); expected gzip-compressed IDX data. Delete it and fetch it again.", e);
    }

    private static String describe(String kind, int[] dims) {
        if (dims.length == 1) return dims[0] + " " + kind;
        return dims[0] + " images of " + dims[1] + "×" + dims[2] + " pixels";
    }

    private static int intAt(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    private static String hex(int value) {
        return String.format("0x%08x", value);
    }
}
