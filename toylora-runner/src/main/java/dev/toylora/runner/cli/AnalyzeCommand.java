package dev.toylora.runner.cli;

import dev.toylora.api.AdapterSet;
import dev.toylora.api.Backend;
import dev.toylora.api.Backends;
import dev.toylora.api.LoraSpec;
import dev.toylora.api.Tensor;
import dev.toylora.runner.analysis.AdapterInput;
import dev.toylora.runner.analysis.AnalysisFiles;
import dev.toylora.runner.analysis.AnalysisReport;
import dev.toylora.runner.analysis.AnalysisResult;
import dev.toylora.runner.analysis.AnalysisResult.Pair;
import dev.toylora.runner.analysis.Analyzer;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.io.data.DataSplit;
import dev.toylora.io.data.DatasetLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The LoRA paper's analysis of the low-rank updates (§7) on one base, its full fine-tune and adapters of it, written to
 * a folder (see {@link AnalysisFiles}) and, with {@code --readme}, into a Markdown file's marked section (docs/analysis.md).
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, description = {
        "Measures why low rank works (the LoRA paper's section 7).",
        "On a base, its full fine-tune and LoRA adapters of it: the spectrum of the full update,",
        "subspace similarity between adapters (phi), how each update relates to W",
        "(Table 7), and the full update cut to rank r against LoRA trained at r.",
        "Example: analyze --base results/full-finetune/checkpoints/base.safetensors",
        "  --full results/full-finetune/checkpoints/finetuned.safetensors",
        "  --adapter r8=results/rank-sweep/rank=8/checkpoints/adapter.safetensors",
        "  --adapter r64=results/rank-sweep/rank=64/checkpoints/adapter.safetensors",
        "  --similarity r8:r64 --out results/analysis --readme docs/analysis.md"})
final class AnalyzeCommand implements Callable<Integer> {
    @Option(names = "--base", required = true, paramLabel = "FILE", description = "the base model (.safetensors)")
    Path base = Path.of("");

    @Option(names = "--full", required = true, paramLabel = "FILE", description = "the fully fine-tuned model of that base (.safetensors)")
    Path full = Path.of("");

    @Option(names = "--adapter", required = true, paramLabel = "NAME=FILE",
            description = "a LoRA adapter of that base, named (letters, digits, . _ -); repeat for each")
    List<String> adapterSpecs = new ArrayList<>();

