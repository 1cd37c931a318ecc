package dev.toylora.runner.cli;

import dev.toylora.io.files.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * What Ctrl-C (SIGINT) or SIGTERM during a run does, as a JVM shutdown hook: stops all writing of results
 * ({@link AtomicFiles#shutDown()}: a folder being published finishes first, nothing starts after), deletes the
 * staging folders and temporary files of this process, and prints one line per results folder this run
 * finished, so the user knows what was kept and that nothing partial was written. {@code kill -9} runs no hook;
 * what it leaves aside is hidden from readers and removed by the next run ({@link AtomicFiles#removeStale}).
 */
final class InterruptHook {
    private final PrintWriter err;
    private final int publishedBefore;
    private final Thread thread;

    private InterruptHook(PrintWriter err) {
        this.err = err;
        this.publishedBefore = AtomicFiles.published().size();
        this.thread = new Thread(this::report, "toylora-interrupted");
    }

    /** Installs the hook for the run that starts now; {@link #remove()} it when the run ends by itself. */
    static InterruptHook install(PrintWriter err) {
        InterruptHook hook = new InterruptHook(err);
        Runtime.getRuntime().addShutdownHook(hook.thread);
        return hook;
    }

    /** The run ended (finished or failed) by itself: nothing to report at exit. */
    void remove() {
        try {
            Runtime.getRuntime().removeShutdownHook(thread);
        } catch (IllegalStateException e) {
            // the JVM is shutting down already: the hook runs (or ran)
        }
    }

    private void report() {
        List<Path> removed = AtomicFiles.shutDown();
        List<Path> all = AtomicFiles.published();
        List<Path> kept = all.subList(Math.min(publishedBefore, all.size()), all.size());
        err.println();
        err.println("interrupted: stopped; nothing partial was written (a results folder is published whole or not at all)"
                + (removed.isEmpty() ? "" : ", " + removed.size() + " unfinished staging " + (removed.size() == 1 ? "entry" : "entries")
                + " removed"));
        if (kept.isEmpty()) {
            err.println("no results folder was finished in this run");
        } else {
            err.println("kept " + kept.size() + " results folder" + (kept.size() == 1 ? "" : "s") + " finished in this run:");
            for (Path p : kept) err.println("  kept: " + p);
        }
        err.println("run the same command again to go on: finished sweep trials are skipped and a pretrained base is taken from the cache");
        err.flush();
    }
}
