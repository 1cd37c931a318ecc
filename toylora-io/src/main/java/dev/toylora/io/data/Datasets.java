package dev.toylora.io.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Data sets for users of the library: MNIST and Fashion-MNIST verified by checksum, any pair of IDX files, or a folder
 * of images per class (torchvision's ImageFolder convention). Each gives a {@link DataSplit} whose splits are
 * {@link Dataset}s of standardised pixels; {@link Dataset#batches} feeds them to a network. Nothing is downloaded.
 *
 * <pre>{@code
 * DataSplit mnist = Datasets.mnist(Path.of("data/mnist"));
 * for (Batch batch : mnist.train().batches(64, seed)) trainer.step(batch);
 * double accuracy = network.accuracy(mnist.test().asBatch());
 * }</pre>
 *
 * <p>For data of one's own, the mean and standard deviation that standardise the pixels ({@code (b/255 − mean)/std})
 * are computed from the training split and applied to both splits (the test split must not inform them); the
 * {@link DataSplit} records them, so a model's later inputs can be standardised the same way.
 */
public final class Datasets {
    /** The {@link DataSplit#dataset()} of IDX files of one's own. */
    public static final String IDX = "idx";
    /** The {@link DataSplit#dataset()} of a folder of images per class. */
    public static final String IMAGE_FOLDER = "image-folder";
    /** The side an image folder's pictures are resized to: MNIST's 28, the 784 inputs of the seed's network. */
    public static final int SIDE = 28;

    private static final List<String> IMAGE_EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

    private Datasets() {}

    /** MNIST's four IDX files in {@code dir} (raw or .gz), verified by SHA-256; standardised with mean 0.1307, std 0.3081. */
    public static DataSplit mnist(Path dir) {
        return DatasetLoader.load(KnownDataset.MNIST, dir);
    }

    /** Fashion-MNIST's four IDX files in {@code dir}, verified by SHA-256, with its class names (T-shirt/top, …). */
    public static DataSplit fashionMnist(Path dir) {
        return DatasetLoader.load(KnownDataset.FASHION_MNIST, dir);
    }

    /**
     * Any IDX images and labels, raw or gzip-compressed, for training and for testing. Labels must lie in 0..9; the
     * classes are 0 to the largest label, named by their numbers. Images and labels must agree in count, and the two
     * splits in image size.
     *
     * @throws DataException naming the file and what was expected
     */
    public static DataSplit idx(Path trainImages, Path trainLabels, Path testImages, Path testLabels) {
        // the SHA-256 of each file's uncompressed content, taken while it is read, identifies the data in results
        List<MessageDigest> digests = IntStream.range(0, 4).mapToObj(i -> IdxReader.newSha256()).toList();
        IdxImages trainX = IdxReader.readImages(trainImages, digests.get(0));
        IdxLabels trainY = IdxReader.readLabels(trainLabels, digests.get(1));
        IdxImages testX = IdxReader.readImages(testImages, digests.get(2));
        IdxLabels testY = IdxReader.readLabels(testLabels, digests.get(3));
        Map<String, String> sha256 = new LinkedHashMap<>();
        List<String> keys = List.of("train-images", "train-labels", "test-images", "test-labels");
        for (int i = 0; i < 4; i++) sha256.put(keys.get(i), HexFormat.of().formatHex(digests.get(i).digest()));
        DatasetLoader.checkCounts(trainX, trainImages, trainY, trainLabels);
        DatasetLoader.checkCounts(testX, testImages, testY, testLabels);
        if (trainX.count() == 0) throw new DataException(trainImages + " holds no images; expected at least one to train on");
        if (testX.rows() != trainX.rows() || testX.cols() != trainX.cols()) {
            throw new DataException(testImages + " holds images of " + testX.rows() + "×" + testX.cols() + " pixels; expected "
                    + trainX.rows() + "×" + trainX.cols() + " like " + trainImages + " (the two splits must be of one kind)");
        }
        int largest = Math.max(largestLabel(trainY), largestLabel(testY));
        List<String> names = IntStream.rangeClosed(0, Math.min(largest, Dataset.NUM_CLASSES - 1)).mapToObj(String::valueOf).toList();
        float[] stats = meanAndStd(trainX.pixels(), trainImages.toString());
        Dataset train = DatasetLoader.toDataset(IDX + "-train", trainX, trainImages, trainY, trainLabels, stats[0], stats[1], names);
        Dataset test = DatasetLoader.toDataset(IDX + "-test", testX, testImages, testY, testLabels, stats[0], stats[1], names);
        return new DataSplit(IDX, train, test, sha256, stats[0], stats[1]);
    }

    /**
     * A folder holding {@code train/} and {@code test/}, each with one folder of PNG or JPEG images per class (the same
     * class folders in both): {@code dir/train/cat/1.png}, {@code dir/test/dog/7.jpg}, …. Classes are the folder names
     * in sorted order (label 0 is the first), at most 10. Every picture is made grey and resized to
     * {@value #SIDE}×{@value #SIDE} ({@link Pictures#greyResized}).
     *
     * @throws DataException naming the file or folder and what was expected, for anything else in the class folders
     */
    public static DataSplit imageFolder(Path dir) {
        Path train = dir.resolve("train"), test = dir.resolve("test");
        for (Path split : List.of(train, test)) {
            if (!Files.isDirectory(split)) {
                throw new DataException(dir + " has no " + split.getFileName() + "/ folder; expected " + dir + "/train/<class>/… and "
                        + dir + "/test/<class>/…, one folder of PNG or JPEG images per class (ImageFolder's convention)");
            }
        }
        return imageFolder(train, test, SIDE);
    }

    /** As {@link #imageFolder(Path)}, with the training and test folders given and pictures resized to {@code side × side}. */
    public static DataSplit imageFolder(Path train, Path test, int side) {
        if (side < 1) throw new IllegalArgumentException("pictures need a side of at least 1 pixel, got " + side);
        Folder trainFolder = Folder.read(train, side);
        Folder testFolder = Folder.read(test, side);
        if (!testFolder.classes().equals(trainFolder.classes())) {
            throw new DataException(test + " has the class folders " + testFolder.classes() + " but " + train + " has "
                    + trainFolder.classes() + "; expected the same classes in both");
        }
        float[] stats = meanAndStd(trainFolder.pixels(), train.toString());
        Map<String, String> sha256 = new LinkedHashMap<>();
        sha256.put("train", trainFolder.sha256());
        sha256.put("test", testFolder.sha256());
        return new DataSplit(IMAGE_FOLDER, trainFolder.toDataset(IMAGE_FOLDER + "-train", side, stats),
                testFolder.toDataset(IMAGE_FOLDER + "-test", side, stats), sha256, stats[0], stats[1]);
    }

    /** {mean, std} of the pixels scaled to [0, 1] (the population standard deviation), for standardising. */
    static float[] meanAndStd(byte[] pixels, String source) {
        double sum = 0, squares = 0;
        for (byte b : pixels) {
            double v = (b & 0xFF) / 255.0;
            sum += v;
            squares += v * v;
        }
        double mean = sum / pixels.length;
        double std = Math.sqrt(Math.max(0, squares / pixels.length - mean * mean));
        if (!(std > 1e-6)) {
            throw new DataException(source + ": every training pixel has the same grey level (" + Math.round(mean * 255)
                    + "); expected images to learn from, whose pixels vary");
        }
        return new float[] {(float) mean, (float) std};
    }

    private static int largestLabel(IdxLabels labels) {
        int largest = 0;
        for (int i = 0; i < labels.count(); i++) largest = Math.max(largest, labels.label(i));
        return largest;
    }

    /** One split of an image folder: class names, every picture's bytes, labels, and a hash of the files. */
    private record Folder(List<String> classes, byte[] pixels, int[] labels, String sha256) {

        static Folder read(Path root, int side) {
            String convention = "expected a folder with one folder of PNG or JPEG images per class (ImageFolder's convention: "
                    + root + "/<class>/<image>.png)";
            if (!Files.exists(root)) throw new DataException(root + " does not exist; " + convention);
            if (!Files.isDirectory(root)) throw new DataException(root + " is a file; " + convention);
            List<Path> classDirs = new ArrayList<>();
            for (Path entry : visible(root)) {
                if (!Files.isDirectory(entry)) {
                    throw new DataException(entry + ": a file among the class folders; " + convention);
                }
                classDirs.add(entry);
            }
            if (classDirs.isEmpty()) throw new DataException(root + " holds no class folders; " + convention);
            List<String> classes = classDirs.stream().map(p -> p.getFileName().toString()).toList();
            if (classes.size() > Dataset.NUM_CLASSES) {
                throw new DataException(root + " holds " + classes.size() + " class folders " + classes + "; at most "
                        + Dataset.NUM_CLASSES + " classes are supported");
            }
            MessageDigest digest = IdxReader.newSha256();
            List<byte[]> pictures = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            for (int label = 0; label < classDirs.size(); label++) {
                Path classDir = classDirs.get(label);
                int before = pictures.size();
                for (Path file : visible(classDir)) {
                    String name = file.getFileName().toString();
                    if (Files.isDirectory(file)) {
                        throw new DataException(file + ": a folder inside the class folder " + classDir.getFileName()
                                + "; expected only PNG or JPEG images there");
                    }
                    if (IMAGE_EXTENSIONS.stream().noneMatch(name.toLowerCase(Locale.ROOT)::endsWith)) {
                        throw new DataException(file + ": not a .png, .jpg or .jpeg file; expected only PNG or JPEG images in the class folders");
                    }
                    byte[] bytes;
                    try {
                        bytes = Files.readAllBytes(file);
                    } catch (IOException e) {
                        throw new DataException("cannot read " + file + ": " + e.getMessage(), e);
                    }
                    digest.update(root.relativize(file).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
                    digest.update((byte) 0);
                    digest.update(bytes);
                    pictures.add(Pictures.greyResized(Pictures.read(file, "a PNG or JPEG image"), side));
                    labels.add(label);
                }
                if (pictures.size() == before) {
                    throw new DataException(classDir + " holds no images; expected at least one PNG or JPEG in every class folder");
                }
            }
            byte[] pixels = new byte[pictures.size() * side * side];
            for (int i = 0; i < pictures.size(); i++) System.arraycopy(pictures.get(i), 0, pixels, i * side * side, side * side);
            return new Folder(classes, pixels, labels.stream().mapToInt(Integer::intValue).toArray(), HexFormat.of().formatHex(digest.digest()));
        }

        Dataset toDataset(String name, int side, float[] stats) {
            return new Dataset(name, DatasetLoader.normalise(pixels, stats[0], stats[1]), labels, labels.length, side * side, classes);
        }

        /** The entries of a folder by name, hidden ones (.DS_Store, .git) left out. */
        private static List<Path> visible(Path dir) {
            try (Stream<Path> entries = Files.list(dir)) {
                return entries.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
    }
}
