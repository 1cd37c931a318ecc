package dev.toylora.swap;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/** Child JVMs running the runner with a chosen class path, and the jars that class path is made of. */
final class Children {
    private Children() {}

    /** What a child printed and how it ended. */
    record Outcome(int exit, String stdout, String stderr) {
        String all() {
            return stdout + stderr;
        }
    }

    static Outcome run(Path workingDirectory, List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.addAll(arguments);
        Path out = Files.createTempFile("child", ".out");
        Path err = Files.createTempFile("child", ".err");
        try {
            Process process = new ProcessBuilder(command).directory(workingDirectory.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            process.getOutputStream().close();
            boolean finished = process.waitFor(5, TimeUnit.MINUTES);
            if (!finished) process.destroyForcibly();
            assertTrue(finished, "the runner finishes within 5 minutes: " + command);
            return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** This test's class path, entry by entry (surefire is told to pass it whole, not through a manifest jar). */
    static List<Path> testClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of).toList();
    }

    /** The class path entries that hold {@code type}. */
    static Path entryOf(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** The runner's main class and everything it needs, the API and whatever engines {@code keep} lets through. */
    static String classPath(Predicate<Path> keep) {
        List<String> entries = new ArrayList<>();
        for (Path entry : testClassPath()) {
            String name = entry.toString();
            if (name.contains("junit") || name.contains("opentest4j") || name.contains("apiguardian") || name.contains("toylora-swap-it")) continue;
            if (keep.test(entry)) entries.add(name);
        }
        return String.join(File.pathSeparator, entries);
    }

    /** A packaged file beside a module's jar (runner.jar, engine-openblas.jar), or the test is skipped until it exists. */
    static Path packagedBeside(Class<?> type, String fileName) throws Exception {
        Path entry = entryOf(type);
        Path folder = Files.isDirectory(entry) ? entry.getParent() : entry.getParent();
        Path file = folder.resolve(fileName);
        Assumptions.assumeTrue(Files.isRegularFile(file), fileName + " is not built yet (expected at " + file + "; run mvn package first)");
        return file;
    }

    /** The repository root: the nearest folder above the working directory holding scripts/fetch-mnist.sh. */
    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/fetch-mnist.sh"))) return p;
        }
        throw new IllegalStateException("no scripts/fetch-mnist.sh above " + Path.of("").toAbsolutePath());
    }

    /** data/mnist, or a failure naming the fetch script (a skip with -Dtoylora.data.optional=true, as the runner's tests do). */
    static Path mnist() {
        Path dir = repositoryRoot().resolve("data/mnist");
        boolean present = Files.isRegularFile(dir.resolve("train-images-idx3-ubyte")) || Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"));
        if (!present) {
            String message = "MNIST is not in " + dir + "; fetch it with scripts/fetch-mnist.sh data/mnist";
            Assumptions.assumeFalse(Boolean.getBoolean("toylora.data.optional") || "1".equals(System.getenv("TOYLORA_DATA_OPTIONAL")), message);
            throw new AssertionError(message);
        }
        return dir;
    }
}
