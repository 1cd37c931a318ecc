package dev.toylora.io.data;

import static dev.toylora.io.data.IdxFiles.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.toylora.api.Batch;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data of one's own: IDX pairs and image folders made here, small; and the batches a data set hands out. */
class DatasetsTest {
    @TempDir
    Path tmp;

    /** Train: 4 images of 2×2 with labels 0, 2, 1, 2; test: 2 images with labels 2, 0. */
    Path[] writeIdx() throws IOException {
        byte[] train = {0, 0, 0, 0, (byte) 255, (byte) 255, (byte) 255, (byte) 255, 0, (byte) 255, 0, (byte) 255, 0, 0, (byte) 255, (byte) 255};
        return new Path[] {
            IdxFiles.write(tmp.resolve("my-train-images"), IdxFiles.images(4, 2, 2, train)),
            IdxFiles.write(tmp.resolve("my-train-labels.gz"), IdxFiles.gzip(IdxFiles.labels(4, new byte[] {0, 2, 1, 2}))),
            IdxFiles.write(tmp.resolve("my-test-images"), IdxFiles.images(2, 2, 2, new byte[] {(byte) 255, 0, 0, 0, 0, 0, 0, 0})),
            IdxFiles.write(tmp.resolve("my-test-labels"), IdxFiles.labels(2, new byte[] {2, 0}))};
    }

    @Test
    void anIdxPairIsStandardisedWithItsTrainingSplitsMeanAndStd() throws IOException {
        Path[] f = writeIdx();
        DataSplit split = Datasets.idx(f[0], f[1], f[2], f[3]);
        assertEquals(Datasets.IDX, split.dataset());
        assertEquals(List.of("0", "1", "2"), split.classNames(), "classes 0 to the largest label");
        assertEquals(0.5f, split.mean(), 1e-6f, "half the training pixels are 255");
        assertEquals(0.5f, split.std(), 1e-6f);
        assertArrayEquals(new float[] {1, -1, -1, -1, -1, -1, -1, -1}, split.test().features(), 1e-6f);
        assertArrayEquals(new int[] {1, 1, 2}, split.train().classCounts());
        assertEquals(List.of("train-images", "train-labels", "test-images", "test-labels"), List.copyOf(split.sha256().keySet()));
        assertEquals(IdxReader.sha256OfContent(f[1]), split.sha256().get("train-labels"), "of the uncompressed content");
    }

    @Test
    void badOrMixedIdxFilesAreRefusedNamingTheFile() throws IOException {
        Path[] f = writeIdx();
        assertMessage(assertThrows(DataException.class, () -> Datasets.idx(f[1], f[0], f[2], f[3])), "my-train-labels.gz",
                "are the file names swapped?");
        Path wide = IdxFiles.write(tmp.resolve("wide"), IdxFiles.images(2, 1, 4, new byte[8]));
        assertMessage(assertThrows(DataException.class, () -> Datasets.idx(f[0], f[1], wide, f[3])), "wide holds images of 1×4 pixels",
                "expected 2×2 like " + f[0]);
        Path three = IdxFiles.write(tmp.resolve("three-labels"), IdxFiles.labels(3, new byte[] {0, 1, 2}));
        assertMessage(assertThrows(DataException.class, () -> Datasets.idx(f[0], three, f[2], f[3])), "holds 4 images but",
                "three-labels holds 3 labels");
        Path eleven = IdxFiles.write(tmp.resolve("eleven"), IdxFiles.labels(2, new byte[] {11, 0}));
        assertMessage(assertThrows(DataException.class, () -> Datasets.idx(f[0], f[1], f[2], eleven)), "eleven: label 0 is 11", "expected 0..9");
        Path flat = IdxFiles.write(tmp.resolve("flat"), IdxFiles.images(4, 2, 2, new byte[16]));
        assertMessage(assertThrows(DataException.class, () -> Datasets.idx(flat, f[1], f[2], f[3])), "flat", "same grey level");
    }

    static void picture(Path file, int width, int height, Color background, Color ink) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(background);
        g.fillRect(0, 0, width, height);
        g.setColor(ink);
        g.fillRect(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        Files.createDirectories(file.getParent());
        ImageIO.write(image, file.toString().endsWith(".png") ? "png" : "jpg", file.toFile());
    }

