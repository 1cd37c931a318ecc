package dev.toylora.runner.data;

import dev.toylora.io.data.DataException;
import dev.toylora.io.data.DataSplit;
import dev.toylora.io.data.Datasets;
import dev.toylora.io.data.KnownDataset;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The data an experiment's {@code data.dataset} and {@code data.dir} name: a known data set (its missing files
 * downloaded, see {@link Downloader}), IDX files of one's own under MNIST's file names, or a folder of images per class.
 */
public final class ExperimentData {
    private ExperimentData() {}

    /** Loads {@code dataset} ({@code mnist}, {@code fashion-mnist}, {@code idx} or {@code image-folder}) from {@code dir}. */
    public static DataSplit load(String dataset, Path dir) {
        return switch (dataset) {
            case Datasets.IDX -> {
                if (!Files.isDirectory(dir)) {
                    throw new DataException(dir + (Files.exists(dir) ? " is a file" : " does not exist") + "; expected a folder holding four IDX"
                            + " files under MNIST's names: " + String.join(", ", KnownDataset.FILES) + " (each raw or .gz)");
                }
                yield Datasets.idx(find(dir, KnownDataset.TRAIN_IMAGES), find(dir, KnownDataset.TRAIN_LABELS),
                        find(dir, KnownDataset.TEST_IMAGES), find(dir, KnownDataset.TEST_LABELS));
            }
            case Datasets.IMAGE_FOLDER -> Datasets.imageFolder(dir);
            default -> Downloader.load(dataset, dir);
        };
    }

    /** {@code dir/name}, or {@code dir/name.gz} when only that exists. */
    private static Path find(Path dir, String name) {
        Path raw = dir.resolve(name), gz = dir.resolve(name + ".gz");
        return !Files.exists(raw) && Files.exists(gz) ? gz : raw;
    }
}
