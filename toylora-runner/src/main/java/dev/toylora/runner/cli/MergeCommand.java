package dev.toylora.runner.cli;

import dev.toylora.runner.sweep.SweepSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code runner merge results/<name>}: rebuilds a sweep's sweep.csv, sweep.json and chart from every trial folder
 * under it — after the shards of a job array have each written theirs.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Rebuilds a sweep's table and chart from all its trial folders, e.g. after the shards of a job array.",
        "Writes sweep.csv, sweep.json, sweep.png and sweep.svg. Exit code 1 when some trials have no result yet.",
        "Example: merge results/rank-sweep"})
final class MergeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", arity = "1..*", description = "a sweep's results folder, results/<name>")
    List<Path> dirs = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int incomplete = 0;
        for (Path dir : dirs) {
            SweepSummary.Table table = SweepSummary.merge(dir);
            out.println(table.sweep().name() + ": " + table.rows().size() + " of " + table.trials().size() + " trials → "
                    + dir.resolve(SweepSummary.CSV));
            out.print(SweepSummary.markdown(table));
            out.flush();
            for (String stale : table.stale()) err.println("warning: " + dir + ": folder " + stale + " is not counted");
            if (!table.complete()) {
                err.println(dir + ": " + table.missing().size() + " trial(s) without a result: " + String.join(", ", table.missing()));
                incomplete++;
            }
        }
        return incomplete == 0 ? 0 : 1;
    }
}
