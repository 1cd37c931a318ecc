package dev.toylora.runner.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.runner.checkpoint.CheckpointMetadata;
import dev.toylora.runner.checkpoint.Safetensors;
import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.ExperimentParser;
import dev.toylora.runner.pipeline.FinetuneStage;
import dev.toylora.runner.pipeline.PretrainStage;
import dev.toylora.runner.pipeline.RunContext;
import dev.toylora.runner.pipeline.RunResult;
import dev.toylora.runner.train.ClassAccuracy;
import dev.toylora.runner.train.EpochResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes {@code results/<name>/}: metrics.json, per_class.csv, history.csv, comparison.md,
 * experiment.yaml (the resolved configuration) and checkpoints/. Everything is written into a
 * staging folder first and published by one rename: the folder is complete or absent.
 */
public final class ResultsWriter {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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

    public void write(Path directory, RunContext context, RunResult result, PretrainStage.Result base,
                      Optional<FinetuneStage.Result> tuned, Optional<ClassAccuracy> baseValidation,
                      Optional<ClassAccuracy> adaptedValidation) {
        Path staged = AtomicFiles.stage(directory);
        try {
            Experiment experiment = context.experiment();
            ObjectNode metrics = metrics(context, result, base, tuned, baseValidation, adaptedValidation);
            AtomicFiles.write(staged.resolve("per_class.csv"), perClassCsv(result));
            AtomicFiles.write(staged.resolve("history.csv"), historyCsv(result.history()));
            AtomicFiles.write(staged.resolve("comparison.md"), ComparisonTable.markdown(result));
            AtomicFiles.write(staged.resolve("experiment.yaml"), ExperimentParser.toYaml(experiment));
            Map<String, String> provenance = new TreeMap<>();
            provenance.put("toylora.experiment", experiment.name());
            provenance.put("toylora.backend", context.backend().name());
            provenance.put("toylora.base-key", base.cacheKey());
            provenance.put(CheckpointMetadata.DATASET, experiment.data().dataset());
            provenance.put(CheckpointMetadata.OLD_CLASSES, CheckpointMetadata.classes(result.oldClasses()));
            provenance.put(CheckpointMetadata.NEW_CLASSES, CheckpointMetadata.classes(result.newClasses()));
            provenance.put(CheckpointMetadata.DROPOUT, String.valueOf(experiment.model().dropout()));
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
            metrics.putObject("checkpoints").put("base", baseLocation);
            if (tuned.isPresent()) {
                boolean lora = experiment.finetune().method().equals("lora");
                Map<String, String> meta = withKind(provenance, lora ? "lora-adapter" : "full-finetune");
                if (lora) meta.putAll(CheckpointMetadata.lora(experiment.finetune().lora().toLoraSpec()));
                String file = lora ? "adapter.safetensors" : "finetuned.safetensors";
                Safetensors.write(staged.resolve("checkpoints").resolve(file), tuned.get().checkpoint(), meta);
                ((ObjectNode) metrics.get("checkpoints")).put(lora ? "adapter" : "finetuned", "checkpoints/" + file);
            }
            AtomicFiles.write(staged.resolve("metrics.json"), JSON.writeValueAsString(metrics) + "\n");
            AtomicFiles.publish(staged, directory);
        } catch (IOException e) {
            AtomicFiles.deleteTree(staged);
            throw new UncheckedIOException("cannot write results to " + directory + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            AtomicFiles.deleteTree(staged);
            throw e;
        }
    }

    private static Map<String, String> withKind(Map<String, String> provenance, String kind) {
        Map<String, String> meta = new TreeMap<>(provenance);
        meta.put("toylora.kind", kind);
        return meta;
    }

    ObjectNode metrics(RunContext context, RunResult result, PretrainStage.Result base, Optional<FinetuneStage.Result> tuned,
                       Optional<ClassAccuracy> baseValidation, Optional<ClassAccuracy> adaptedValidation) {
        Experiment experiment = context.experiment();
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", "toylora.metrics/1");
        root.put("name", experiment.name());
        root.put("backend", context.backend().name());
        root.put("backend_version", context.backend().version());
        root.put("seed", experiment.seed());
        root.put("finetune_seed", context.finetuneSeed());
        root.put("method", experiment.finetune().method());
        ObjectNode parameters = root.putObject("parameters");
        parameters.put("base", result.baseParameters());
        parameters.put("trainable", result.trainableParameters());
        parameters.put("total", result.baseParameters() + result.addedParameters());
        parameters.put("trainable_percent_of_total", round(100.0 * result.trainableParameters() / (result.baseParameters() + result.addedParameters())));
        root.set("base", accuracy(result.base(), result));
        result.adapted().ifPresent(a -> root.set("adapted", accuracy(a, result)));
        result.adapted().ifPresent(a -> {
            ObjectNode change = root.putObject("change");
            change.put("overall", round(a.overall() - result.base().overall()));
            change.put("old", round(a.group(result.oldClasses()) - result.baseOld()));
            change.put("new", round(a.group(result.newClasses()) - result.baseNew()));
        });
        if (baseValidation.isPresent()) {
            ObjectNode validation = root.putObject("validation");
            validation.put("images", baseValidation.get().examples());
            validation.set("base", accuracy(baseValidation.get(), result));
            adaptedValidation.ifPresent(a -> validation.set("adapted", accuracy(a, result)));
        }
        ObjectNode classes = root.putObject("classes");
        classes.set("old", JSON.valueToTree(result.oldClasses()));
        classes.set("new", JSON.valueToTree(result.newClasses()));
        ObjectNode seconds = root.putObject("seconds");
        seconds.put("pretrain", round(result.pretrainSeconds()));
        seconds.put("finetune", round(result.finetuneSeconds()));
        seconds.put("evaluate", round(result.evaluateSeconds()));
        ObjectNode training = root.putObject("training");
        training.put("base_cached", result.baseCached());
        training.put("pretrain_images", base.trainingSamples());
        tuned.ifPresent(t -> {
            training.put("finetune_new_images", t.newSamples());
            training.put("finetune_replayed_images", t.replaySamples());
        });
        long flopsPerSample = trainingFlopsPerSample(context.networkSpec());
        training.put("training_flops_per_image", flopsPerSample);
        if (!result.baseCached() && result.pretrainSeconds() > 0) {
            double trainSeconds = result.history().stream().filter(h -> h.stage().equals("pretrain")).mapToDouble(EpochResult::seconds).sum();
            double flops = (double) flopsPerSample * base.trainingSamples() * experiment.pretrain().epochs();
            training.put("pretrain_gflops_per_second", round(flops / trainSeconds / 1e9));
        }
        ObjectNode data = root.putObject("data");
        data.put("dataset", experiment.data().dataset());
        data.put("train_images", context.data().train().rows());
        data.put("test_images", context.data().test().rows());
        data.put("validation_images", experiment.data().validation());
        data.set("sha256", JSON.valueToTree(new TreeMap<>(context.data().sha256())));
        ObjectNode environment = root.putObject("environment");
        environment.put("toylora", versionOf(ResultsWriter.class));
        environment.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        environment.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        environment.put("processors", Runtime.getRuntime().availableProcessors());
        environment.put("created", Instant.now().toString());
        root.set("config", ExperimentParser.toJsonNode(experiment));
        return root;
    }

    private static ObjectNode accuracy(ClassAccuracy accuracy, RunResult result) {
        ObjectNode node = JSON.createObjectNode();
        node.put("overall", round(accuracy.overall()));
        node.put("old", round(accuracy.group(result.oldClasses())));
        node.put("new", round(accuracy.group(result.newClasses())));
        ArrayNode perClass = node.putArray("per_class");
        for (double v : accuracy.perClass()) perClass.add(round(v));
        ArrayNode correct = node.putArray("correct");
        for (int v : accuracy.correct()) correct.add(v);
        ArrayNode total = node.putArray("total");
        for (int v : accuracy.total()) total.add(v);
        return node;
    }

    static String perClassCsv(RunResult result) {
        StringBuilder out = new StringBuilder("class,group,test_images,base,adapted,change\n");
        ClassAccuracy base = result.base();
        for (int c = 0; c < base.classes(); c++) {
            String group = result.oldClasses().contains(c) ? "old" : result.newClasses().contains(c) ? "new" : "other";
            out.append(c).append(',').append(group).append(',').append(base.total()[c]).append(',').append(fmt(base.of(c)));
            if (result.adapted().isPresent()) {
                double adapted = result.adapted().get().of(c);
                out.append(',').append(fmt(adapted)).append(',').append(fmt(adapted - base.of(c)));
            } else {
                out.append(",,");
            }
            out.append('\n');
        }
        return out.toString();
    }

    static String historyCsv(List<EpochResult> history) {
        StringBuilder out = new StringBuilder("stage,epoch,learning_rate,loss,evaluated_on,overall,old,new,seconds,images_per_second\n");
        for (EpochResult h : history) {
            out.append(h.stage()).append(',').append(h.epoch()).append(',').append(String.format(Locale.ROOT, "%.6g", h.learningRate()))
                    .append(',').append(String.format(Locale.ROOT, "%.6f", h.loss())).append(',').append(h.evaluatedOn())
                    .append(',').append(fmt(h.overall())).append(',').append(fmt(h.old())).append(',').append(fmt(h.fresh()))
                    .append(',').append(fmt(h.seconds())).append(',').append(String.format(Locale.ROOT, "%.0f", h.samplesPerSecond())).append('\n');
        }
        return out.toString();
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2f", v);
    }

    static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 100.0) / 100.0 : v;
    }

    static String versionOf(Class<?> type) {
        String v = type.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

}
