package dev.toylora.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds {@link Backend}s on the classpath through {@link ServiceLoader} and chooses one: by name, or the
 * best available by {@link Backend#rank()}.
 */
public final class Backends {
    /** Highest {@link Backend#rank()} first, then by name. */
    public static final Comparator<Backend> PREFERRED =
            Comparator.comparingInt(Backend::rank).reversed().thenComparing(Backend::name);

    private Backends() {}

    /** Every backend on the class path of {@code loader}, usable or not, sorted by name. */
    public static List<Backend> all(ClassLoader loader) {
        List<Backend> found = new ArrayList<>();
        var iterator = ServiceLoader.load(Backend.class, loader).iterator();
        while (true) {
            try {
                if (!iterator.hasNext()) break;
                found.add(iterator.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                // A broken engine jar (or one missing a dependency: NoClassDefFoundError) must not hide the working ones.
                System.getLogger(Backends.class.getName()).log(System.Logger.Level.WARNING,
                        "skipping a backend that could not be loaded: " + e.getMessage());
            }
        }
        found.sort(Comparator.comparing(Backend::name));
        return List.copyOf(found);
    }

    public static List<Backend> all() {
        return all(Thread.currentThread().getContextClassLoader());
    }

    /** The usable backend called {@code name}; otherwise an error that lists what there is. */
    public static Backend get(String name, ClassLoader loader) {
        List<Backend> all = all(loader);
        for (Backend backend : all) {
            if (backend.name().equals(name)) {
                if (!backend.available()) {
                    throw new IllegalArgumentException("backend '" + name + "' is on the classpath but cannot run here: "
                            + backend.unavailableReason());
                }
                return backend;
            }
        }
        String names = all.stream().map(b -> b.available() ? b.name() : b.name() + " (unavailable)").collect(Collectors.joining(", "));
        throw new IllegalArgumentException("no backend named '" + name + "'; "
                + (all.isEmpty() ? "none is on the classpath" : "available: " + names) + ". " + howToAdd(name));
    }

    /** The fix, not just the fault: where an engine's jar goes (engine jars are named engine-NAME.jar). */
    static String howToAdd(String name) {
        String jar = name.matches("[a-z0-9][a-z0-9-]*") ? "engine-" + name + ".jar" : "the engine's jar";
        return "To add it, put " + jar + " on the class path, or, for runner.jar, into a plugins/ folder beside runner.jar"
                + " (or the folder --plugins names); see docs/engines.md";
    }

    public static Backend get(String name) {
        return get(name, Thread.currentThread().getContextClassLoader());
    }

    /**
     * The available backend of the highest {@link Backend#rank()} on the class path of {@code loader}; of equal
     * ranks, the first by name, so the choice does not depend on the order of jars.
     *
     * @throws IllegalStateException when none is available, saying what there is and how to add one
     */
    public static Backend best(ClassLoader loader) {
        return best(all(loader));
    }

    public static Backend best() {
        return best(Thread.currentThread().getContextClassLoader());
    }

    /** {@link #best(ClassLoader)} among {@code candidates}. */
    public static Backend best(List<Backend> candidates) {
        return candidates.stream().filter(Backend::available).min(PREFERRED).orElseThrow(() -> new IllegalStateException(
                (candidates.isEmpty() ? "no engine is on the classpath"
                        : "no engine on the classpath can run here: " + candidates.stream()
                        .map(b -> b.name() + " (" + b.unavailableReason() + ")").collect(Collectors.joining(", ")))
                        + "; add one: put toylora-engine-ojalgo (pure Java, runs anywhere) on the class path, or an engine jar"
                        + " such as engine-openblas.jar into the plugins folder"));
    }
}
