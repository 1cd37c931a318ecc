package dev.toylora.runner.cli;

import dev.toylora.api.Backend;
import dev.toylora.api.Backends;
import dev.toylora.api.Network;
import dev.toylora.api.NetworkSpec;
import dev.toylora.runner.checkpoint.CheckpointException;
import dev.toylora.runner.checkpoint.CheckpointMetadata;
import dev.toylora.runner.checkpoint.Safetensors;
import dev.toylora.runner.data.DataSplit;
import dev.toylora.runner.data.DatasetLoader;
import dev.toylora.runner.results.ComparisonTable;
import dev.toylora.runner.train.ClassAccuracy;
import dev.toylora.runner.train.Evaluator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Inference from checkpoints alone (the original project's {@code --job=inference}): per-class test
 * accuracy of a base and, optionally, of the base with an adapter (or a fully fine-tuned model).
 */
@Command(name = "compare", description = {"Evaluates a base checkpoint and optionally an adapter on the test set, side by side.",
        "Example: compare --base results/lora-r16/checkpoints/base.safetensors --adapter results/lora-r16/checkpoints/adapter.safetensors"})
final class CompareCommand implements Callable<Integer> {
    @Option(names = "--base", required = true, paramLabel = "FILE", description = "the base model (.safetensors)")
    Path base = Path.of("");

    @Option(names = "--adapter", paramLabel = "FILE", description = "a LoRA adapter for that base, or a fully fine-tuned model (.safetensors)")
    @Nullable Path adapter;

    @Option(names = "--data", paramLabel = "DIR", description = "the data set's folder (default: data/<dataset recorded in the base>)")
    @Nullable Path data;

    @Option(names = "--backend", paramLabel = "NAME", description = "engine to evaluate with (default: ${DEFAULT-VALUE})")
    String backendName = "ojalgo";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Safetensors.Checkpoint baseFile = Safetensors.read(base);
        Map<String, String> meta = baseFile.metadata();
        String source = base.toString();
        String dataset = meta.getOrDefault(CheckpointMetadata.DATASET, "mnist");
        double dropout = Double.parseDouble(meta.getOrDefault(CheckpointMetadata.DROPOUT, "0.2"));
        NetworkSpec networkSpec = CheckpointMetadata.networkSpec(baseFile.tensors(), dropout, source);
        List<Integer> oldClasses = CheckpointMetadata.classes(meta, CheckpointMetadata.OLD_CLASSES, source);
        List<Integer> newClasses = CheckpointMetadata.classes(meta, CheckpointMetadata.NEW_CLASSES, source);

        Backend backend = Backends.get(backendName);
        DataSplit split = DatasetLoader.load(dataset, data != null ? data : Path.of("data", dataset));
        Network network = backend.restore(networkSpec, baseFile.tensors());
        ClassAccuracy baseAccuracy = Evaluator.evaluate(network, split.test());

        Optional<ClassAccuracy> adapted = Optional.empty();
        if (adapter != null) {
            Safetensors.Checkpoint adapterFile = Safetensors.read(adapter);
            String kind = adapterFile.metadata().getOrDefault(CheckpointMetadata.KIND, "");
            String belongsTo = adapterFile.metadata().getOrDefault(CheckpointMetadata.BASE_SHA256, "");
            String actual = CheckpointMetadata.weightsSha256(baseFile.tensors());
            if (kind.equals("lora-adapter")) {
                if (!belongsTo.equals(actual)) {
                    throw new CheckpointException(adapter + ": this adapter belongs to a base with weights SHA-256 " + belongsTo
                            + ", but " + base + " has " + actual + "; pass the base it was trained on");
                }
                network.attach(CheckpointMetadata.loraSpec(adapterFile.metadata(), adapter.toString()), 0).load(adapterFile.tensors());
                adapted = Optional.of(Evaluator.evaluate(network, split.test()));
            } else if (kind.equals("full-finetune") || kind.equals("base")) {
                adapted = Optional.of(Evaluator.evaluate(backend.restore(networkSpec, adapterFile.tensors()), split.test()));
            } else {
                throw new CheckpointException(adapter + ": __metadata__." + CheckpointMetadata.KIND + " is '" + kind
                        + "', expected lora-adapter or full-finetune");
            }
        }
        spec.commandLine().getOut().print(ComparisonTable.markdown(baseAccuracy, adapted, oldClasses, newClasses));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
