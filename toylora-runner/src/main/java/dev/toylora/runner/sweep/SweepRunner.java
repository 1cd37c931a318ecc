package dev.toylora.runner.sweep;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.api.Backends;
import dev.toylora.io.files.AtomicFiles;
import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.SweepGrid;
import dev.toylora.runner.experiment.Trial;
import dev.toylora.runner.io.Json;
import dev.toylora.runner.pipeline.ExperimentRunner;
import dev.toylora.runner.pipeline.RunResult;
import dev.toylora.runner.train.DivergenceException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the trials of a sweep, one after another, through an {@link ExperimentRunner}: each trial's experiment
 * (named {@code <name>/<label>}) with its own fine-tuning seed, into {@code results/<name>/<label>/}. All trials
 * share one pretrained base through the runner's base cache.
 *
 * <p>Resuming: a trial whose folder already holds its result (see {@link TrialFolder}) is skipped. A trial's
 * folder is published whole by the runner, so stopping the sweep at any moment loses at most the trial in
 * progress. After every trial, and at the end, the table and chart are rebuilt from the folders on disk
 * ({@link SweepSummary}), so they never list a trial twice or one that is not there.
 *
 * <p>Sharding: with a {@link Shard} other than {@link Shard#ALL} only the trials of that shard run; the shards
 * write disjoint trial folders into the same layout, and {@link SweepSummary#merge(Path)} joins them.
 */
public final class SweepRunner {
    private static final Logger log = LoggerFactory.getLogger("dev.toylora.progress");

    private final ExperimentRunner runner;

    public SweepRunner(ExperimentRunner runner) {
        this.runner = runner;
    }

    /**
     * What one call did.
     *
     * @param ran     the trials run now, in index order, with their results
     * @param skipped trials of this shard already finished before
     * @param failed  trials of this shard whose training diverged (label → message); they have no folder
     * @param table   the sweep's table after this run (all shards' finished trials)
     */
    public record Result(Experiment sweep, Shard shard, Path directory, Map<Trial, RunResult> ran, List<Trial> skipped,
                         Map<Trial, String> failed, SweepSummary.Table table) {}

    /** Runs the whole sweep. */
    public Result run(Experiment sweep) {
        return run(sweep, Shard.ALL);
    }

    /**
     * Runs the trials of {@code shard} that are not finished yet.
     *
     * @throws IllegalArgumentException when the experiment has no sweep
     * @throws RuntimeException         whatever a trial throws other than divergence: the sweep stops there (the
     *                                  finished trials stay, and the table is rewritten first)
     */
    public Result run(Experiment sweep, Shard shard) {
        if (sweep.sweep().isEmpty()) throw new IllegalArgumentException(sweep.name() + " has no sweep: block");
        List<Trial> trials = SweepGrid.trials(sweep);
        Path dir = runner.resultsRoot().resolve(sweep.name());
        SweepSummary.writeDefinition(dir, sweep);

        // What a finished trial must have been run with, besides its config: the same data and engine version.
        Function<Trial, TrialFolder.Expectation> expected = trial -> new TrialFolder.Expectation(
                runner.data(trial.experiment()).sha256(), Backends.get(trial.experiment().backend()).version());
        List<Trial> mine = trials.stream().filter(t -> shard.includes(t.index())).toList();
        List<Trial> skipped = new ArrayList<>();
        List<Trial> pending = new ArrayList<>();
        for (Trial trial : mine) {
            TrialFolder.Outcome outcome = TrialFolder.read(dir, trial, expected.apply(trial));
            if (outcome.finished() != null) {
                skipped.add(trial);
            } else {
                if (outcome.stale() != null) log.info("trial {} ({}) will run again: {}", trial.index() + 1, trial.label(), outcome.stale());
                pending.add(trial);
            }
        }
        log.info("sweep '{}': {} trial{}{}; {} finished already, {} to run", sweep.name(), trials.size(), trials.size() == 1 ? "" : "s",
                shard.isAll() ? "" : ", " + mine.size() + " in shard " + shard, skipped.size(), pending.size());

        Map<Trial, RunResult> ran = new LinkedHashMap<>();
        Map<Trial, String> failed = new LinkedHashMap<>();
        double secondsSoFar = 0;
        int done = 0;
        boolean completed = false;
        try {
            for (Trial trial : pending) {
                String eta = done == 0 ? "" : ", about " + duration(secondsSoFar / done * (pending.size() - done)) + " left";
                log.info("trial {} of {}: {} ({} of {} to run{}{})", trial.index() + 1, trials.size(), describe(trial), done + 1,
                        pending.size(), shard.isAll() ? "" : " in shard " + shard, eta);
                long started = System.nanoTime();
                try {
                    RunResult result = runner.run(trial.experiment(), trial.seed());
                    double wall = (System.nanoTime() - started) / 1e9;
                    writeTrialRecord(dir, trial, shard, wall, result.baseCached());
                    ran.put(trial, result);
                    log.info("trial {} of {} done in {}", trial.index() + 1, trials.size(), duration(wall));
                } catch (DivergenceException e) {
                    failed.put(trial, e.getMessage());
                    log.error("trial {} of {} ({}) diverged: {}; going on with the others", trial.index() + 1, trials.size(),
                            trial.label(), e.getMessage());
                }
                done++;
                if (done < pending.size()) SweepSummary.rebuild(dir, sweep, expected);   // the last one is rebuilt below
                secondsSoFar += (System.nanoTime() - started) / 1e9;
            }
            completed = true;
        } finally {
            if (!completed) {
                try {
                    SweepSummary.rebuild(dir, sweep, expected);
                } catch (RuntimeException e) {
                    log.warn("could not rewrite the sweep's table after the failure: {}", e.toString());
                }
            }
        }
        SweepSummary.Table table = SweepSummary.rebuild(dir, sweep, expected);
        for (String stale : table.stale()) log.warn("sweep '{}': folder {} is not counted", sweep.name(), stale);
        log.info("sweep '{}': {} of {} trials finished{}; table in {}", sweep.name(), table.rows().size(), trials.size(),
                table.complete() ? "" : " (missing: " + String.join(", ", table.missing()) + ")", dir.resolve(SweepSummary.CSV));
        return new Result(sweep, shard, dir, ran, List.copyOf(skipped), failed, table);
    }

    /** {@code rank=4} style, from the trial's values. */
    static String describe(Trial trial) {
        return trial.values().entrySet().stream()
                .map(e -> e.getKey() + "=" + SweepSummary.render(e.getValue()))
                .collect(Collectors.joining(", "));
    }

    private static void writeTrialRecord(Path dir, Trial trial, Shard shard, double wallSeconds, boolean baseCached) {
        ObjectNode record = Json.MAPPER.createObjectNode();
        record.put("schema", "toylora.trial/1");
        record.put("index", trial.index());
        record.put("trial", trial.label());
        record.set("values", Json.MAPPER.valueToTree(trial.values()));
        record.put("finetune_seed", trial.seed());
        record.put("wall_seconds", Math.round(wallSeconds * 100.0) / 100.0);
        record.put("base_cached", baseCached);
        record.put("shard", shard.toString());
        AtomicFiles.write(TrialFolder.dir(dir, trial).resolve(TrialFolder.TRIAL), Json.pretty(record));
    }

    static String duration(double seconds) {
        Duration d = Duration.ofMillis(Math.round(seconds * 1000));
        if (d.toHours() > 0) return String.format(Locale.ROOT, "%dh%02dm", d.toHours(), d.toMinutesPart());
        if (d.toMinutes() > 0) return String.format(Locale.ROOT, "%dm%02ds", d.toMinutes(), d.toSecondsPart());
        return String.format(Locale.ROOT, "%.1fs", seconds);
    }
}
