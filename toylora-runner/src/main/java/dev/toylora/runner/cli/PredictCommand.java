package dev.toylora.runner.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.api.Backend;
import dev.toylora.api.Batch;
import dev.toylora.api.Network;
import dev.toylora.io.data.Datasets;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.runner.experiment.Engines;
import dev.toylora.runner.io.Json;
import dev.toylora.runner.io.MarkdownTable;
import dev.toylora.runner.predict.DigitImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** Classifies pictures of digits with a base model and, optionally, the base with an adapter. */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = {"Predicts the digit in PNG/JPEG pictures (any size, dark on light or light on dark) with a base and an adapter.",
        "Each picture is prepared as MNIST's digits were: grey, inverted to white ink on black when needed, the ink's box scaled to",
        "20 pixels, centred by mass in 28×28.",
        "Example: predict --base results/lora-r16/checkpoints/base.safetensors --adapter results/lora-r16/checkpoints/adapter.safetensors samples/*"})
final class PredictCommand implements Callable<Integer> {
    private static final int TOP = 3;

    @Option(names = "--base", required = true, paramLabel = "FILE", description = "the base model (.safetensors)")
    Path base = Path.of("");

    @Option(names = "--adapter", paramLabel = "FILE|DIR", description = "a LoRA adapter trained on that base (.safetensors, or a PEFT directory)")
    @Nullable Path adapter;

    @Option(names = "--backend", paramLabel = "NAME", description = "engine to run the models with (default: the available engine of the highest rank)")
    @Nullable String backendName;

    @Option(names = "--json", description = "print JSON (every class's probability) instead of a table")
    boolean json;

    @Option(names = "--show", description = "also print each prepared 28×28 picture as text")
    boolean show;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "PNG or JPEG files, one digit each")
    List<Path> images = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The base's classes, by which answers are named (MNIST's are the digits). */
    private List<String> classNames = List.of();

    /** One picture's answers: softmax probabilities per class from the base and, if given, the adapted model. */
    record Prediction(Path file, DigitImage image, double[] base, double @Nullable [] adapted) {}

    @Override
    public Integer call() {
        ModelFiles.Base baseFile = ModelFiles.readBase(base);
        // every picture is checked before any model is loaded; prepared as the base's training images were
        boolean folder = baseFile.dataset().equals(Datasets.IMAGE_FOLDER);
        List<DigitImage> digits = new ArrayList<>();
        for (Path file : images) digits.add(folder ? DigitImage.resized(file) : DigitImage.read(file));
        Optional<Safetensors.Checkpoint> adapterFile = adapter == null ? Optional.empty() : Optional.of(ModelFiles.readAdapter(adapter, baseFile));
        float[] standardisation = baseFile.standardisation();
        classNames = baseFile.classNames();
        int columns = baseFile.spec().inputs();
        if (columns != DigitImage.SIZE * DigitImage.SIZE) {
            throw new dev.toylora.io.safetensors.CheckpointException(base + ": the model takes " + columns + " inputs, a 28×28 picture gives " + DigitImage.SIZE * DigitImage.SIZE);
        }
        float[] features = new float[digits.size() * columns];
        for (int i = 0; i < digits.size(); i++) {
            System.arraycopy(digits.get(i).features(standardisation[0], standardisation[1]), 0, features, i * columns, columns);
        }
        Batch batch = new Batch(features, new int[digits.size()], digits.size(), columns);

        Backend backend = Engines.named(backendName, "no --backend given");
        Network network = baseFile.restore(backend);
        double[][] baseProbabilities = softmax(ExportCommand.logits(network, batch), digits.size());
        double[][] adaptedProbabilities = null;
        if (adapterFile.isPresent() && adapter != null) {
            ModelFiles.attach(network, adapterFile.get(), adapter);
            adaptedProbabilities = softmax(ExportCommand.logits(network, batch), digits.size());
        }
        List<Prediction> predictions = new ArrayList<>();
        for (int i = 0; i < digits.size(); i++) {
            predictions.add(new Prediction(images.get(i), digits.get(i), baseProbabilities[i], adaptedProbabilities == null ? null : adaptedProbabilities[i]));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? json(predictions) : table(predictions));
        if (show && !json) {
            for (Prediction p : predictions) out.print("\n" + p.file() + (p.image().inverted() ? " (inverted)" : "") + ":\n" + p.image().ascii());
        }
        out.flush();
        return 0;
    }

    static double[][] softmax(float[] logits, int rows) {
        int classes = logits.length / rows;
        double[][] result = new double[rows][classes];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) max = Math.max(max, logits[r * classes + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += result[r][c] = Math.exp(logits[r * classes + c] - max);
            for (int c = 0; c < classes; c++) result[r][c] /= sum;
        }
        return result;
    }

    static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    /** A class as answers show it: its name (MNIST's digits are their own names). */
    private String name(int c) {
        return c < classNames.size() ? classNames.get(c) : String.valueOf(c);
    }

    String top(double[] p) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < Math.min(TOP, order.length); i++) parts.add(String.format(Locale.ROOT, "%s %.1f%%", name(order[i]), 100 * p[order[i]]));
        return String.join(", ", parts);
    }

    String table(List<Prediction> predictions) {
        boolean adapted = predictions.stream().anyMatch(p -> p.adapted() != null);
        MarkdownTable table = new MarkdownTable().left("image").right("base").left("base top 3");
        if (adapted) table.right("adapted").left("adapted top 3");
        for (Prediction p : predictions) {
            List<String> cells = new ArrayList<>(List.of(p.file() + (p.image().inverted() ? " (inverted)" : ""),
                    name(argmax(p.base())), top(p.base())));
            double[] a = p.adapted();
            if (a != null) cells.addAll(List.of("**" + name(argmax(a)) + "**", top(a)));
            else if (adapted) cells.addAll(List.of("", ""));
            table.row(cells);
        }
        return table.toString();
    }

    String json(List<Prediction> predictions) {
        ArrayNode root = Json.MAPPER.createArrayNode();
        for (Prediction p : predictions) {
            ObjectNode o = root.addObject();
            o.put("file", p.file().toString());
            o.put("width", p.image().originalWidth());
            o.put("height", p.image().originalHeight());
            o.put("inverted", p.image().inverted());
            model(o.putObject("base"), p.base());
            double[] a = p.adapted();
            if (a != null) model(o.putObject("adapted"), a);
        }
        return Json.pretty(root);
    }

    private void model(ObjectNode o, double[] p) {
        o.put("digit", argmax(p)); // the class's number, whatever the data set (kept for scripts that read it)
        o.put("class", name(argmax(p)));
        ArrayNode probabilities = o.putArray("probabilities");
        for (double v : p) probabilities.add(Math.round(v * 1e6) / 1e6);
    }
}
