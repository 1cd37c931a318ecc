package dev.toylora.runner.results;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.ExperimentParser;
import dev.toylora.runner.experiment.FinetuneConfig;
import dev.toylora.runner.experiment.ReplaySource;
import dev.toylora.runner.experiment.RetentionConfig;
import dev.toylora.runner.io.Json;
import dev.toylora.runner.io.MarkdownTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The table that compares how each way of fine-tuning keeps the old classes, from the committed
 * {@code results/<run>/metrics.json} of {@link #RUNS}: what keeps them, what is kept on disk for it, the accuracies
 * after fine-tuning, its time, and the synthetic images made. It fills every block between {@code <!-- retention-table -->}
 * and {@code <!-- /retention-table -->}.
 *
 * <p>What each run did is read from the experiment recorded in its metrics.json ({@code config.finetune}), never from
 * its folder name. Sizes are in decimal units (1 KB = 1,000 bytes, 1 MB = 1,000,000 bytes).
 */
public final class RetentionTable {
    public static final String BEGIN = "<!-- retention-table -->";
    public static final String END = "<!-- /retention-table -->";

    /** The runs compared, in the table's order: nothing, LwF, EWC, synthetic replay, replay of stored images. */
    public static final List<String> RUNS = List.of("lora-r16-naive", "lora-r16-lwf", "lora-r16-ewc", "lora-r16-synthetic", "lora-r16");

    /** Stored old images are kept as MNIST keeps them: one byte per pixel (input). */
    static final int BYTES_PER_INPUT = 1;

    private static final String NONE = "—";
    private static final Pattern BLOCK = Pattern.compile("(" + Pattern.quote(BEGIN) + "\n)(.*?)(" + Pattern.quote(END) + ")", Pattern.DOTALL);

    private RetentionTable() {}

    /** One run of the table: its folder under the results folder, its metrics.json, and the experiment recorded in it. */
    public record Run(String folder, JsonNode metrics, Experiment experiment) {}

    /** The table built from the runs under {@code resultsRoot}. */
    public static String markdown(Path resultsRoot) {
        return markdown(collect(resultsRoot));
    }

    /**
     * The metrics of every run of {@link #RUNS}, in that order.
     *
     * @throws IllegalArgumentException naming each run whose folder or metrics.json is missing
     */
    public static List<Run> collect(Path resultsRoot) {
        List<String> missing = new ArrayList<>();
        for (String folder : RUNS) {
            if (!Files.isRegularFile(resultsRoot.resolve(folder).resolve("metrics.json"))) missing.add(folder);
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no results for the retention table in "
                    + String.join(", ", missing.stream().map(f -> resultsRoot.resolve(f).toString()).toList())
                    + " (no metrics.json): run " + (missing.size() == 1 ? "that experiment" : "those experiments")
                    + " first; the table compares " + String.join(", ", RUNS));
        }
        List<Run> runs = new ArrayList<>();
        for (String folder : RUNS) {
            Path metrics = resultsRoot.resolve(folder).resolve("metrics.json");
            JsonNode m = Json.read(metrics);
            runs.add(new Run(folder, m, ExperimentParser.fromJsonNode(m.path("config"), metrics.toString())));
        }
        return runs;
    }

    /** The table of {@code runs}, one row each, in their order. */
    public static String markdown(List<Run> runs) {
        MarkdownTable table = new MarkdownTable().left("run").left("what keeps " + oldClasses(runs)).left("kept on disk for it")
                .right("old classes % (adapted, test)").right("new classes %").right("overall %").right("fine-tune seconds")
                .left("images made");
        for (Run run : runs) {
            JsonNode m = run.metrics(), adapted = m.path("adapted");
            table.row("`" + run.folder() + "`", keeps(run.experiment().finetune()), keptOnDisk(run), pct(adapted.path("old")),
                    pct(adapted.path("new")), pct(adapted.path("overall")), secs(m.path("seconds").path("finetune")),
                    imagesMade(m.path("retention")));
        }
        return table.toString();
    }

    /** What keeps the old classes in fine-tuning {@code f}, in words ("nothing" for plain fine-tuning). */
    static String keeps(FinetuneConfig f) {
        RetentionConfig r = f.retention();
        List<String> parts = new ArrayList<>();
        if (f.replay() > 0) {
            String replay = f.replaySource() == ReplaySource.SYNTHETIC ? "synthetic replay" : "replay of stored images";
            parts.add(r.distill() > 0 ? replay + " (distilled)" : replay);
        }
        if (r.lwf() > 0) parts.add("LwF");
        if (r.ewc() > 0) parts.add("EWC");
        if (r.fullSoftmax() < 1) parts.add("new-class-only cross-entropy");
        return parts.isEmpty() ? "nothing" : String.join(" + ", parts);
    }

    /**
     * What the run keeps on disk besides the base to keep the old classes: the old training images that stored-image
     * replay samples from (8-bit pixels), and what the retention block says was kept with the base (the activation
     * statistics synthetic replay starts from, EWC's Fisher diagonal).
     */
    static String keptOnDisk(Run run) {
        JsonNode m = run.metrics();
        FinetuneConfig f = run.experiment().finetune();
        List<String> kept = new ArrayList<>();
        if (f.replaySource() == ReplaySource.IMAGES && m.path("training").path("finetune_replayed_images").asLong() > 0) {
            long images = m.path("training").path("pretrain_images").asLong();
            kept.add(String.format(Locale.ROOT, "%,d images (%s)", images, size(images * inputs(m, run.experiment()) * BYTES_PER_INPUT)));
        }
        long bytes = m.path("retention").path("kept_bytes").asLong();
        if (bytes > 0) {
            boolean statistics = f.replaySource() == ReplaySource.SYNTHETIC, fisher = f.retention().ewc() > 0;
            String what = statistics && fisher ? " of activation statistics and Fisher diagonal"
                    : statistics ? " of activation statistics" : fisher ? " Fisher diagonal" : "";
            kept.add(size(bytes) + what);
        }
        return kept.isEmpty() ? "nothing" : String.join(" + ", kept);
    }

    /** The synthetic images made for fine-tuning and the seconds that took, "read from cache", or "—" when none were. */
    static String imagesMade(JsonNode retention) {
        if (retention.path("synthetic_cached").asBoolean(false)) return "read from cache";
        JsonNode images = retention.path("synthetic_images");
        if (!images.isNumber()) return NONE;
        return String.format(Locale.ROOT, "%,d in %.0f s", images.asLong(), retention.path("synthetic_seconds").asDouble());
    }

    /**
     * The network's inputs, which metrics.json does not record: from its base parameter count, every layer's weights
     * and biases, with the hidden widths from the experiment and the outputs from the per-class accuracies.
     */
    static long inputs(JsonNode m, Experiment experiment) {
        List<Integer> widths = new ArrayList<>(experiment.model().hidden());
        widths.add(m.path("base").path("per_class").size());
        long rest = widths.get(0); // the first layer's biases
        for (int i = 1; i < widths.size(); i++) rest += (long) widths.get(i - 1) * widths.get(i) + widths.get(i);
        long base = m.path("parameters").path("base").asLong();
        if (widths.get(widths.size() - 1) == 0 || base <= rest || (base - rest) % widths.get(0) != 0) {
            throw new IllegalArgumentException(m.path("name").asText() + ": cannot tell the network's inputs from its "
                    + base + " base parameters, hidden layers " + experiment.model().hidden() + " and "
                    + widths.get(widths.size() - 1) + " classes");
        }
        return (base - rest) / widths.get(0);
    }

    /** {@code bytes} in bytes, KB or MB (decimal), one decimal. */
    static String size(long bytes) {
        if (bytes < 1000) return bytes + (bytes == 1 ? " byte" : " bytes");
        if (bytes < 999_950) return String.format(Locale.ROOT, "%.1f KB", bytes / 1e3);
        return String.format(Locale.ROOT, "%,.1f MB", bytes / 1e6);
    }

    /** The old classes the runs share, "0–7" when they run on; "the old classes" when the runs differ. */
    private static String oldClasses(List<Run> runs) {
        List<List<Integer>> all = runs.stream().map(r -> r.experiment().pretrain().classes()).distinct().toList();
        if (all.size() != 1) return "the old classes";
        List<Integer> classes = all.get(0).stream().sorted().toList();
        int first = classes.get(0), last = classes.get(classes.size() - 1);
        boolean runOn = classes.size() > 2 && last - first == classes.size() - 1;
        return runOn ? first + "–" + last : String.join(", ", classes.stream().map(String::valueOf).toList());
    }

    /** Whether {@code text} has a retention-table marker, well-formed or not. */
    public static boolean marked(String text) {
        return text.contains(BEGIN) || text.contains(END);
    }

    /**
     * How many retention blocks {@code text} has.
     *
     * @throws IllegalArgumentException when a marker does not end its line or is not closed by its own end marker
     */
    public static long blocks(String text, Path source) {
        long blocks = BLOCK.matcher(text).results().count();
        long opened = Pattern.compile(Pattern.quote(BEGIN)).matcher(text).results().count();
        long closed = Pattern.compile(Pattern.quote(END)).matcher(text).results().count();
        if (opened != blocks || closed != blocks) {
            throw new IllegalArgumentException(source + ": " + opened + " " + BEGIN + " and " + closed + " " + END + " make "
                    + blocks + " block(s): each " + BEGIN + " must end its line and be closed by its own " + END);
        }
        return blocks;
    }

    /** {@code text} with every retention block holding {@code table}; {@code source} names it in errors. */
    public static String withTable(String text, String table, Path source) {
        blocks(text, source);
        return BLOCK.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + table + m.group(3)));
    }

    private static String pct(JsonNode value) {
        return value.isMissingNode() || value.isNull() ? NONE : String.format(Locale.ROOT, "%.2f", value.asDouble());
    }

    private static String secs(JsonNode value) {
        return value.isMissingNode() || value.isNull() ? NONE : String.format(Locale.ROOT, "%.0f", value.asDouble());
    }
}
