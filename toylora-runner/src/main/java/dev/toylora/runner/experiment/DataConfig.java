package dev.toylora.runner.experiment;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the images come from.
 *
 * @param dataset    {@code mnist} or {@code fashion-mnist} (both 28×28 = 784 inputs, 10 classes, verified by checksum);
 *                   {@code idx}: IDX files of one's own, under MNIST's file names; {@code image-folder}: a folder of
 *                   images per class. Own data is standardised with its training split's mean and std.
 * @param dir        directory of the IDX files (for {@code image-folder}: the folder holding {@code train/} and
 *                   {@code test/}, one folder per class in each); a relative path resolves against the current working
 *                   directory of the process (not the experiment file's directory). Default {@code data/<dataset>}.
 * @param validation images held out of the training set (stratified by class, seeded) to choose settings on,
 *                   0..20000; 0 means none
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public record DataConfig(
        @Setting(help = "the images: mnist and fashion-mnist (checked by SHA-256), or your own: idx (four IDX files under MNIST's"
                + " names in data.dir) or image-folder (data.dir/train/<class>/*.png and data.dir/test/<class>/*)", value = "mnist",
                choices = {"mnist", "fashion-mnist", "idx", "image-folder"})
        String dataset,
        @Setting(help = "the folder of the IDX files (image-folder: of train/ and test/)", derived = "data/<dataset>",
                expected = "a directory path (relative paths resolve against the working directory)")
        String dir,
        @Setting(help = "training images held out (stratified, seeded) to choose settings on; 0 = none", value = "0",
                min = 0, max = MAX_VALIDATION)
        int validation) {

    public static final int MAX_VALIDATION = 20_000;

    public DataConfig {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(dir, "dir");
    }

    /** {@code data/<dataset>}, the default {@link #dir()}. */
    public static String defaultDir(String dataset) {
        return "data/" + dataset;
    }

    /** {@link #dir()} as a path; relative paths stay relative, i.e. to the current working directory. */
    public Path path() {
        return Path.of(dir);
    }
}
