package dev.toylora.runner.cli;

import dev.toylora.io.files.AtomicFiles;
import dev.toylora.runner.results.ResultsTable;
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
 * folder relative to the file's own folder). Each file gets whichever marked blocks it has (README.md the results
 * table, docs/results.md the sweep tables); a file with no marker at all is an error. No table is pasted by hand.
 */
// The first description line is the summary in "runner --help": a whole sentence, the details after it.
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Builds the results table from results/*/metrics.json; with --readme, writes it into Markdown files.",
                "Each --readme FILE (repeat for several) gets whichever marked blocks it has: the results table between",
                "<!-- results-table:begin --> and <!-- results-table:end -->, and the table of every sweep folder it marks",
                "with <!-- sweep-table:FOLDER --> … <!-- /sweep-table --> (FOLDER relative to the file's folder).",
                "Every file is checked before any is written."})
final class ReportCommand implements Callable<Integer> {
    /** The teaching order: the run that works, the run that forgets, then the comparisons. */
    static final List<String> ORDER = List.of("lora-r16", "lora-r16-naive", "full-finetune", "lora-r16-classifier",
            "fashion-lora-r16", "fashion-lora-r16-naive", "lora-r16-openblas");

    @Option(names = "--results", paramLabel = "DIR", description = "results folder (default: ${DEFAULT-VALUE})")
    Path results = Path.of("results");

    @Option(names = "--readme", paramLabel = "FILE",
            description = "rewrite the marked blocks of this Markdown file (results table, sweep tables); repeat for several files")
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
        Map<Path, Filled> filled = new LinkedHashMap<>();
        for (Path file : files) filled.put(file, fill(read(file), table, file));
        for (Map.Entry<Path, Filled> e : filled.entrySet()) {
            Filled f = e.getValue();
            AtomicFiles.write(e.getKey(), f.text());
            String what = f.resultsTable()
                    ? "the results table" + (f.sweepTables() > 0 ? " and " + f.sweepTables() + " sweep table(s)" : "")
                    : f.sweepTables() + " sweep table(s)";
            spec.commandLine().getOut().println("updated " + what + " in " + e.getKey());
        }
        return 0;
    }

    /** A file's text with its marked blocks filled, and which blocks it had. */
    record Filled(String text, boolean resultsTable, long sweepTables) {}

    /** {@code text} (of {@code file}) with the results table and each sweep table it marks filled in. */
    static Filled fill(String text, String resultsTable, Path file) {
        boolean hasResults = text.contains(ResultsTable.BEGIN) || text.contains(ResultsTable.END);
        long sweepMarkers = SWEEP_OPEN.matcher(text).results().count() + SWEEP_CLOSE.matcher(text).results().count();
        if (!hasResults && sweepMarkers == 0) {
            throw new IllegalArgumentException(file + ": no marked block to fill: expected " + ResultsTable.BEGIN + " … "
                    + ResultsTable.END + " around the results table, or <!-- sweep-table:FOLDER --> … <!-- /sweep-table --> around a sweep's");
        }
        String filled = hasResults ? ResultsTable.withTable(text, resultsTable, file) : text;
        filled = withSweepTables(filled, file);
        return new Filled(filled, hasResults, SWEEP_BLOCK.matcher(filled).results().count());
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
