package dev.toylora.io.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loads the real data sets from data/ (see {@link RealData}); skip with -DexcludedGroups=mnist. */
@Tag("mnist")
class RealDataTest {

    private static final int[] MNIST_TRAIN_COUNTS = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
    private static final int[] MNIST_TEST_COUNTS = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};

    @TempDir
    Path tmp;

    @Test
    void mnist() {
        Path dir = RealData.require(KnownDataset.MNIST);
        long start = System.nanoTime();
        DataSplit split = DatasetLoader.load(KnownDataset.MNIST, dir);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("MNIST loaded in " + millis + " ms");

        assertEquals("mnist", split.dataset());
        assertEquals(60000, split.train().rows());
        assertEquals(10000, split.test().rows());
        assertEquals(784, split.train().columns());
        assertEquals(784, split.test().columns());
        assertEquals(KnownDataset.MNIST.sha256(), split.sha256());
        assertEquals(KnownDataset.FILES, List.copyOf(split.sha256().keySet()));

        int[] counts = split.train().classCounts();
        assertEquals(5851, counts[8]);
        assertEquals(5949, counts[9]);
        assertEquals(48_200, IntStream.of(counts).limit(8).sum());
        assertArrayEquals(MNIST_TRAIN_COUNTS, counts);
        assertArrayEquals(MNIST_TEST_COUNTS, split.test().classCounts());
        assertEquals(48_200, split.train().rowsOfClasses(List.of(0, 1, 2, 3, 4, 5, 6, 7)).length);

        // the first training digit is a 5, the first test digit a 7
        assertEquals(5, split.train().label(0));
        assertEquals(7, split.test().label(0));
        assertStandardised(split.train(), KnownDataset.MNIST);
    }

    @Test
    void mnistFromGzipFilesGivesTheSameData() throws IOException {
        Path dir = RealData.require(KnownDataset.MNIST);
        DataSplit raw = DatasetLoader.load(KnownDataset.MNIST, dir);
        for (String name : KnownDataset.FILES) {
            Path source = Files.isRegularFile(dir.resolve(name)) ? dir.resolve(name) : dir.resolve(name + ".gz");
            Path target = tmp.resolve(name + ".gz");
            if (IdxReader.isGzip(source)) {
                Files.copy(source, target);
            } else {
                try (InputStream in = Files.newInputStream(source);
                     OutputStream out = new GZIPOutputStream(Files.newOutputStream(target), 1 << 16) {
                         { def.setLevel(Deflater.BEST_SPEED); }
                     }) {
                    in.transferTo(out);
                }
            }
        }
        DataSplit gz = DatasetLoader.load(KnownDataset.MNIST, tmp);
        assertEquals(raw.sha256(), gz.sha256());
        assertEquals(raw.train(), gz.train());
        assertEquals(raw.test(), gz.test());
    }

    @Test
    void fashionMnistIfPresent() {
        // Fashion-MNIST is optional for the build: skip unless fetched (scripts/fetch-fashion-mnist.sh)
        Path dir = RealData.repoRoot().resolve(KnownDataset.FASHION_MNIST.defaultDir());
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(dir), "Fashion-MNIST not fetched");
        DataSplit split = DatasetLoader.load(KnownDataset.FASHION_MNIST, dir);
        assertEquals("fashion-mnist", split.dataset());
        assertEquals(60000, split.train().rows());
        assertEquals(10000, split.test().rows());
        assertEquals(784, split.train().columns());
        assertEquals(KnownDataset.FASHION_MNIST.sha256(), split.sha256());
        assertArrayEquals(IntStream.generate(() -> 6000).limit(10).toArray(), split.train().classCounts());
        assertArrayEquals(IntStream.generate(() -> 1000).limit(10).toArray(), split.test().classCounts());
        assertStandardised(split.train(), KnownDataset.FASHION_MNIST);
    }

    /** With the data set's own mean and std, the normalised training pixels have mean ≈ 0 and std ≈ 1. */
    private static void assertStandardised(Dataset train, KnownDataset known) {
        double sum = 0;
        double sumSq = 0;
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : train.features()) {
            sum += v;
            sumSq += (double) v * v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double n = train.features().length;
        double mean = sum / n;
        double std = Math.sqrt(sumSq / n - mean * mean);
        assertEquals(0.0, mean, 0.005, "mean of normalised " + known.id());
        assertEquals(1.0, std, 0.005, "std of normalised " + known.id());
        assertEquals(-known.mean() / known.std(), min, 1e-6);
        assertEquals((1 - known.mean()) / known.std(), max, 1e-5);
        assertTrue(max > 2.0);
    }
}
