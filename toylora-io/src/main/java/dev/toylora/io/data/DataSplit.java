package dev.toylora.io.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The four IDX files of one data set, loaded and verified.
 *
 * @param dataset the data set's id ({@code mnist}, {@code fashion-mnist}), see {@link KnownDataset#byId}
 * @param train   the training split (60,000 rows for MNIST)
 * @param test    the test split (10,000 rows for MNIST)
 * @param sha256  file name without {@code .gz} (e.g. {@code train-images-idx3-ubyte}) to the hex SHA-256
 *                of the file's <em>uncompressed</em> IDX bytes: for a raw file the hash of the file on
 *                disk, for a {@code .gz} file the hash of what it decompresses to. So the value is the
 *                same whichever form was on disk, and matches {@link KnownDataset#sha256()}. Iterates in
 *                {@link KnownDataset#FILES} order; unmodifiable.
 */
public record DataSplit(String dataset, Dataset train, Dataset test, Map<String, String> sha256) {

    public DataSplit {
        sha256 = Collections.unmodifiableMap(new LinkedHashMap<>(sha256));
    }

    /** Mean, std, class names and the rest of what is fixed about this data set. */
    public KnownDataset known() {
        return KnownDataset.byId(dataset);
    }
}
