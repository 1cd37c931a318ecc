package dev.toylora.runner.cli;

import dev.toylora.api.AdapterSet.Combination;
import dev.toylora.api.AdapterSet;
import dev.toylora.api.Backend;
import dev.toylora.api.Network;
import dev.toylora.io.data.DataSplit;
import dev.toylora.io.files.AtomicFiles;
import dev.toylora.io.safetensors.CheckpointException;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.runner.data.ExperimentData;
import dev.toylora.runner.experiment.Engines;
import dev.toylora.runner.io.Csv;
import dev.toylora.runner.io.MarkdownTable;
import dev.toylora.runner.results.ComparisonTable;
import dev.toylora.runner.train.ClassAccuracy;
import dev.toylora.runner.train.Evaluator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Several adapters on one base ({@link AdapterSet}) from checkpoint files: per-class test accuracy of the base, of
 * each adapter alone and of weighted combinations of them (PEFT's add_weighted_adapter, "cat" and "linear").
 */
@Command(name = "adapters", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = {"Evaluates a base, several LoRA adapters of it alone, and weighted combinations of them, on the test set.",
        "Example: adapters --base results/lora-r16/checkpoints/base.safetensors --adapter eight=results/lora-r16-eight/checkpoints/adapter.safetensors",
        "         --adapter nine=results/lora-r16-nine/checkpoints/adapter.safetensors --combine eight=1,nine=1 --mode cat,linear --out results/adapters-8-and-9"})
final class AdaptersCommand implements Callable<Integer> {
    static final String MARKDOWN = "adapters.md";
    static final String CSV = "adapters.csv";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    @Option(names = "--base", required = true, paramLabel = "FILE", description = "the base model (.safetensors)")
    Path base = Path.of("");

    @Option(names = "--adapter", required = true, paramLabel = "NAME=FILE",
            description = "a LoRA adapter of that base (.safetensors, or a PEFT directory), named (letters, digits, . _ -); repeat for each")
    List<String> adapterSpecs = new ArrayList<>();

    @Option(names = "--combine", paramLabel = "NAME=W,NAME=W…", description = "a weighted combination of named adapters; repeat for each")
    List<String> combineSpecs = new ArrayList<>();

    @Option(names = "--mode", split = ",", paramLabel = "cat|linear", converter = ModeConverter.class,
            description = "how --combine combines (PEFT's combination_type); several, comma-separated, evaluate each (default: cat)")
    List<Combination> modes = new ArrayList<>(List.of(Combination.CAT));

    @Option(names = "--data", paramLabel = "DIR", description = "the data set's folder (default: the one recorded in the base, else data/<dataset>)")
    @Nullable Path data;

    @Option(names = "--backend", paramLabel = "NAME", description = "engine to evaluate with (default: the available engine of the highest rank)")
    @Nullable String backendName;

    @Option(names = "--out", paramLabel = "DIR", description = "write " + MARKDOWN + " and " + CSV + " into this folder (replaced whole)")
    @Nullable Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One column of the table: the base, an adapter, or a combination. */
    record Model(String label, String kind, String weights, ClassAccuracy accuracy) {}

    /** {@code --adapter NAME=FILE}. */
    record AdapterArg(String name, Path file) {}

    /** {@code --combine NAME=W,…}, weights in the order given. */
    record CombineArg(String text, Map<String, Double> weights) {}

    @Override
    public Integer call() {
        // Everything that can be wrong with the arguments and files is found before the data is read.
        List<AdapterArg> adapterArgs = parseAdapters(adapterSpecs);
        List<CombineArg> combineArgs = new ArrayList<>();
        for (String text : combineSpecs) combineArgs.add(parseCombine(text, adapterArgs.stream().map(AdapterArg::name).toList()));
        List<Combination> combineModes = modes.stream().distinct().toList();

        ModelFiles.Base baseFile = ModelFiles.readBase(base);
        List<Integer> oldClasses = baseFile.oldClasses();
        List<Integer> newClasses = baseFile.newClasses();
        String dataset = baseFile.dataset();

        Backend backend = Engines.named(backendName, "no --backend given");
        Network network = baseFile.restore(backend);
        AdapterSet set = new AdapterSet(network);
        for (AdapterArg arg : adapterArgs) {
            Safetensors.Checkpoint file = ModelFiles.readAdapter(arg.file(), baseFile);
            try {
                set.add(arg.name(), CheckpointMetadata.loraSpec(file.metadata(), arg.file().toString()), file.tensors());
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(arg.file() + ": " + e.getMessage());
            }
        }
        List<String> combined = new ArrayList<>();
        for (CombineArg arg : combineArgs) {
            for (Combination mode : combineModes) {
                String label = label(arg.weights(), mode);
                try {
                    set.addWeighted(label, arg.weights(), mode);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--combine " + arg.text() + " --mode " + modeName(mode) + ": " + e.getMessage(), e);
                }
                combined.add(label);
            }
        }

        DataSplit split = ExperimentData.load(dataset, baseFile.dataDir(data));
        List<Model> models = new ArrayList<>();
        set.disable();
        models.add(new Model("base", "base", "", Evaluator.evaluate(network, split.test())));
        for (AdapterArg arg : adapterArgs) {
            set.use(arg.name());
            models.add(new Model(arg.name(), "adapter", "", Evaluator.evaluate(network, split.test())));
        }
        int c = 0;
        for (CombineArg arg : combineArgs) {
            for (Combination mode : combineModes) {
                String label = combined.get(c++);
                set.use(label);
                models.add(new Model(label, modeName(mode), weightsText(arg.weights()), Evaluator.evaluate(network, split.test())));
            }
        }
        set.disable();

        String table = markdownTable(models, oldClasses, newClasses, baseFile.classNames());
        PrintWriter printed = spec.commandLine().getOut();
        printed.print(table);
        if (out != null) {
            write(out, markdown(table, adapterArgs, combineArgs, combineModes, baseFile.weightsSha256(), backend), csv(models, oldClasses, newClasses));
            printed.println("wrote " + out.resolve(MARKDOWN) + " and " + out.resolve(CSV));
        }
        printed.flush();
        return 0;
    }

    static List<AdapterArg> parseAdapters(List<String> specs) {
        Map<String, AdapterArg> byName = new LinkedHashMap<>();
        for (String text : specs) {
            int eq = text.indexOf('=');
            String name = eq < 0 ? "" : text.substring(0, eq);
            String file = eq < 0 ? "" : text.substring(eq + 1);
            if (eq < 0 || !NAME.matcher(name).matches() || file.isEmpty()) {
                throw new IllegalArgumentException("--adapter '" + text + "': expected NAME=FILE with NAME of letters, digits, '.', '_' or '-', "
                        + "e.g. --adapter eight=results/lora-r16-eight/checkpoints/adapter.safetensors");
            }
            if (name.equals("base")) throw new IllegalArgumentException("--adapter '" + text + "': 'base' names the base model; pick another name");
            if (byName.containsKey(name)) {
                throw new IllegalArgumentException("--adapter '" + text + "': the name '" + name + "' is already given to " + byName.get(name).file());
            }
            byName.put(name, new AdapterArg(name, Path.of(file)));
        }
        return List.copyOf(byName.values());
    }

    static CombineArg parseCombine(String text, List<String> names) {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (String part : text.split(",", -1)) {
            int eq = part.indexOf('=');
            String name = eq < 0 ? part.strip() : part.substring(0, eq).strip();
            String value = eq < 0 ? "" : part.substring(eq + 1).strip();
            double weight;
            try {
                weight = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                weight = Double.NaN;
            }
            if (eq < 0 || name.isEmpty() || !Double.isFinite(weight)) {
                throw new IllegalArgumentException("--combine '" + text + "': '" + part + "' is not NAME=WEIGHT with a finite number, e.g. --combine eight=1,nine=1");
            }
            if (!names.contains(name)) {
                throw new IllegalArgumentException("--combine '" + text + "': no adapter named '" + name + "'; the --adapter names are " + names);
            }
            if (weights.put(name, weight) != null) throw new IllegalArgumentException("--combine '" + text + "': '" + name + "' is given twice");
        }
        return new CombineArg(text, weights);
    }

    /** E.g. {@code eight + nine (cat)}, {@code 0.5·eight − nine (linear)}. */
    static String label(Map<String, Double> weights, Combination mode) {
        StringBuilder label = new StringBuilder();
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            double w = e.getValue();
            if (label.length() > 0) label.append(w < 0 ? " − " : " + ");
            else if (w < 0) label.append('−');
            if (Math.abs(w) != 1) label.append(number(Math.abs(w))).append('·');
            label.append(e.getKey());
        }
        return label + " (" + modeName(mode) + ")";
    }

    static String markdownTable(List<Model> models, List<Integer> oldClasses, List<Integer> newClasses, List<String> classNames) {
        MarkdownTable table = new MarkdownTable().right("class").right("test images");
        for (Model m : models) table.right(m.label() + " %");
        ClassAccuracy first = models.get(0).accuracy();
        for (int c = 0; c < first.classes(); c++) {
            int label = c;
            row(table, ComparisonTable.label(c, classNames), first.total()[c], models.stream().map(m -> m.accuracy().of(label)).toList());
        }
        row(table, "old " + oldClasses, count(first, oldClasses), models.stream().map(m -> m.accuracy().group(oldClasses)).toList());
        row(table, "new " + newClasses, count(first, newClasses), models.stream().map(m -> m.accuracy().group(newClasses)).toList());
        row(table, "**overall**", (int) first.examples(), models.stream().map(m -> m.accuracy().overall()).toList());
        return table.toString();
    }

    static String csv(List<Model> models, List<Integer> oldClasses, List<Integer> newClasses) {
        List<List<String>> rows = new ArrayList<>();
        for (Model m : models) {
            ClassAccuracy a = m.accuracy();
            List<String> model = List.of(m.label(), m.kind(), m.weights());
            for (int c = 0; c < a.classes(); c++) rows.add(csvRow(model, String.valueOf(c), a.total()[c], a.correct()[c], a.of(c)));
            rows.add(csvRow(model, "old", count(a, oldClasses), correct(a, oldClasses), a.group(oldClasses)));
            rows.add(csvRow(model, "new", count(a, newClasses), correct(a, newClasses), a.group(newClasses)));
            rows.add(csvRow(model, "overall", a.examples(), correct(a, allClasses(a)), a.overall()));
        }
        return Csv.write(List.of("model", "kind", "weights", "row", "test_images", "correct", "accuracy"), rows);
    }

    private static List<String> csvRow(List<String> model, String row, long images, int correct, double accuracy) {
        List<String> cells = new ArrayList<>(model);
        cells.addAll(List.of(row, String.valueOf(images), String.valueOf(correct), f(accuracy)));
        return cells;
    }

    private String markdown(String table, List<AdapterArg> adapterArgs, List<CombineArg> combineArgs, List<Combination> combineModes,
                            String baseSha, Backend backend) {
        StringBuilder md = new StringBuilder("# Adapters on one base\n\nTest accuracy in percent of the base, each adapter alone");
        md.append(combineArgs.isEmpty() ? "" : " and their weighted combinations").append(" (`runner adapters`, ").append(backend.name())
                .append(" engine).\n\n- base: `").append(base).append("` (weights SHA-256 ").append(baseSha).append(")\n");
        for (AdapterArg a : adapterArgs) md.append("- ").append(a.name()).append(": `").append(a.file()).append("`\n");
        for (CombineArg c : combineArgs) {
            md.append("- combination ").append(c.text()).append(" as ").append(String.join(" and ", combineModes.stream().map(AdaptersCommand::modeName).toList()))
                    .append(": PEFT's add_weighted_adapter (cat: Σ wᵢ·sᵢ·Bᵢ·Aᵢ exactly; linear: A, B summed with √(wᵢ·sᵢ), cross terms included);"
                            + " trained biases as base + Σ wᵢ·(biasᵢ − base)\n");
        }
        return md.append('\n').append(table).toString();
    }

    /** Publishes {@code dir} with the two files, whole; refuses a folder that holds anything else (it is replaced). */
    private static void write(Path dir, String markdown, String csv) {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--out " + dir + " is a file; give a folder");
            try (Stream<Path> entries = Files.list(dir)) {
                List<String> others = entries.map(p -> p.getFileName().toString())
                        .filter(n -> !n.startsWith(".") && !Set.of(MARKDOWN, CSV).contains(n)).sorted().toList();
                if (!others.isEmpty()) {
                    throw new IllegalArgumentException("--out " + dir + " holds other files " + others + " and would be replaced whole; give a folder of its own");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
            }
        }
        Path staged = AtomicFiles.stage(dir);
        try {
            AtomicFiles.write(staged.resolve(MARKDOWN), markdown);
            AtomicFiles.write(staged.resolve(CSV), csv);
            AtomicFiles.publish(staged, dir);
        } catch (RuntimeException e) {
            AtomicFiles.deleteTree(staged);
            throw e;
        }
    }

    private static void row(MarkdownTable table, String label, int images, List<Double> values) {
        List<String> cells = new ArrayList<>(List.of(label, String.valueOf(images)));
        for (double v : values) cells.add(f(v));
        table.row(cells);
    }

    private static int count(ClassAccuracy accuracy, List<Integer> classes) {
        int n = 0;
        for (int c : classes) n += accuracy.total()[c];
        return n;
    }

    private static int correct(ClassAccuracy accuracy, List<Integer> classes) {
        int n = 0;
        for (int c : classes) n += accuracy.correct()[c];
        return n;
    }

    private static List<Integer> allClasses(ClassAccuracy accuracy) {
        List<Integer> all = new ArrayList<>();
        for (int c = 0; c < accuracy.classes(); c++) all.add(c);
        return all;
    }

    private static String weightsText(Map<String, Double> weights) {
        List<String> parts = new ArrayList<>();
        weights.forEach((name, w) -> parts.add(name + "=" + number(w)));
        return String.join(";", parts);
    }

    private static String number(double w) {
        return BigDecimal.valueOf(w).stripTrailingZeros().toPlainString();
    }

    private static String modeName(Combination mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** {@code --mode cat|linear}, with a message that lists the choices. */
    static final class ModeConverter implements CommandLine.ITypeConverter<Combination> {
        @Override
        public Combination convert(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "cat" -> Combination.CAT;
                case "linear" -> Combination.LINEAR;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not a combination mode; expected cat or linear");
            };
        }
    }
}
