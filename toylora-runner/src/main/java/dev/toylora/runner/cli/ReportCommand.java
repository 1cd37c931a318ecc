package dev.toylora.runner.cli;

import dev.toylora.io.files.AtomicFiles;
import dev.toylora.runner.results.ResultsTable;
import dev.toylora.runner.results.RetentionTable;
import dev.toylora.runner.sweep.SweepSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Prints the results table from results/*&#47;metrics.json, or writes the tables into Markdown files between their
 * markers: the results table between {@code <!-- results-table:begin -->} and {@code <!-- results-table:end -->}, and
 * every marked sweep table ({@code <!-- sweep-table:../results/rank-sweep -->} … {@code <!-- /sweep-table -->}, the
 * folder relative to the file's own folder), and the retention table ({@code <!-- retention-table -->} …
 * {@code <!-- /retention-table -->}, see {@link RetentionTable}). Each file gets whichever marked blocks it has (README.md
 * the results table, docs/results.md the sweep tables); a file with no marker at all is an error. No table is pasted by
 * hand.
 */
// The first description line is the summary in "runner --help": a whole sentence, the details after it.
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Builds the results table from results/*/metrics.json; with --readme, writes it into Markdown files.",
                "Each --readme FILE (repeat for several) gets whichever marked blocks it has: the results table between",
                "<!-- results-table:begin --> and <!-- results-table:end -->, and the table of every sweep folder it marks",
                "with <!-- sweep-table:FOLDER --> … <!-- /sweep-table --> (FOLDER relative to the file's folder), and the",
                "table of how each method keeps the old classes between <!-- retention-table --> and <!-- /retention-table -->.",
                "Every file is checked before any is written."})
final class ReportCommand implements Callable<Integer> {
    /** The teaching order: the run that works, the run that forgets, then the comparisons. */
    static final List<String> ORDER = List.of("lora-r16", "lora-r16-naive", "full-finetune", "lora-r16-classifier",
            "fashion-lora-r16", "fashion-lora-r16-naive", "lora-r16-openblas");

    @Option(names = "--results", paramLabel = "DIR", description = "results folder (default: ${DEFAULT-VALUE})")
    Path results = Path.of("results");

    @Option(names = "--readme", paramLabel = "FILE",
            description = "rewrite the marked blocks of this Markdown file (results, sweep and retention tables); repeat for several files")
    List<Path> files = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String table = ResultsTable.markdown(ResultsTable.collect(results, ORDER));
        if (files.isEmpty()) {
            spec.commandLine().getOut().print(table);
            return 0;
        }
        // every file read and every block built before anything is written: one bad marker leaves all files as they were
        // the retention table is built once, and only if a file marks it: its runs need not exist otherwise
        Supplier<String> retentionTable = once(() -> RetentionTable.markdown(results));
        Map<Path, Filled> filled = new LinkedHashMap<>();
        for (Path file : files) filled.put(file, fill(read(file), table, retentionTable, file));
        for (Map.Entry<Path, Filled> e : filled.entrySet()) {
            AtomicFiles.write(e.getKey(), e.getValue().text());
            spec.commandLine().getOut().println("updated " + e.getValue().what() + " in " + e.getKey());
        }
        return 0;
    }

    /** A file's text with its marked blocks filled, and which blocks it had. */
    record Filled(String text, boolean resultsTable, long sweepTables, long retentionTables) {
        /** The blocks filled, in words: "the results table, 2 sweep table(s) and the retention table". */
        String what() {
            List<String> parts = new ArrayList<>();
            if (resultsTable) parts.add("the results table");
            if (sweepTables > 0 || (!resultsTable && retentionTables == 0)) parts.add(sweepTables + " sweep table(s)");
            if (retentionTables > 0) parts.add(retentionTables == 1 ? "the retention table" : retentionTables + " retention table(s)");
            String last = parts.remove(parts.size() - 1);
            return parts.isEmpty() ? last : String.join(", ", parts) + " and " + last;
        }
    }

    /**
     * {@code text} (of {@code file}) with the results table, each sweep table and each retention table it marks filled
     * in. {@code retentionTable} is asked for only when the file has a well-formed retention block.
     */
    static Filled fill(String text, String resultsTable, Supplier<String> retentionTable, Path file) {
        boolean hasResults = text.contains(ResultsTable.BEGIN) || text.contains(ResultsTable.END);
        long sweepMarkers = SWEEP_OPEN.matcher(text).results().count() + SWEEP_CLOSE.matcher(text).results().count();
        boolean hasRetention = RetentionTable.marked(text);
        if (!hasResults && sweepMarkers == 0 && !hasRetention) {
            throw new IllegalArgumentException(file + ": no marked block to fill: expected " + ResultsTable.BEGIN + " … "
                    + ResultsTable.END + " around the results table, <!-- sweep-table:FOLDER --> … <!-- /sweep-table --> around a sweep's,"
                    + " or " + RetentionTable.BEGIN + " … " + RetentionTable.END + " around the retention table");
        }
        String filled = hasResults ? ResultsTable.withTable(text, resultsTable, file) : text;
        filled = withSweepTables(filled, file);
        long retentionBlocks = hasRetention ? RetentionTable.blocks(filled, file) : 0;
        if (retentionBlocks > 0) filled = RetentionTable.withTable(filled, retentionTable.get(), file);
        return new Filled(filled, hasResults, SWEEP_BLOCK.matcher(filled).results().count(), retentionBlocks);
    }

    /** {@code build}, called the first time it is needed and remembered. */
    static Supplier<String> once(Supplier<String> build) {
        return new Supplier<>() {
            private @Nullable String value;

            @Override
            public String get() {
                String v = value;
                if (v == null) value = v = build.get();
                return v;
            }
        };
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static final Pattern SWEEP_BLOCK = Pattern.compile("(<!-- sweep-table:(\\S+) -->\n)(.*?)(<!-- /sweep-table -->)", Pattern.DOTALL);
    private static final Pattern SWEEP_OPEN = Pattern.compile("<!-- sweep-table:");
    private static final Pattern SWEEP_CLOSE = Pattern.compile("<!-- /sweep-table -->");

    /** {@code text} with each marked sweep block holding the table of its folder (relative to the file's folder). */
    static String withSweepTables(String text, Path readme) {
        long blocks = SWEEP_BLOCK.matcher(text).results().count();
        long opened = SWEEP_OPEN.matcher(text).results().count(), closed = SWEEP_CLOSE.matcher(text).results().count();
        if (opened != blocks || closed != blocks) {
            throw new IllegalArgumentException(readme + ": " + opened + " sweep-table marker(s) and " + closed
                    + " <!-- /sweep-table --> make " + blocks + " block(s): each <!-- sweep-table:FOLDER --> must end its line"
                    + " and be closed by its own <!-- /sweep-table -->");
        }
        Path base = readme.toAbsolutePath().getParent();
        Matcher m = SWEEP_BLOCK.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Path folder = base.resolve(m.group(2));
            if (!Files.isRegularFile(folder.resolve(SweepSummary.DEFINITION))) {
                throw new IllegalArgumentException(readme + ": the marker <!-- sweep-table:" + m.group(2) + " --> names " + folder
                        + ", which holds no sweep (" + SweepSummary.DEFINITION + " is missing)");
            }
            String table = SweepSummary.markdown(SweepSummary.read(folder));
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + table + m.group(4)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
