package dev.toylora.bench.peers;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Asks an OpenBLAS already loaded in this process which kernel its dynamic dispatch chose ({@code
 * openblas_get_corename}) and how it was built ({@code openblas_get_config}). JavaCPP's OpenBLAS presets map only the
 * BLAS/LAPACK functions, so the library is found in /proc/self/maps and the two functions called through JNA (which
 * opens the same file again and gets the same, already initialised, library). Linux only.
 */
public record LoadedOpenBlas(String path, String core, String config) {

    /** The first loaded library whose file name starts with {@code prefix} (e.g. "libopenblas"), if any. */
    public static Optional<LoadedOpenBlas> find(String prefix) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash < 0) continue;
                String path = line.substring(slash).trim();
                String name = Path.of(path).getFileName().toString();
                if (!name.startsWith(prefix)) continue;
                NativeLibrary library = NativeLibrary.getInstance(path);
                return Optional.of(new LoadedOpenBlas(path, call(library, "openblas_get_corename"), call(library, "openblas_get_config")));
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            Report.log("LoadedOpenBlas: cannot ask the loaded OpenBLAS: " + e);
        }
        return Optional.empty();
    }

    private static String call(NativeLibrary library, String name) {
        Function f = library.getFunction(name);
        String s = (String) f.invoke(String.class, new Object[0]);
        return s == null ? "?" : s.trim();
    }
}
