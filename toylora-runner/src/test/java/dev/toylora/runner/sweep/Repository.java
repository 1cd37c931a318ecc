package dev.toylora.runner.sweep;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root (the folder holding experiments/) and its MNIST copy. */
final class Repository {
    private Repository() {}

    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("experiments"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("cannot find the repository root (a folder holding experiments/)");
        return dir;
    }

    /** data/mnist, failing with the fix when it is missing. */
    static Path mnist() {
        Path data = root().resolve("data/mnist");
        if (!Files.isRegularFile(data.resolve("train-images-idx3-ubyte")) && !Files.isRegularFile(data.resolve("train-images-idx3-ubyte.gz"))) {
            throw new IllegalStateException("MNIST is missing from " + data + "; run scripts/fetch-mnist.sh first");
        }
        return data;
    }
}
