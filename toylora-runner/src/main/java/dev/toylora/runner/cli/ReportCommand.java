package dev.toylora.runner.cli;

import dev.toylora.io.files.AtomicFiles;
import dev.toylora.runner.results.ResultsTable;
import dev.toylora.runner.sweep.SweepSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Prints the results table from results/*&#47;metrics.json, or writes it into the README between its markers, together
 * with every sweep table the README marks ({@code <!-- sweep-table:results/rank-sweep -->} … {@code <!-- /sweep-table -->},
 * the folder relative to the README): no table in the README is pasted by hand.
 */
// The first description line is the summary in "runner --help": a whole sentence, the details after it.
@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Builds the results table from results/*/metrics.json; with --readme, writes it into a README.",
                "It also fills in the table of every sweep folder the README marks with <!-- sweep-table:FOLDER --> … <!-- /sweep-table -->."})
final class ReportCommand implements Callable<Integer> {
    /** The teaching order: the run that works, the run that forgets, then the comparisons. */
    static final List<String> ORDER = List.of("lora-r16", "lora-r16-naive", "full-finetune", "lora-r16-classifier",
            "fashion-lora-r16", "fashion-lora-r16-naive", "lora-r16-openblas");

    @Option(names = "--results", paramLabel = "DIR", description = "results folder (default: ${DEFAULT-VALUE})")
    Path results = Path.of("results");

    @Option(names = "--readme", paramLabel = "FILE", description = "rewrite the table between the results-table markers of this file")
    @Nullable Path readme;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String table = ResultsTable.markdown(ResultsTable.collect(results, ORDER));
        if (readme != null) {
            String text;
            try {
                text = Files.readString(readme, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + readme + ": " + e.getMessage(), e);
            }
            String updated = withSweepTables(ResultsTable.withTable(text, table, readme), readme);
            AtomicFiles.write(readme, updated);
            long sweepTables = SWEEP_BLOCK.matcher(updated).results().count();
            spec.commandLine().getOut().println("updated the results table" + (sweepTables > 0 ? " and " + sweepTables + " sweep table(s)" : "") + " in " + readme);
        } else {
            spec.commandLine().getOut().print(table);
        }
        return 0;
    }

    static final Pattern SWEEP_BLOCK = Pattern.compile("(<!-- sweep-table:(\\S+) -->\n)(.*?)(<!-- /sweep-table -->)", Pattern.DOTALL);

    /** {@code text} with each marked sweep block holding the table of its folder (relative to the README's folder). */
    static String withSweepTables(String text, Path readme) {
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
