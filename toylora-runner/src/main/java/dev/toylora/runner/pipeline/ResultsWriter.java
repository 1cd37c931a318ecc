package dev.toylora.runner.pipeline;

import dev.toylora.io.files.AtomicFiles;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.ReplaySource;
import dev.toylora.runner.retention.SyntheticPicture;
import dev.toylora.io.data.Dataset;
import dev.toylora.runner.experiment.ExperimentParser;
import dev.toylora.runner.experiment.FinetuneMethod;
import dev.toylora.runner.io.Csv;
import dev.toylora.runner.io.Json;
import dev.toylora.runner.results.ComparisonTable;
import dev.toylora.runner.results.Metrics;
import dev.toylora.runner.train.ClassAccuracy;
import dev.toylora.runner.train.EpochResult;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Writes {@code results/<name>/}: metrics.json, per_class.csv, history.csv, comparison.md,
 * experiment.yaml (the resolved configuration) and checkpoints/. Everything is written into a
 * staging folder first and published by one rename: the folder is complete or absent.
 */
public final class ResultsWriter {
    /** The retention block: only when fine-tuning used synthetic replay, distillation, LwF or EWC. */
    private static Metrics.@Nullable Retention retention(Experiment experiment, Optional<FinetuneStage.Result> tuned, PretrainStage.Recorded recorded) {
        var f = experiment.finetune();
        if (tuned.isEmpty() || (f.replaySource() == ReplaySource.IMAGES && f.retention().off())) return null;
        var synthetic = tuned.get().synthetic();
        long peak = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getPeakUsage() != null) peak += pool.getPeakUsage().getUsed();
        }
        return new Metrics.Retention(f.replaySource().key(), recorded.bytes(), round(recorded.seconds()),
                synthetic != null ? synthetic.images() : null, synthetic != null ? round(synthetic.seconds()) : null,
                synthetic != null ? round(100 * synthetic.baseAgreement()) : null, synthetic != null ? synthetic.bytes() : null,
                synthetic != null ? synthetic.cached() : null, peak);
    }

    /** FLOPs of one training sample through the MLP: forward, weight gradients, and input gradients except the first layer's. */
    public static long trainingFlopsPerSample(dev.toylora.api.NetworkSpec spec) {
        long flops = 0;
        boolean first = true;
        for (var layer : spec.layerShapes()) {
            long macs = (long) layer.inputs() * layer.outputs();
            flops += 2 * macs + 2 * macs + (first ? 0 : 2 * macs);
            first = false;
        }
        return flops;
    }

    /** @return whether {@code directory} was there before and has been replaced */
    public boolean write(Path directory, RunContext context, RunResult result, PretrainStage.Result base,
                      Optional<FinetuneStage.Result> tuned, PretrainStage.Recorded recorded, Optional<ClassAccuracy> baseValidation,
                      Optional<ClassAccuracy> adaptedValidation) {
        Path staged = AtomicFiles.stage(directory);
        try {
            Experiment experiment = context.experiment();
            AtomicFiles.write(staged.resolve("per_class.csv"), perClassCsv(result));
            AtomicFiles.write(staged.resolve("history.csv"), historyCsv(result.history()));
            AtomicFiles.write(staged.resolve("comparison.md"), comparison(result));
            AtomicFiles.write(staged.resolve("experiment.yaml"), ExperimentParser.toYaml(experiment));
            Dataset synthetic = tuned.map(FinetuneStage.Result::syntheticImages).orElse(null);
            if (synthetic != null) {
                // what the base remembers of each old class, to look at: the first 12 synthetic images of each
                AtomicFiles.write(staged.resolve("synthetic.png"), SyntheticPicture.png(synthetic, result.oldClasses(), 12, 2,
                        context.data().mean(), context.data().std()));
            }
            Map<String, String> provenance = new TreeMap<>();
            provenance.put("toylora.experiment", experiment.name());
            provenance.put("toylora.backend", context.backend().name());
            provenance.put("toylora.base-key", base.cacheKey());
            provenance.put(CheckpointMetadata.DATASET, experiment.data().dataset());
            provenance.put(CheckpointMetadata.OLD_CLASSES, CheckpointMetadata.classes(result.oldClasses()));
            provenance.put(CheckpointMetadata.NEW_CLASSES, CheckpointMetadata.classes(result.newClasses()));
            provenance.put(CheckpointMetadata.DROPOUT, String.valueOf(experiment.model().dropout()));
            // what predict and compare need to read and standardise inputs as this run did, whatever the data set
            provenance.put(CheckpointMetadata.CLASS_NAMES, CheckpointMetadata.classNames(context.data().classNames()));
            provenance.put(CheckpointMetadata.DATA_MEAN, Float.toString(context.data().mean()));
            provenance.put(CheckpointMetadata.DATA_STD, Float.toString(context.data().std()));
            provenance.put(CheckpointMetadata.DATA_DIR, experiment.data().dir());
            provenance.put(CheckpointMetadata.BASE_SHA256, CheckpointMetadata.weightsSha256(base.weights()));
            // A sweep's trials share their base: it is kept once per sweep, not once per trial.
            String baseLocation = "checkpoints/base.safetensors";
            if (experiment.name().contains("/")) {
                Path shared = directory.getParent().resolve("bases").resolve("base-" + base.cacheKey() + ".safetensors");
                if (!java.nio.file.Files.isRegularFile(shared)) Safetensors.write(shared, base.weights(), withKind(provenance, "base"));
                baseLocation = "../bases/" + shared.getFileName();
            } else {
                Safetensors.write(staged.resolve(baseLocation), base.weights(), withKind(provenance, "base"));
            }
            Metrics.Checkpoints checkpoints = new Metrics.Checkpoints(baseLocation, null, null);
            if (tuned.isPresent()) {
                boolean lora = experiment.finetune().method() == FinetuneMethod.LORA;
                Map<String, String> meta = withKind(provenance, lora ? "lora-adapter" : "full-finetune");
                if (lora) meta.putAll(CheckpointMetadata.lora(experiment.finetune().lora().toLoraSpec()));
                String file = "checkpoints/" + (lora ? "adapter.safetensors" : "finetuned.safetensors");
                Safetensors.write(staged.resolve(file), tuned.get().checkpoint(), meta);
                checkpoints = new Metrics.Checkpoints(baseLocation, lora ? file : null, lora ? null : file);
            }
            Metrics metrics = metrics(context, result, base, tuned, recorded, baseValidation, adaptedValidation, checkpoints);
            AtomicFiles.write(staged.resolve("metrics.json"), Json.pretty(metrics));
            return AtomicFiles.publish(staged, directory);
        } catch (RuntimeException e) {
            AtomicFiles.deleteTree(staged);
            throw e;
        }
    }

    /** The comparison table of a run, as printed and as saved in comparison.md. */
    public static String comparison(RunResult result) {
        return ComparisonTable.markdown(result.base(), result.adapted(), result.oldClasses(), result.newClasses(), result.classNames());
    }

    private static Map<String, String> withKind(Map<String, String> provenance, String kind) {
        Map<String, String> meta = new TreeMap<>(provenance);
        meta.put("toylora.kind", kind);
        return meta;
    }

    Metrics metrics(RunContext context, RunResult result, PretrainStage.Result base, Optional<FinetuneStage.Result> tuned,
                    PretrainStage.Recorded recorded,
                    Optional<ClassAccuracy> baseValidation, Optional<ClassAccuracy> adaptedValidation, Metrics.Checkpoints checkpoints) {
        Experiment experiment = context.experiment();
        List<Integer> old = result.oldClasses();
        List<Integer> fresh = result.newClasses();
        long total = result.baseParameters() + result.addedParameters();
        var parameters = new Metrics.Parameters(result.baseParameters(), result.trainableParameters(), total,
                round(100.0 * result.trainableParameters() / total));
        Metrics.Change change = result.adapted().map(a -> new Metrics.Change(round(a.overall() - result.base().overall()),
                round(a.group(old) - result.baseOld()), round(a.group(fresh) - result.baseNew()))).orElse(null);
        Metrics.Validation validation = baseValidation.map(v -> new Metrics.Validation(v.examples(), Metrics.accuracy(v, old, fresh),
                adaptedValidation.map(a -> Metrics.accuracy(a, old, fresh)).orElse(null))).orElse(null);
        long flopsPerSample = trainingFlopsPerSample(context.networkSpec());
        Double gflops = null;
        if (!result.baseCached() && result.pretrainSeconds() > 0) {
            double trainSeconds = result.history().stream().filter(h -> h.stage().equals("pretrain")).mapToDouble(EpochResult::seconds).sum();
            double flops = (double) flopsPerSample * base.trainingSamples() * experiment.pretrain().epochs();
            gflops = round(flops / trainSeconds / 1e9);
        }
        var training = new Metrics.Training(result.baseCached(), base.trainingSamples(),
                tuned.map(FinetuneStage.Result::newSamples).orElse(null), tuned.map(FinetuneStage.Result::replaySamples).orElse(null),
                flopsPerSample, gflops);
        Metrics.Retention retention = retention(experiment, tuned, recorded);
        var data = new Metrics.Data(experiment.data().dataset(), context.data().train().rows(), context.data().test().rows(),
                experiment.data().validation(), new TreeMap<>(context.data().sha256()), Double.parseDouble(Float.toString(context.data().mean())),
                Double.parseDouble(Float.toString(context.data().std())), context.data().classNames());
        var environment = new Metrics.Environment(versionOf(ResultsWriter.class),
                System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(),
                Instant.now().toString());
        return new Metrics(Metrics.SCHEMA, experiment.name(), context.backend().name(), context.backend().version(), experiment.seed(),
                context.finetuneSeed(), experiment.finetune().method(), parameters, Metrics.accuracy(result.base(), old, fresh),
                result.adapted().map(a -> Metrics.accuracy(a, old, fresh)).orElse(null), change, validation,
                new Metrics.Classes(old, fresh), new Metrics.Seconds(round(result.pretrainSeconds()), round(result.finetuneSeconds()),
                round(result.evaluateSeconds())), training, retention, data, environment, CpuInfo.current(), experiment, checkpoints);
    }

    /** One row per class; a {@code name} column when the classes have names other than their numbers (MNIST's have none). */
    static String perClassCsv(RunResult result) {
        ClassAccuracy base = result.base();
        boolean named = ComparisonTable.named(result.classNames());
        List<List<String>> rows = new ArrayList<>();
        for (int c = 0; c < base.classes(); c++) {
            int label = c;
            String group = result.oldClasses().contains(c) ? "old" : result.newClasses().contains(c) ? "new" : "other";
            double before = base.of(c);
            String adapted = result.adapted().map(a -> fmt(a.of(label))).orElse("");
            String change = result.adapted().map(a -> fmt(a.of(label) - before)).orElse("");
            List<String> row = new ArrayList<>(List.of(String.valueOf(c), group, String.valueOf(base.total()[c]), fmt(before), adapted, change));
            if (named) row.add(1, result.classNames().get(c));
            rows.add(row);
        }
        List<String> header = new ArrayList<>(List.of("class", "group", "test_images", "base", "adapted", "change"));
        if (named) header.add(1, "name");
        return Csv.write(header, rows);
    }

    static String historyCsv(List<EpochResult> history) {
        List<List<String>> rows = new ArrayList<>();
        for (EpochResult h : history) {
            rows.add(List.of(h.stage(), String.valueOf(h.epoch()), String.format(Locale.ROOT, "%.6g", h.learningRate()),
                    String.format(Locale.ROOT, "%.6f", h.loss()), h.evaluatedOn(), fmt(h.overall()), fmt(h.old()), fmt(h.fresh()),
                    fmt(h.seconds()), String.format(Locale.ROOT, "%.0f", h.samplesPerSecond())));
        }
        return Csv.write(List.of("stage", "epoch", "learning_rate", "loss", "evaluated_on", "overall", "old", "new", "seconds",
                "images_per_second"), rows);
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static double round(double v) {
        return Metrics.round(v);
    }

    static String versionOf(Class<?> type) {
        String v = type.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

}
