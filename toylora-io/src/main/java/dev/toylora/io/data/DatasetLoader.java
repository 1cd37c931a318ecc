package dev.toylora.io.data;

import dev.toylora.api.Pixels;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Loads the four IDX files of a known data set from a directory, verifies them, and normalises the
 * pixels: {@code x = (byte/255 - mean) / std} with the data set's mean and std.
 *
 * <p>For each file, {@code dir/<name>} or else {@code dir/<name>.gz} is read (compression is detected
 * by content). Files missing from {@code dir} are handed to a {@link Fetcher} when one is given (the runner's
 * downloader is one; this library itself never goes on the network); if that fails the {@link DataException}
 * names the missing files and the fetch script that gets them.
 *
 * <p>Checks, in this order, each failure a {@link DataException}: the directory and files exist;
 * each file's magic, header and length; images and labels agree in count; train and test images
 * agree in size; the SHA-256 of each file's uncompressed content matches the known one; labels lie in
 * 0..9. Nothing is cached: each call reads the files anew.
 */
public final class DatasetLoader {

    /**
     * Gets a file of a known data set that is missing from its directory, e.g. by downloading it from the data set's
     * mirrors. {@link #NONE} gets nothing.
     */
    public interface Fetcher {
        /** Fetches nothing: the loader reports the missing files and the script that gets them. */
        Fetcher NONE = new Fetcher() {
            @Override
            public boolean enabled() {
                return false;
            }

            @Override
            public Optional<Path> fetch(List<URI> mirrors, String fileName, String expectedSha256, Path dir, List<String> failures) {
                return Optional.empty();
            }
        };

        /** Whether {@link #fetch} is tried at all. */
        boolean enabled();

        /** Why nothing is fetched when not {@link #enabled()}, a sentence for the error message; empty for no reason worth telling. */
        default String disabledReason() {
            return "";
        }

        /**
         * Puts {@code fileName} (or {@code fileName.gz}) into {@code dir}, verified against {@code expectedSha256} (of the
         * uncompressed content); returns where, or empty after adding one line per failed attempt to {@code failures}.
         *
         * @param mirrors base URLs of the data set, see {@link KnownDataset#mirrors()}
         */
        Optional<Path> fetch(List<URI> mirrors, String fileName, String expectedSha256, Path dir, List<String> failures);
    }

    private DatasetLoader() {}

    /** Loads {@code dataset} ({@code "mnist"} or {@code "fashion-mnist"}) from {@code dir}; fetches nothing that is missing. */
    public static DataSplit load(String dataset, Path dir) {
        return load(KnownDataset.byId(dataset), dir, Fetcher.NONE);
    }

    /** Loads a known data set from {@code dir}; fetches nothing that is missing. */
    public static DataSplit load(KnownDataset dataset, Path dir) {
        return load(dataset, dir, Fetcher.NONE);
    }

    /** Loads a known data set from {@code dir}; missing files are fetched with {@code fetcher} if it is enabled. */
    public static DataSplit load(KnownDataset dataset, Path dir, Fetcher fetcher) {
        Map<String, Path> files = locate(dataset, dir, fetcher);
        Map<String, String> hashes = new LinkedHashMap<>();
        Dataset train = loadSplit(dataset, dataset.id() + "-train", files, KnownDataset.TRAIN_IMAGES, KnownDataset.TRAIN_LABELS, dir, hashes);
        Dataset test = loadSplit(dataset, dataset.id() + "-test", files, KnownDataset.TEST_IMAGES, KnownDataset.TEST_LABELS, dir, hashes);
        if (train.columns() != test.columns()) {
            throw new DataException(files.get(KnownDataset.TEST_IMAGES) + " holds images of " + test.columns() + " pixels; expected "
                    + train.columns() + " like " + files.get(KnownDataset.TRAIN_IMAGES));
        }
        return new DataSplit(dataset.id(), train, test, hashes);
    }

    /**
     * Reads one pair of IDX files without checksum verification (for data that is not a
     * {@link KnownDataset}, such as small test files) and normalises the pixels with {@code mean} and {@code std}.
     */
    public static Dataset fromIdx(String name, Path imagesFile, Path labelsFile, float mean, float std) {
        IdxImages images = IdxReader.readImages(imagesFile);
        IdxLabels labels = IdxReader.readLabels(labelsFile);
        return toDataset(name, images, imagesFile, labels, labelsFile, mean, std, KnownDataset.MNIST.classNames());
    }

    /** {@code (b/255 - mean) / std} for each unsigned byte {@code b}, computed in float as torchvision does. */
    public static float[] normalise(byte[] pixels, float mean, float std) {
        return Pixels.standardise(pixels, mean, std);
    }

    private static Dataset loadSplit(KnownDataset dataset, String name, Map<String, Path> files, String imagesName, String labelsName,
                                     Path dir, Map<String, String> hashes) {
        Path imagesFile = files.get(imagesName);
        Path labelsFile = files.get(labelsName);
        MessageDigest imagesDigest = IdxReader.newSha256();
        MessageDigest labelsDigest = IdxReader.newSha256();
        IdxImages images = IdxReader.readImages(imagesFile, imagesDigest);
        IdxLabels labels = IdxReader.readLabels(labelsFile, labelsDigest);
        checkCounts(images, imagesFile, labels, labelsFile);
        hashes.put(imagesName, verify(dataset, imagesName, imagesFile, imagesDigest, dir));
        hashes.put(labelsName, verify(dataset, labelsName, labelsFile, labelsDigest, dir));
        return toDataset(name, images, imagesFile, labels, labelsFile, dataset.mean(), dataset.std(), dataset.classNames());
    }