    @Option(names = "--similarity", paramLabel = "NAME:NAME", description = "two adapters whose A matrices to compare (φ); repeat for each pair")
    List<String> pairSpecs = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "the analysis folder, replaced whole (default: ${DEFAULT-VALUE})")
    Path out = Path.of("results", "analysis");

    @Option(names = "--readme", paramLabel = "FILE", description = "rewrite this file's section between " + AnalysisReport.BEGIN + " and " + AnalysisReport.END)
    @Nullable Path readme;

    @Option(names = "--data", paramLabel = "DIR", description = "the data set's folder (default: data/<dataset recorded in the base>)")
    @Nullable Path data;

    @Option(names = "--backend", paramLabel = "NAME", description = "engine to evaluate with (default: ${DEFAULT-VALUE})")
    String backendName = "ojalgo";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        // Every argument and file is checked before anything is computed, and nothing is written before all is computed.
        List<AdaptersCommand.AdapterArg> adapterArgs = AdaptersCommand.parseAdapters(adapterSpecs);
        List<String> names = adapterArgs.stream().map(AdaptersCommand.AdapterArg::name).toList();
        List<Pair> pairs = new ArrayList<>();
        for (String text : pairSpecs) pairs.add(parsePair(text, names));
        if (readme != null) AnalysisReport.requireMarkers(AnalysisReport.readText(readme), readme);
        AnalysisFiles.checkReplaceable(out);

        ModelFiles.Base baseFile = ModelFiles.readBase(base);
        Map<String, Tensor> fullTensors = readFull(full, baseFile);
        Backend backend = Backends.get(backendName);
        AdapterSet check = new AdapterSet(baseFile.restore(backend));
        List<AdapterInput> adapters = new ArrayList<>();
        for (AdaptersCommand.AdapterArg arg : adapterArgs) {
            Safetensors.Checkpoint file = ModelFiles.readAdapter(arg.file(), baseFile);
            LoraSpec lora = CheckpointMetadata.loraSpec(file.metadata(), arg.file().toString());
            try {
                check.add(arg.name(), lora, file.tensors()); // every tensor there, of its shape, finite
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(arg.file() + ": " + e.getMessage());
            }
            adapters.add(new AdapterInput(arg.name(), arg.file().toString(), file.metadata().getOrDefault("toylora.experiment", ""), lora, file.tensors()));
        }
        for (Pair pair : pairs) requireCommonLayer(pair, adapters);
        DataSplit split = DatasetLoader.load(baseFile.dataset(), data != null ? data : Path.of("data", baseFile.dataset()));

        PrintWriter printed = spec.commandLine().getOut();
        printed.println("analysing " + baseFile.spec().layerNames() + " of " + base + " with " + adapters.size() + " adapter(s)…");
        printed.flush();
        Analyzer analyzer = new Analyzer(baseFile.spec(), baseFile.checkpoint().tensors(), fullTensors, adapters, pairs);
        var layers = analyzer.layers();
        var accuracy = analyzer.accuracy(backend, split.test(), baseFile.oldClasses(), baseFile.newClasses());
        List<AnalysisResult.Source> sources = adapters.stream().map(a -> new AnalysisResult.Source(a.name(), a.file(), a.experiment(), a.rank(),
                a.spec().alpha(), a.spec().scaling(), a.spec().targets())).toList();
        AnalysisResult result = new AnalysisResult(AnalysisResult.SCHEMA, new AnalysisResult.Sources(backend.name(), backend.version(), baseFile.dataset(),
                base.toString(), baseFile.weightsSha256(), full.toString(), sources, pairs), layers, accuracy);

        AnalysisFiles.write(out, result);
        printed.println("wrote " + out + " (" + AnalysisFiles.JSON + ", " + AnalysisFiles.REPORT + ", CSV tables, PNG and SVG charts)");
        if (readme != null) {
            AnalysisReport.updateReadme(readme, out);
            printed.println("updated the analysis section in " + readme);
        }
        printed.flush();
        return 0;
    }

    /** {@code NAME:NAME}, both names of given adapters. */
    static Pair parsePair(String text, List<String> names) {
        String[] parts = text.split(":", -1);
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank() || parts[0].equals(parts[1])) {
            throw new IllegalArgumentException("--similarity '" + text + "': expected NAME:NAME naming two different adapters, e.g. --similarity r8:r64");
        }
        for (String name : parts) {
            if (!names.contains(name)) throw new IllegalArgumentException("--similarity '" + text + "': no adapter named '" + name + "'; the --adapter names are " + names);
        }
        return new Pair(parts[0], parts[1]);
    }

    /** φ compares two adapters' A on a layer both adapt: a pair without one has nothing to compare. */
    static void requireCommonLayer(Pair pair, List<AdapterInput> adapters) {
        AdapterInput first = adapters.stream().filter(a -> a.name().equals(pair.first())).findFirst().orElseThrow();
        AdapterInput second = adapters.stream().filter(a -> a.name().equals(pair.second())).findFirst().orElseThrow();
        if (first.spec().targets().stream().noneMatch(second::adapts)) {
            throw new IllegalArgumentException("--similarity " + pair + ": " + first.file() + " adapts " + first.spec().targets() + " and " + second.file()
                    + " adapts " + second.spec().targets() + "; φ needs a layer both adapt");
        }
    }

    /** The full fine-tune's tensors: a whole model recorded as fine-tuned from this base, with the base's tensors and shapes. */
    static Map<String, Tensor> readFull(Path file, ModelFiles.Base base) {
        Safetensors.Checkpoint checkpoint = Safetensors.read(file);
        String kind = checkpoint.metadata().getOrDefault(CheckpointMetadata.KIND, "");
        if (!kind.equals("full-finetune")) {
            throw new CheckpointException(file + ": __metadata__." + CheckpointMetadata.KIND + " is '" + kind + "', expected full-finetune"
                    + (kind.equals("lora-adapter") ? " (a LoRA adapter goes with --adapter NAME=FILE)" : ""));
        }
        String belongsTo = checkpoint.metadata().getOrDefault(CheckpointMetadata.BASE_SHA256, "");
        if (!belongsTo.equals(base.weightsSha256())) {
            throw new CheckpointException(file + ": this fine-tune started from a base with weights SHA-256 " + (belongsTo.isEmpty() ? "(not recorded)" : belongsTo)
                    + ", but " + base.file() + " has " + base.weightsSha256() + "; pass the base it was trained from");
        }
        Map<String, Tensor> expected = base.checkpoint().tensors();
        for (var e : expected.entrySet()) {
            Tensor t = checkpoint.tensors().get(e.getKey());
            if (t == null || !Arrays.equals(t.shape(), e.getValue().shape())) {
                throw new CheckpointException(file + ": expected tensor " + e.getKey() + " of shape " + Arrays.toString(e.getValue().shape()) + " as in " + base.file()
                        + ", found " + (t == null ? "none" : Arrays.toString(t.shape())));
            }
        }
        if (!checkpoint.tensors().keySet().equals(expected.keySet())) {
            throw new CheckpointException(file + ": expected exactly the tensors of " + base.file() + " " + expected.keySet() + ", found " + checkpoint.tensors().keySet());
        }
        return checkpoint.tensors();
    }
}
