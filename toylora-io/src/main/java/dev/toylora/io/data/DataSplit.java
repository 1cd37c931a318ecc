package dev.toylora.io.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A data set's training and test split, loaded and verified, and how its pixels were standardised.
 *
 * @param dataset the data set's id: {@code mnist}, {@code fashion-mnist} (see {@link KnownDataset#byId}), or for data of
 *                one's own {@link Datasets#IDX} or {@link Datasets#IMAGE_FOLDER}
 * @param train   the training split (60,000 rows for MNIST)
 * @param test    the test split (10,000 rows for MNIST)
 * @param sha256  what identifies the files, in a fixed order; unmodifiable. For IDX files, file name without
 *                {@code .gz} (e.g. {@code train-images-idx3-ubyte}) to the hex SHA-256 of the file's <em>uncompressed</em>
 *                bytes: for a raw file the hash of the file on disk, for a {@code .gz} file the hash of what it
 *                decompresses to, so the value is the same whichever form was on disk and matches
 *                {@link KnownDataset#sha256()}. For an image folder, {@code train} and {@code test} to a hash of every
 *                image's path and bytes.
 * @param mean    the mean of the training pixels scaled to [0, 1] that standardised both splits
 * @param std     their standard deviation
 */
public record DataSplit(String dataset, Dataset train, Dataset test, Map<String, String> sha256, float mean, float std) {

    public DataSplit {
        sha256 = Collections.unmodifiableMap(new LinkedHashMap<>(sha256));
        if (!train.classNames().equals(test.classNames())) {
            throw new IllegalArgumentException(dataset + ": the training split's classes " + train.classNames()
                    + " differ from the test split's " + test.classNames());
        }
    }

    /** A known data set's split, standardised with its published mean and std. */
    public DataSplit(String dataset, Dataset train, Dataset test, Map<String, String> sha256) {
        this(dataset, train, test, sha256, KnownDataset.byId(dataset).mean(), KnownDataset.byId(dataset).std());
    }

    /** Mean, std, class names and the rest of what is fixed about a known data set. */
    public KnownDataset known() {
        return KnownDataset.byId(dataset);
    }

    /** The name of each class, index = label. */
    public List<String> classNames() {
        return train.classNames();
    }
}