    static void checkCounts(IdxImages images, Path imagesFile, IdxLabels labels, Path labelsFile) {
        if (images.count() != labels.count()) {
            throw new DataException(imagesFile + " holds " + images.count() + " images but " + labelsFile + " holds "
                    + labels.count() + " labels; expected one label per image (the two files must come from the same split)");
        }
    }

    private static String verify(KnownDataset dataset, String name, Path file, MessageDigest digest, Path dir) {
        String actual = HexFormat.of().formatHex(digest.digest());
        String expected = dataset.sha256(name);
        if (!actual.equals(expected)) {
            throw new DataException("checksum mismatch for " + file + ": expected SHA-256 " + expected
                    + " (of the uncompressed " + dataset.displayName() + " file " + name + "), got " + actual
                    + ". The file is damaged or not the " + dataset.displayName() + " file: delete it and fetch it again with "
                    + dataset.fetchScript() + " " + dir);
        }
        return actual;
    }

    static Dataset toDataset(String name, IdxImages images, Path imagesFile, IdxLabels labels, Path labelsFile,
                             float mean, float std, List<String> classNames) {
        checkCounts(images, imagesFile, labels, labelsFile);
        int[] classes = new int[labels.count()];
        for (int i = 0; i < classes.length; i++) {
            int label = labels.label(i);
            if (label >= Dataset.NUM_CLASSES) {
                throw new DataException(labelsFile + ": label " + i + " is " + label + "; expected 0.." + (Dataset.NUM_CLASSES - 1));
            }
            classes[i] = label;
        }
        return new Dataset(name, normalise(images.pixels(), mean, std), classes, images.count(), images.pixelsPerImage(), classNames);
    }

    /** Finds each file as {@code name} or {@code name.gz}, downloading what is missing; fails naming what is still missing. */
    private static Map<String, Path> locate(KnownDataset dataset, Path dir, Fetcher fetcher) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new DataException(dir + " is a file; expected a directory holding the four " + dataset.displayName()
                    + " IDX files " + KnownDataset.FILES + " (each raw or .gz)");
        }
        boolean dirExisted = Files.isDirectory(dir);
        Map<String, Path> found = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String name : KnownDataset.FILES) {
            Path file = find(dir, name);
            if (file == null) missing.add(name);
            else found.put(name, file);
        }
        if (missing.isEmpty()) return found;

        List<String> failures = new ArrayList<>();
        if (fetcher.enabled()) {
            Deque<Path> created = new ArrayDeque<>();
            try {
                for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) created.push(p);
                Files.createDirectories(dir);
            } catch (IOException e) {
                failures.add("cannot create " + dir + ": " + e);
            }
            if (Files.isDirectory(dir)) {
                for (var it = missing.iterator(); it.hasNext(); ) {
                    String name = it.next();
                    Optional<Path> fetched = fetcher.fetch(dataset.mirrors(), name, dataset.sha256(name), dir, failures);
                    if (fetched.isPresent()) {
                        found.put(name, fetched.get());
                        it.remove();
                    }
                }
                if (!missing.isEmpty() && !dirExisted) removeIfEmpty(created);
            }
            if (missing.isEmpty()) {
                Map<String, Path> ordered = new LinkedHashMap<>();
                for (String name : KnownDataset.FILES) ordered.put(name, found.get(name));
                return ordered;
            }
        }
        throw missingFiles(dataset, dir, dirExisted, missing, fetcher, failures);
    }

    private static @Nullable Path find(Path dir, String name) {
        for (Path candidate : List.of(dir.resolve(name), dir.resolve(name + ".gz"))) {
            if (Files.isDirectory(candidate)) {
                throw new DataException(candidate + " is a directory; expected the " + name + " IDX file (raw or .gz)");
            }
            if (Files.exists(candidate)) return candidate;
        }
        return null;
    }

    private static void removeIfEmpty(Deque<Path> createdTopDown) {
        // delete deepest first; stop at the first that is not empty
        List<Path> bottomUp = new ArrayList<>(createdTopDown);
        Collections.reverse(bottomUp);
        for (Path p : bottomUp) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static DataException missingFiles(KnownDataset dataset, Path dir, boolean dirExisted, List<String> missing,
                                              Fetcher fetcher, List<String> failures) {
        StringBuilder msg = new StringBuilder();
        if (!dirExisted) {
            msg.append("the ").append(dataset.displayName()).append(" directory ").append(dir).append(" does not exist");
        } else {
            msg.append(dir).append(" lacks ").append(missing.size()).append(" of the 4 ").append(dataset.displayName())
                    .append(" files: ").append(String.join(", ", missing)).append(" (each is looked for as NAME and NAME.gz)");
        }
        msg.append(". ");
        if (fetcher.enabled()) {
            msg.append("Downloading them failed");
            if (!failures.isEmpty()) msg.append(" (").append(String.join("; ", failures)).append(')');
            msg.append(". ");
        } else {
            String reason = fetcher.disabledReason();
            if (!reason.isEmpty()) msg.append(reason).append(' ');
        }
        msg.append("Get the files with: ").append(dataset.fetchScript()).append(' ').append(dir);
        if (!dir.isAbsolute()) msg.append("  (run from the repository root; ").append(dir).append(" is relative to ").append(Path.of("").toAbsolutePath()).append(')');
        return new DataException(msg.toString());
    }
}