    /** dir/{train,test}/{circle,square}: PNG and JPEG, of several sizes. */
    Path writeImageFolder() throws IOException {
        Path dir = tmp.resolve("shapes");
        for (String split : List.of("train", "test")) {
            picture(dir.resolve(split + "/square/a.png"), 40, 40, Color.BLACK, Color.WHITE);
            picture(dir.resolve(split + "/square/b.JPG"), 64, 32, Color.BLACK, Color.LIGHT_GRAY);
            picture(dir.resolve(split + "/circle/a.png"), 28, 28, Color.WHITE, Color.BLACK);
        }
        Files.writeString(dir.resolve("train/.DS_Store"), "hidden files are skipped");
        return dir;
    }

    @Test
    void anImageFolderHasOneClassPerFolderInSortedOrder() throws IOException {
        DataSplit split = Datasets.imageFolder(writeImageFolder());
        assertEquals(Datasets.IMAGE_FOLDER, split.dataset());
        assertEquals(List.of("circle", "square"), split.classNames());
        assertEquals(3, split.train().rows());
        assertEquals(28 * 28, split.train().columns());
        assertArrayEquals(new int[] {0, 1, 1}, split.train().labels());
        assertEquals(List.of("train", "test"), List.copyOf(split.sha256().keySet()));
        assertNotEquals(0f, split.mean());
        float[] features = split.train().features();
        double sum = 0;
        for (float v : features) sum += v;
        assertEquals(0, sum / features.length, 1e-4, "standardised with the training split's own mean");
    }

    @Test
    void badOrMixedFilesInAnImageFolderAreRefusedNamingThem() throws IOException {
        Path dir = writeImageFolder();
        Files.writeString(dir.resolve("train/square/notes.txt"), "not a picture");
        assertMessage(assertThrows(DataException.class, () -> Datasets.imageFolder(dir)), "notes.txt", "not a .png, .jpg or .jpeg file");
        Files.delete(dir.resolve("train/square/notes.txt"));

        Files.writeString(dir.resolve("train/square/broken.png"), "not a picture either");
        assertMessage(assertThrows(DataException.class, () -> Datasets.imageFolder(dir)), "broken.png", "not a readable image");
        Files.delete(dir.resolve("train/square/broken.png"));

        Files.writeString(dir.resolve("train/readme.md"), "a file among the classes");
        assertMessage(assertThrows(DataException.class, () -> Datasets.imageFolder(dir)), "readme.md", "a file among the class folders");
        Files.delete(dir.resolve("train/readme.md"));

        picture(dir.resolve("test/triangle/a.png"), 28, 28, Color.BLACK, Color.WHITE);
        assertMessage(assertThrows(DataException.class, () -> Datasets.imageFolder(dir)), "[circle, square, triangle]", "[circle, square]",
                "expected the same classes in both");
        Files.delete(dir.resolve("test/triangle/a.png"));
        assertMessage(assertThrows(DataException.class, () -> Datasets.imageFolder(dir)), "triangle holds no images");

        assertMessage(assertThrows(DataException.class, () -> Datasets.imageFolder(dir.resolve("train"))), "has no train/ folder",
                "ImageFolder's convention");
    }

    @Test
    void batchesCoverEveryRowOnceInOrderOrShuffledBySeed() {
        float[] f = new float[10];
        for (int i = 0; i < 10; i++) f[i] = i;
        Dataset d = new Dataset("d", f, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10, 1);
        List<Integer> inOrder = new ArrayList<>(), shuffled = new ArrayList<>(), again = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (Batch b : d.batches(4)) {
            sizes.add(b.rows());
            for (int r = 0; r < b.rows(); r++) inOrder.add(b.labels()[r]);
        }
        for (Batch b : d.batches(4, 7)) for (int r = 0; r < b.rows(); r++) shuffled.add((int) b.features()[r]);
        for (Batch b : d.batches(4, 7)) for (int r = 0; r < b.rows(); r++) again.add(b.labels()[r]);
        assertEquals(List.of(4, 4, 2), sizes);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), inOrder);
        assertEquals(shuffled, again, "the same seed, the same order; features and labels stay together");
        assertNotEquals(inOrder, shuffled);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), shuffled.stream().sorted().toList());
        assertEquals(10, d.asBatch().rows());
        assertThrows(IllegalArgumentException.class, () -> d.batches(0));
    }
}
