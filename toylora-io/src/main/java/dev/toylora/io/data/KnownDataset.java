package dev.toylora.io.data;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything fixed about the data sets ToyLoRA knows: file names, the SHA-256 of each file's raw
 * (uncompressed) IDX bytes, the mean and standard deviation used to standardise pixels, class names,
 * public mirrors and the script that fetches the files.
 */
public enum KnownDataset {

    /** LeCun's handwritten digits; mean and std as in the PyTorch MNIST example. */
    MNIST(
            "mnist", "MNIST", 0.1307f, 0.3081f,
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
            new String[] {
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"},
            List.of(
                    URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
                    URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/")),
            "scripts/fetch-mnist.sh"),

    /** Zalando's Fashion-MNIST (checksums computed from Debian's dataset-fashion-mnist package). */
    FASHION_MNIST(
            "fashion-mnist", "Fashion-MNIST", 0.2860f, 0.3530f,
            List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
            new String[] {
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"},
            List.of(URI.create("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/")),
            "scripts/fetch-fashion-mnist.sh");

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    /** The four files in a fixed order: train images, train labels, test images, test labels. */
    public static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    private final String id;
    private final String displayName;
    private final float mean;
    private final float std;
    private final List<String> classNames;
    private final Map<String, String> sha256;
    private final List<URI> mirrors;
    private final String fetchScript;

    KnownDataset(String id, String displayName, float mean, float std, List<String> classNames,
                 String[] sha256InFileOrder, List<URI> mirrors, String fetchScript) {
        this.id = id;
        this.displayName = displayName;
        this.mean = mean;
        this.std = std;
        this.classNames = classNames;
        Map<String, String> hashes = new LinkedHashMap<>();
        for (int i = 0; i < sha256InFileOrder.length; i++) hashes.put(List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS).get(i), sha256InFileOrder[i]); // constants: FILES is not yet set here
        this.sha256 = Collections.unmodifiableMap(hashes);
        this.mirrors = mirrors;
        this.fetchScript = fetchScript;
    }

    /** The name used in experiment files and on the command line: {@code mnist}, {@code fashion-mnist}. */
    public String id() {
        return id;
    }

    public String displayName() {
        return displayName;
    }

    /** Mean of the pixels scaled to [0,1], over the training set. */
    public float mean() {
        return mean;
    }

    /** Standard deviation of the pixels scaled to [0,1], over the training set. */
    public float std() {
        return std;
    }

    /** Ten names, index = label. */
    public List<String> classNames() {
        return classNames;
    }

    public int numClasses() {
        return classNames.size();
    }

    /** File name (without {@code .gz}) to the hex SHA-256 of the raw, uncompressed file, in {@link #FILES} order. */
    public Map<String, String> sha256() {
        return sha256;
    }

    /** The hex SHA-256 of one raw, uncompressed file. */
    public String sha256(String fileName) {
        String hash = sha256.get(fileName);
        if (hash == null) throw new IllegalArgumentException(fileName + " is not a file of " + displayName + "; expected one of " + FILES);
        return hash;
    }

    /** Base URLs under which {@code <file>.gz} can be downloaded. */
    public List<URI> mirrors() {
        return mirrors;
    }

    /** The script, relative to the repository root, that fetches this data set: {@code scripts/fetch-mnist.sh}. */
    public String fetchScript() {
        return fetchScript;
    }

    /** The conventional directory relative to the repository root: {@code data/mnist}. */
    public String defaultDir() {
        return "data/" + id;
    }

    /**
     * Looks a data set up by id, ignoring case and treating {@code _} as {@code -}
     * ({@code "MNIST"}, {@code "fashion_mnist"} work).
     *
     * @throws DataException naming the known ids when there is no such data set
     */
    public static KnownDataset byId(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (KnownDataset d : values()) {
            if (d.id.equals(wanted)) return d;
        }
        List<String> ids = new ArrayList<>();
        for (KnownDataset d : values()) ids.add(d.id);
        throw new DataException("unknown data set '" + id + "'; expected one of " + ids);
    }
}
