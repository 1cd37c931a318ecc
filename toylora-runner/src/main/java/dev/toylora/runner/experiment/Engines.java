package dev.toylora.runner.experiment;

import dev.toylora.api.Backend;
import dev.toylora.api.Backends;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which engine runs: the one named, or else the available one of the highest {@link Backend#rank()}, as DJL picks
 * its default engine; a choice made for the user is said in the log, with the alternatives.
 */
public final class Engines {
    private static final Logger log = LoggerFactory.getLogger(Engines.class);

    private Engines() {}

    /**
     * The engine called {@code name}; when null, the best available one, logged.
     *
     * @param why what named no engine, for the log line (e.g. "no --backend given")
     * @throws IllegalArgumentException for a name that is not there or cannot run
     * @throws IllegalStateException when no engine can run at all
     */
    public static Backend named(@Nullable String name, String why) {
        if (name != null) return Backends.get(name);
        List<Backend> all = Backends.all();
        Backend best = Backends.best(all);
        log.info("{}", choice(best, all, why));
        return best;
    }

    /**
     * The best engine for an experiment that names none, looked up at most once per file read; its line is logged only
     * once the file is known to be right, so a file with mistakes, or one that names its engine, logs nothing.
     */
    static final class ForFile implements Supplier<String> {
        private @Nullable String line;
        private @Nullable String name;
        private final String source;

        ForFile(String source) {
            this.source = source;
        }

        /** @throws IllegalStateException when no engine can run, saying how to add one */
        @Override
        public String get() {
            if (name == null) {
                List<Backend> all = Backends.all();
                Backend best = Backends.best(all);
                name = best.name();
                line = choice(best, all, source + " names no backend");
            }
            return name;
        }

        void logIfChosen() {
            if (line != null) log.info("{}", line);
        }
    }

    /** The log line of a choice: {@code engine: openblas (rank 100; also available: ojalgo) — <why>}. */
    static String choice(Backend chosen, List<Backend> all, String why) {
        String others = all.stream().filter(b -> b != chosen && b.available()).sorted(Backends.PREFERRED)
                .map(b -> b.name() + " (rank " + b.rank() + ")").collect(Collectors.joining(", "));
        String unavailable = all.stream().filter(b -> !b.available()).map(Backend::name).collect(Collectors.joining(", "));
        return "engine: " + chosen.name() + " (rank " + chosen.rank() + "; "
                + (others.isEmpty() ? "the only one available" : "also available: " + others)
                + (unavailable.isEmpty() ? "" : "; cannot run here: " + unavailable) + ") — " + why;
    }
}
