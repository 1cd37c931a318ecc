package dev.toylora.runner.experiment;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the images come from.
 *
 * @param dataset    {@code mnist} or {@code fashion-mnist} (both 28×28 = 784 inputs, 10 classes)
 * @param dir        directory of the IDX files; a relative path resolves against the current working
 *                   directory of the process (not the experiment file's directory). Default {@code data/<dataset>}.
 * @param validation images held out of the training set (stratified by class, seeded) to choose settings on,
 *                   0..20000; 0 means none
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public record DataConfig(
        @Setting(help = "the images: 28×28 grey, 10 classes", value = "mnist", choices = {"mnist", "fashion-mnist"})
        String dataset,
        @Setting(help = "the folder of the IDX files", derived = "data/<dataset>",
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
