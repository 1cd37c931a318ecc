package dev.toylora.runner.cli;

import dev.toylora.api.Backend;
import dev.toylora.api.Network;
import dev.toylora.io.data.DataSplit;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.runner.data.ExperimentData;
import dev.toylora.runner.experiment.Engines;
import dev.toylora.runner.results.ComparisonTable;
import dev.toylora.runner.train.ClassAccuracy;
import dev.toylora.runner.train.Evaluator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Inference from checkpoints alone (the original project's {@code --job=inference}): per-class test
 * accuracy of a base and, optionally, of the base with an adapter (or a fully fine-tuned model).
 */
@Command(name = "compare", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = {"Evaluates a base checkpoint and optionally an adapter on the test set, side by side.",
        "Example: compare --base results/lora-r16/checkpoints/base.safetensors --adapter results/lora-r16/checkpoints/adapter.safetensors"})
final class CompareCommand implements Callable<Integer> {
    @Option(names = "--base", required = true, paramLabel = "FILE", description = "the base model (.safetensors)")
    Path base = Path.of("");

    @Option(names = "--adapter", paramLabel = "FILE|DIR", description = "a LoRA adapter for that base (.safetensors, or a PEFT directory), or a fully fine-tuned model (.safetensors)")
    @Nullable Path adapter;

    @Option(names = "--data", paramLabel = "DIR", description = "the data set's folder (default: the one recorded in the base, else data/<dataset>)")
    @Nullable Path data;

    @Option(names = "--backend", paramLabel = "NAME", description = "engine to evaluate with (default: the available engine of the highest rank)")
    @Nullable String backendName;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ModelFiles.Base baseFile = ModelFiles.readBase(base);
        Backend backend = Engines.named(backendName, "no --backend given");
        DataSplit split = ExperimentData.load(baseFile.dataset(), baseFile.dataDir(data));
        Network network = baseFile.restore(backend);
        ClassAccuracy baseAccuracy = Evaluator.evaluate(network, split.test());

        Optional<ClassAccuracy> adapted = Optional.empty();
        if (adapter != null) {
            // a whole model (fully fine-tuned, or exported merged) is evaluated as it is; a PEFT directory is an adapter
            Safetensors.Checkpoint whole = Files.isDirectory(adapter) ? null : Safetensors.read(adapter);
            String kind = whole == null ? "" : whole.metadata().getOrDefault(CheckpointMetadata.KIND, "");
            if (whole != null && (kind.equals("full-finetune") || kind.equals("base"))) {
                adapted = Optional.of(Evaluator.evaluate(backend.restore(baseFile.spec(), whole.tensors()), split.test()));
            } else {
                ModelFiles.attach(network, ModelFiles.readAdapter(adapter, baseFile), adapter);
                adapted = Optional.of(Evaluator.evaluate(network, split.test()));
            }
        }
        spec.commandLine().getOut().print(ComparisonTable.markdown(baseAccuracy, adapted, baseFile.oldClasses(), baseFile.newClasses(),
                baseFile.classNames()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
