package dev.toylora.io.data;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds the real data sets for tests tagged {@code mnist}: {@code data/<id>} under the repository root,
 * found by walking up from the working directory to the folder holding {@code scripts/fetch-mnist.sh}.
 *
 * <p>By default a missing data set fails the test, with the command that fetches it. With
 * {@code -Dtoylora.data.optional=true} or {@code TOYLORA_DATA_OPTIONAL=1} it skips the test instead.
 */
public final class RealData {

    public static final String OPTIONAL_PROPERTY = "toylora.data.optional";
    public static final String OPTIONAL_ENV = "TOYLORA_DATA_OPTIONAL";

    private RealData() {}

    /** The repository root: the nearest ancestor of the working directory holding {@code scripts/fetch-mnist.sh}. */
    public static Path repoRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/fetch-mnist.sh"))) return p;
        }
        throw new IllegalStateException("no scripts/fetch-mnist.sh in " + start + " or any folder above it");
    }

    /**
     * The directory of a data set with all four files present (raw or .gz); if one is missing, fails the
     * test naming the fetch script, or skips it when data is declared optional.
     */
    public static Path require(KnownDataset dataset) {
        Path root = repoRoot();
        Path dir = root.resolve(dataset.defaultDir());
        StringBuilder missing = new StringBuilder();
        for (String name : KnownDataset.FILES) {
            if (!Files.isRegularFile(dir.resolve(name)) && !Files.isRegularFile(dir.resolve(name + ".gz"))) {
                missing.append(' ').append(name);
            }
        }
        if (missing.length() > 0) {
            String message = dataset.displayName() + " is not in " + dataset.defaultDir() + " (missing:" + missing
                    + "). Fetch it from the repository root with: " + dataset.fetchScript() + " " + dataset.defaultDir();
            if (optional()) Assumptions.abort(message + " (skipped: " + OPTIONAL_PROPERTY + " / " + OPTIONAL_ENV + " set)");
            fail(message + " (or set -D" + OPTIONAL_PROPERTY + "=true / " + OPTIONAL_ENV + "=1 to skip tests needing it)");
        }
        return dir;
    }

    /** Whether missing real data should skip tests rather than fail them. */
    public static boolean optional() {
        return isTrue(System.getProperty(OPTIONAL_PROPERTY)) || isTrue(System.getenv(OPTIONAL_ENV));
    }

    private static boolean isTrue(String value) {
        if (value == null) return false;
        String v = value.trim().toLowerCase(Locale.ROOT);
        return v.equals("1") || v.equals("true") || v.equals("yes");
    }
}
