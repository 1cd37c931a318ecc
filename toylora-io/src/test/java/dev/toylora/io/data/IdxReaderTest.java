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
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void readsImages(boolean gz) throws IOException {
        byte[] pixels = IdxFiles.patternPixels(3, 4, 5);
        byte[] file = IdxFiles.images(3, 4, 5, pixels);
        // a name that says nothing about compression: detection is by content
        Path path = IdxFiles.write(tmp.resolve("images.bin"), gz ? IdxFiles.gzip(file) : file);

        IdxImages images = IdxReader.readImages(path);

        assertEquals(3, images.count());
        assertEquals(4, images.rows());
        assertEquals(5, images.cols());
        assertEquals(20, images.pixelsPerImage());
        assertArrayEquals(pixels, images.pixels());
        assertEquals(gz, IdxReader.isGzip(path));
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void readsLabels(boolean gz) throws IOException {
        byte[] labels = {7, 2, 1, 0, 4, (byte) 200};
        byte[] file = IdxFiles.labels(labels.length, labels);
        Path path = IdxFiles.write(tmp.resolve("labels"), gz ? IdxFiles.gzip(file) : file);

        IdxLabels read = IdxReader.readLabels(path);

        assertEquals(6, read.count());
        assertArrayEquals(labels, read.labels());
        assertEquals(7, read.label(0));
        assertEquals(200, read.label(5), "labels are unsigned bytes");
    }

    @Test
    void pixelsAreUnsignedBytes() throws IOException {
        byte[] pixels = {0, 1, 127, (byte) 128, (byte) 254, (byte) 255};
        Path path = IdxFiles.write(tmp.resolve("img"), IdxFiles.images(1, 2, 3, pixels));
        IdxImages images = IdxReader.readImages(path);
        int[] values = new int[6];
        for (int i = 0; i < 6; i++) values[i] = images.pixels()[i] & 0xFF;
        assertArrayEquals(new int[] {0, 1, 127, 128, 254, 255}, values);
    }

    @Test
    void acceptsZeroItems() throws IOException {
        Path path = IdxFiles.write(tmp.resolve("empty"), IdxFiles.images(0, 28, 28, new byte[0]));
        assertEquals(0, IdxReader.readImages(path).count());
    }

    @Test
    void sha256OfContentIsTheSameForRawAndGzip() throws IOException {
        byte[] file = IdxFiles.labels(3, new byte[] {1, 2, 3});
        Path raw = IdxFiles.write(tmp.resolve("raw"), file);
        Path gz = IdxFiles.write(tmp.resolve("raw.gz"), IdxFiles.gzip(file));
        String hash = IdxReader.sha256OfContent(raw);
        assertEquals(64, hash.length());
        assertEquals(hash, IdxReader.sha256OfContent(gz));
        assertFalse(IdxReader.isGzip(raw));
        assertTrue(IdxReader.isGzip(gz));
    }

    @Test
    void wrongMagicForImages() throws IOException {
        Path path = IdxFiles.write(tmp.resolve("train-images-idx3-ubyte"), IdxFiles.labels(2, new byte[] {1, 2}));
        DataException e = assertThrows(DataException.class, () -> IdxReader.readImages(path));
        assertMessage(e, "train-images-idx3-ubyte", "0x00000801", "expected 0x00000803", "labels file");
    }

    @Test
    void wrongMagicForLabels() throws IOException {
        Path path = IdxFiles.write(tmp.resolve("train-labels-idx1-ubyte"), "<html>not found</html>".getBytes());
        DataException e = assertThrows(DataException.class, () -> IdxReader.readLabels(path));
        assertMessage(e, "train-labels-idx1-ubyte", "expected 0x00000801");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void truncatedImages(boolean gz) throws IOException {
        byte[] whole = IdxFiles.images(10, 28, 28, IdxFiles.patternPixels(10, 28, 28));
        byte[] cut = Arrays.copyOf(whole, whole.length - 100);
        Path path = IdxFiles.write(tmp.resolve("t10k-images-idx3-ubyte"), gz ? IdxFiles.gzip(cut) : cut);
        DataException e = assertThrows(DataException.class, () -> IdxReader.readImages(path));
        assertMessage(e, "t10k-images-idx3-ubyte", "truncated", "10 images of 28×28", "7840 bytes", "only 7740");
    }

    @Test
    void truncatedLabels() throws IOException {
        byte[] whole = IdxFiles.labels(60000, new byte[60000]);
        Path path = IdxFiles.write(tmp.resolve("train-labels-idx1-ubyte"), Arrays.copyOf(whole, 1000));
        DataException e = assertThrows(DataException.class, () -> IdxReader.readLabels(path));
        assertMessage(e, "train-labels-idx1-ubyte", "truncated", "60000 labels", "only 992");
    }

    @Test
    void truncatedHeader() throws IOException {
        Path path = IdxFiles.write(tmp.resolve("imgs"), Arrays.copyOf(IdxFiles.header(IdxReader.IMAGES_MAGIC, 1, 28, 28), 10));
        DataException e = assertThrows(DataException.class, () -> IdxReader.readImages(path));
        assertMessage(e, "imgs", "truncated", "header of 16 bytes", "holds 10");
    }

    @Test
    void emptyFile() throws IOException {
        Path path = IdxFiles.write(tmp.resolve("nothing"), new byte[0]);
        DataException e = assertThrows(DataException.class, () -> IdxReader.readLabels(path));
        assertMessage(e, "nothing", "0 byte", "0x00000801");
    }

    @Test
    void trailingBytes() throws IOException {
        byte[] file = IdxFiles.concat(IdxFiles.labels(2, new byte[] {1, 2}), new byte[] {9, 9, 9});
        Path path = IdxFiles.write(tmp.resolve("lbl"), file);
        DataException e = assertThrows(DataException.class, () -> IdxReader.readLabels(path));
        assertMessage(e, "lbl", "3 byte(s) more", "2 labels");
    }

    @Test
    void absurdDimensionsFailBeforeAllocating() throws IOException {
        Path huge = IdxFiles.write(tmp.resolve("huge"), IdxFiles.header(IdxReader.IMAGES_MAGIC, 1_000_000, 1000, 1000));
        assertMessage(assertThrows(DataException.class, () -> IdxReader.readImages(huge)),
                "huge", "1000000 images of 1000×1000", "more than", "MNIST-sized");

        Path hugest = IdxFiles.write(tmp.resolve("hugest"), IdxFiles.header(IdxReader.IMAGES_MAGIC, 0x7fffffff, 0x7fffffff, 0x7fffffff));
        assertMessage(assertThrows(DataException.class, () -> IdxReader.readImages(hugest)), "hugest", "more than");

        Path negative = IdxFiles.write(tmp.resolve("negative"), IdxFiles.header(IdxReader.LABELS_MAGIC, -5));
        assertMessage(assertThrows(DataException.class, () -> IdxReader.readLabels(negative)),
                "negative", "4294967291", "2^31");

        Path zeroRows = IdxFiles.write(tmp.resolve("zero-rows"), IdxFiles.header(IdxReader.IMAGES_MAGIC, 10, 0, 28));
        assertMessage(assertThrows(DataException.class, () -> IdxReader.readImages(zeroRows)),
                "zero-rows", "0×28", "at least 1");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void hugeClaimOnAShortFileIsTruncationNotOutOfMemory(boolean gz) throws IOException {
        // 2,000,000,000 bytes claimed: below the array limit, so only the file's length can tell
        byte[] file = IdxFiles.concat(IdxFiles.header(IdxReader.IMAGES_MAGIC, 1_000_000, 1000, 2), new byte[100]);
        Path path = IdxFiles.write(tmp.resolve("big"), gz ? IdxFiles.gzip(file) : file);
        assertMessage(assertThrows(DataException.class, () -> IdxReader.readImages(path)),
                "big", "truncated", "1000000 images of 1000×2", "2000000000 bytes", "only 100");
    }

    @Test
    void corruptGzip() throws IOException {
        // gzip magic, then nonsense
        Path garbage = IdxFiles.write(tmp.resolve("train-images-idx3-ubyte.gz"), new byte[] {0x1f, (byte) 0x8b, 0x42, 0x00, 0x01});
        assertMessage(assertThrows(DataException.class, () -> IdxReader.readImages(garbage)),
                "train-images-idx3-ubyte.gz", "not a valid gzip file", "expected gzip-compressed IDX");

        // a real gzip stream cut in half
        byte[] gz = IdxFiles.gzip(IdxFiles.images(50, 28, 28, IdxFiles.patternPixels(50, 28, 28)));
        Path cut = IdxFiles.write(tmp.resolve("t10k-images-idx3-ubyte.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertMessage(assertThrows(DataException.class, () -> IdxReader.readImages(cut)),
                "t10k-images-idx3-ubyte.gz", "not a valid gzip file");

        // a flipped bit in the CRC trailer
        byte[] bad = IdxFiles.gzip(IdxFiles.labels(3, new byte[] {1, 2, 3}));
        bad[bad.length - 6] ^= 0x01;
        Path crc = IdxFiles.write(tmp.resolve("labels.gz"), bad);
        assertMessage(assertThrows(DataException.class, () -> IdxReader.readLabels(crc)), "labels.gz", "not a valid gzip file");
        assertMessage(assertThrows(DataException.class, () -> IdxReader.sha256OfContent(crc)), "labels.gz", "not a valid gzip file");
    }

    @Test
    void missingFileAndDirectoryInsteadOfFile() throws IOException {
        Path missing = tmp.resolve("absent-labels");
        assertMessage(assertThrows(DataException.class, () -> IdxReader.readLabels(missing)),
                "absent-labels", "does not exist", "expected an IDX file");

        Path dir = Files.createDirectory(tmp.resolve("train-images-idx3-ubyte"));
        assertMessage(assertThrows(DataException.class, () -> IdxReader.readImages(dir)),
                "train-images-idx3-ubyte", "is a directory", "expected an IDX file");
    }

    @Test
    void bytesInMemoryReadLikeFilesAndNameTheirSource() throws IOException {
        byte[] images = IdxFiles.images(3, 2, 2, IdxFiles.patternPixels(3, 2, 2));
        byte[] labels = IdxFiles.labels(3, new byte[] {4, 0, 9});
        Path file = IdxFiles.write(tmp.resolve("imgs"), images);
        IdxImages fromFile = IdxReader.readImages(file);
        for (byte[] content : new byte[][] {images, IdxFiles.gzip(images)}) {
            IdxImages fromBytes = IdxReader.readImages(content, "download");
            assertEquals(fromFile.count(), fromBytes.count());
            assertArrayEquals(fromFile.pixels(), fromBytes.pixels());
        }
        assertArrayEquals(new byte[] {4, 0, 9}, IdxReader.readLabels(IdxFiles.gzip(labels), "download").labels());
        assertMessage(assertThrows(DataException.class, () -> IdxReader.readImages(Arrays.copyOf(images, 20), "download")),
                "download is truncated", "3 images of 2×2 pixels");
        assertMessage(assertThrows(DataException.class, () -> IdxReader.readLabels(images, "download")),
                "download has magic number 0x00000803; expected 0x00000801", "are the file names swapped?");
        assertMessage(assertThrows(DataException.class, () -> IdxReader.readLabels(new byte[] {0x1f, (byte) 0x8b, 1}, "download")),
                "download starts with the gzip magic 1f 8b but is not a valid gzip file");
    }
}
