package dev.toylora.runner.pipeline;

import dev.toylora.api.Backend;
import dev.toylora.api.Backends;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.io.data.DataException;
import dev.toylora.io.data.DataSplit;
import dev.toylora.io.data.Dataset;
import dev.toylora.runner.data.ExperimentData;
import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.FinetuneConfig;
import dev.toylora.runner.experiment.ReplaySource;
import dev.toylora.runner.train.ClassAccuracy;
import dev.toylora.runner.train.EpochResult;
import dev.toylora.runner.train.Evaluator;
import dev.toylora.runner.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one experiment: pretrain (or reuse the cached base) → evaluate the base → fine-tune →
 * evaluate the adapted model → write {@code results/<name>/} whole.
 */
public final class ExperimentRunner {
    private static final Logger log = LoggerFactory.getLogger(ExperimentRunner.class);

    private final Path resultsRoot;
    private final PretrainStage pretrain;
    private final FinetuneStage finetune;
    private final TrainingListener listener;
    private final Map<String, DataSplit> loaded = new HashMap<>();

    public ExperimentRunner(Path resultsRoot, PretrainStage pretrain, FinetuneStage finetune, TrainingListener listener) {
        this.resultsRoot = resultsRoot;
        this.pretrain = pretrain;
        this.finetune = finetune;
        this.listener = listener;
    }

    /** The usual wiring: bases cached under {@code <results>/.cache/bases}. */
    public static ExperimentRunner standard(Path resultsRoot, TrainingListener listener) {
        return new ExperimentRunner(resultsRoot, new PretrainStage(new BaseCache(resultsRoot.resolve(".cache").resolve("bases"))),
                new FinetuneStage(), listener);
    }

    public Path resultsRoot() {
        return resultsRoot;
    }

    /** The data set of an experiment, loaded once per runner (a sweep's trials share it). */
    public DataSplit data(Experiment experiment) {
        String key = experiment.data().dataset() + "@" + experiment.data().dir();
        return loaded.computeIfAbsent(key, k -> ExperimentData.load(experiment.data().dataset(), Path.of(experiment.data().dir())));
    }

    public RunResult run(Experiment experiment) {
        return run(experiment, Seeds.derive(experiment.seed(), "finetune"));
    }

    public RunResult run(Experiment experiment, long finetuneSeed) {
        Backend backend = Backends.get(experiment.backend());
        log.info("experiment '{}': backend {} {}", experiment.name(), backend.name(), backend.version());
        DataSplit data = data(experiment);
        requireClasses(experiment, data);
        NetworkSpec spec = experiment.model().toNetworkSpec(data.train().columns(), data.classNames().size());

        ValidationSplit split = ValidationSplit.of(data.train(), experiment.data().validation(), Seeds.derive(experiment.seed(), "validation"));
        Dataset pool = data.train().subset(split.trainRows());
        Optional<Dataset> validation = split.validationRows().length == 0 ? Optional.empty() : Optional.of(data.train().subset(split.validationRows()));
        RunContext context = new RunContext(experiment, backend, spec, data, pool, validation, finetuneSeed, listener);

        PretrainStage.Result base = pretrain.run(context);
        long evalStarted = System.nanoTime();
        ClassAccuracy baseTest = Evaluator.evaluate(base.network(), data.test());
        Optional<ClassAccuracy> baseValidation = validation.map(v -> Evaluator.evaluate(base.network(), v));
        double evaluateSeconds = (System.nanoTime() - evalStarted) / 1e9;
        log.info("base: test accuracy {}% overall, {}% on old classes {}, {}% on new classes {}", pct(baseTest.overall()),
                pct(baseTest.group(context.oldClasses())), context.oldClasses(), pct(baseTest.group(context.newClasses())), context.newClasses());

        List<EpochResult> history = new ArrayList<>(base.history());
        Optional<FinetuneStage.Result> tuned = Optional.empty();
        PretrainStage.Recorded recorded = PretrainStage.Recorded.NOTHING;
        Optional<ClassAccuracy> adaptedTest = Optional.empty();
        Optional<ClassAccuracy> adaptedValidation = Optional.empty();
        if (experiment.finetune().method().finetunes()) {
            FinetuneConfig f = experiment.finetune();
            recorded = pretrain.record(context, base, f.replaySource() == ReplaySource.SYNTHETIC, f.retention().ewc() > 0);
            FinetuneStage.Result result = finetune.run(context, base.network(), recorded);
            tuned = Optional.of(result);
            history.addAll(result.history());
            evalStarted = System.nanoTime();
            Network adapted = result.network();
            adaptedTest = Optional.of(Evaluator.evaluate(adapted, data.test()));
            adaptedValidation = validation.map(v -> Evaluator.evaluate(adapted, v));
            evaluateSeconds += (System.nanoTime() - evalStarted) / 1e9;
            ClassAccuracy a = adaptedTest.get();
            log.info("adapted: test accuracy {}% overall, {}% on old classes, {}% on new classes", pct(a.overall()),
                    pct(a.group(context.oldClasses())), pct(a.group(context.newClasses())));
        }

        Path directory = resultsRoot.resolve(experiment.name());
        RunResult result = new RunResult(experiment.name(), directory, baseTest, adaptedTest, context.oldClasses(), context.newClasses(),
                List.copyOf(history), base.network().parameterCount(), tuned.map(FinetuneStage.Result::trainable).orElse(0L),
                tuned.map(FinetuneStage.Result::added).orElse(0L), base.seconds(), tuned.map(FinetuneStage.Result::seconds).orElse(0.0),
                evaluateSeconds, base.cached(), data.classNames());
        boolean replaced = new ResultsWriter().write(directory, context, result, base, tuned, recorded, baseValidation, adaptedValidation);
        // A folder that was there (another run's results, perhaps committed ones) is gone now: say so, once.
        if (replaced) log.warn("results written to {}, replacing the folder that was there (its earlier files are gone)", directory);
        else log.info("results written to {}", directory);
        return result;
    }

    /** Refuses classes the experiment names that the data set does not have (own data may have fewer than ten). */
    static void requireClasses(Experiment experiment, DataSplit data) {
        List<String> names = data.classNames();
        Map<String, List<Integer>> named = new LinkedHashMap<>();
        named.put("pretrain.classes", experiment.pretrain().classes());
        if (experiment.finetune().method().finetunes()) {
            named.put("finetune.classes", experiment.finetune().classes());
            named.put("finetune.replay-classes", experiment.replayClasses());
        }
        for (Map.Entry<String, List<Integer>> e : named.entrySet()) {
            List<Integer> lacking = e.getValue().stream().filter(c -> c >= names.size()).toList();
            if (!lacking.isEmpty()) {
                List<String> have = new ArrayList<>();
                for (int c = 0; c < names.size(); c++) have.add(c + " " + names.get(c));
                throw new DataException("experiment '" + experiment.name() + "': " + e.getKey() + " " + e.getValue() + " names classes "
                        + lacking + " that the data set lacks: " + experiment.data().dataset() + " in " + experiment.data().dir() + " has "
                        + names.size() + " classes (" + String.join(", ", have) + "); set pretrain.classes and finetune.classes to classes 0.."
                        + (names.size() - 1));
            }
        }
    }

    static String pct(double value) {
        return String.format(java.util.Locale.ROOT, "%.2f", value);
    }
}
