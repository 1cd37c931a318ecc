package dev.toylora.runner.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Engine jars loaded from a folder: {@code --plugins DIR}, or else {@code plugins/} beside runner.jar when there is one.
 * The runner makes a class loader over the folder's jars (its own classes first, so engines share its API) and sets it
 * as the thread's context class loader while a command runs: {@code Backends.get(name)} and {@code Backends.all()}
 * find engines through that loader, so every stage that resolves {@code backend:} sees the plugins.
 */
final class Plugins {
    private Plugins() {}

    /** The folder named by {@code --plugins}, else {@code plugins/} beside the jar Main was loaded from, if it exists. */
    static Optional<Path> folder(@Nullable Path option) {
        if (option != null) {
            if (!Files.isDirectory(option)) throw new IllegalArgumentException("plugins folder " + option + " is not a directory");
            return Optional.of(option);
        }
        Path jar = ownJar();
        if (jar == null) return Optional.empty();
        Path beside = jar.resolveSibling("plugins");
        return Files.isDirectory(beside) ? Optional.of(beside) : Optional.empty();
    }

    /** The jars in {@code folder}, by name. */
    static List<Path> jars(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the plugins folder " + folder, e);
        }
    }

    /** A class loader over the jars of {@code folder} whose parent is {@code parent}, or {@code parent} when there are none. */
    static ClassLoader loader(Optional<Path> folder, ClassLoader parent) {
        if (folder.isEmpty()) return parent;
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars(folder.get())) {
            try {
                urls.add(jar.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("cannot load plugin " + jar + ": " + e.getMessage(), e);
            }
        }
        // Never closed: engines' classes (and native libraries) stay loaded for the life of the process.
        return urls.isEmpty() ? parent : new URLClassLoader("toylora-plugins", urls.toArray(URL[]::new), parent);
    }

    /** Runs {@code action} with the plugins' loader as the context class loader, then puts the previous one back. */
    static <T> T run(@Nullable Path option, Callable<T> action) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        ClassLoader parent = Plugins.class.getClassLoader();
        thread.setContextClassLoader(loader(folder(option), parent == null ? previous : parent));
        try {
            return action.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static @Nullable Path ownJar() {
        CodeSource source = Plugins.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) return null;
        try {
            Path location = Path.of(source.getLocation().toURI());
            return location.getFileName() != null && location.getFileName().toString().endsWith(".jar") ? location : null;
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }
}
