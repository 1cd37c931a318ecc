package dev.toylora.runner.cli;

import dev.toylora.runner.results.ResultsTable;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Prints the results table from results/*&#47;metrics.json, or writes it into the README between its markers. */
@Command(name = "report", description = "Builds the results table from results/*/metrics.json (and with --readme, writes it into README.md).")
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
            ResultsTable.updateReadme(readme, table);
            spec.commandLine().getOut().println("updated the results table in " + readme);
        } else {
            spec.commandLine().getOut().print(table);
        }
        return 0;
    }
}
