package dev.toylora.runner.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.io.files.AtomicFiles;
import dev.toylora.runner.experiment.Experiment;
import dev.toylora.runner.experiment.ExperimentException;
import dev.toylora.runner.experiment.ExperimentParser;
import dev.toylora.runner.experiment.Problem;
import dev.toylora.runner.experiment.SweepGrid;
import dev.toylora.runner.experiment.Trial;
import dev.toylora.runner.io.Csv;
import dev.toylora.runner.io.Json;
import dev.toylora.runner.io.MarkdownTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The sweep's table, rebuilt from the trial folders on disk: {@code results/<name>/sweep.csv}, {@code sweep.json},
 * {@code sweep.png} and {@code sweep.svg}. The rows follow the trials of the sweep's definition
 * ({@value #DEFINITION}) in index order, so each trial appears once whatever wrote its folder — this run, an
 * earlier one, or another shard — and a folder left from other settings never does. Every file is written aside
 * and renamed into place, so a reader (or a shard rewriting it at the same moment) never sees half of one.
 */
public final class SweepSummary {

    /** The sweep as it ran (with its {@code sweep:} block), beside the trial folders; what {@code merge} expands. */
    public static final String DEFINITION = "experiment.yaml";
    public static final String CSV = "sweep.csv";
    public static final String JSON_FILE = "sweep.json";
    public static final String PNG = "sweep.png";
    public static final String SVG = "sweep.svg";

    private SweepSummary() {}

    /** One finished trial, from its folder. */
    public record Row(Trial trial, JsonNode metrics, double wallSeconds) {
        public long trainable() {
            return metrics.path("parameters").path("trainable").asLong();
        }

        public long total() {
            return metrics.path("parameters").path("total").asLong();
        }

        public double trainablePercent() {
            return metrics.path("parameters").path("trainable_percent_of_total").asDouble(Double.NaN);
        }

        public boolean adapted() {
            return metrics.has("adapted");
        }

        /** Accuracy of the adapted model: {@code overall}, {@code old} or {@code new}; NaN without fine-tuning. */
        public double accuracy(String group) {
            JsonNode v = metrics.path("adapted").path(group);
            return v.isMissingNode() ? Double.NaN : v.asDouble(Double.NaN);
        }

        public double[] perClass() {
            JsonNode a = metrics.path("adapted").path("per_class");
            double[] out = new double[a.size()];
            for (int i = 0; i < out.length; i++) out[i] = a.get(i).asDouble(Double.NaN);
            return out;
        }

        public double baseOld() {
            return metrics.path("base").path("old").asDouble(Double.NaN);
        }

        /** How many points the old classes lost from the base (negative: gained). */
        public double oldDrop() {
            return baseOld() - accuracy("old");
        }

        public double finetuneSeconds() {
            return metrics.path("seconds").path("finetune").asDouble(Double.NaN);
        }
    }

    /**
     * @param missing  labels of trials without a finished folder, in index order
     * @param stale    folders that do not count, with the reason
     */
    public record Table(Experiment sweep, List<Trial> trials, List<Row> rows, List<String> missing, List<String> stale) {
        public boolean complete() {
            return missing.isEmpty();
        }
    }

    /** The definition written beside the trials by a sweep run, for {@link #merge(Path)}. */
    public static Experiment readDefinition(Path sweepDir) {
        Path file = sweepDir.resolve(DEFINITION);
        if (!Files.isRegularFile(file)) {
            throw new ExperimentException(new Problem(sweepDir.toString(), "",
                    "not a sweep's results folder: it has no " + DEFINITION + " (a sweep run writes one beside its trial folders)"));
        }
        Experiment experiment = ExperimentParser.parse(file, List.of());
        if (experiment.sweep().isEmpty()) {
            throw new ExperimentException(new Problem(file.toString(), "sweep", "has no sweep: block, so there is nothing to merge"));
        }
        return experiment;
    }

    /** Writes the definition, unless the same text is there already. */
    static void writeDefinition(Path sweepDir, Experiment sweep) {
        String yaml = ExperimentParser.toYaml(sweep);
        Path file = sweepDir.resolve(DEFINITION);
        try {
            if (Files.isRegularFile(file) && Files.readString(file).equals(yaml)) return;
        } catch (IOException e) {
            // rewrite it
        }
        AtomicFiles.write(file, yaml);
    }

    /** Rebuilds the table of a sweep's folder from what is on disk (as {@code runner merge results/<name>}). */
    public static Table merge(Path sweepDir) {
        return rebuild(sweepDir, readDefinition(sweepDir), t -> TrialFolder.Expectation.NONE);
    }

    /** The table of a sweep's folder from what is on disk, without writing anything (for {@code runner report}). */
    public static Table read(Path sweepDir) {
        return collect(sweepDir, readDefinition(sweepDir), t -> TrialFolder.Expectation.NONE);
    }

    /** Scans the trial folders of {@code sweep} and rewrites the csv, json and chart. */
    static Table rebuild(Path sweepDir, Experiment sweep, Function<Trial, TrialFolder.Expectation> expected) {
        Table table = collect(sweepDir, sweep, expected);
        write(sweepDir, table);
        return table;
    }

    static Table collect(Path sweepDir, Experiment sweep, Function<Trial, TrialFolder.Expectation> expected) {
        List<Trial> trials = SweepGrid.trials(sweep);
        List<Row> rows = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        Set<String> labels = new LinkedHashSet<>();
        for (Trial trial : trials) {
            labels.add(trial.label());
            TrialFolder.Outcome outcome = TrialFolder.read(sweepDir, trial, expected.apply(trial));
            if (outcome.finished() != null) {
                TrialFolder.Finished f = outcome.finished();
                double wall = f.wallSeconds().orElse(stageSeconds(f.metrics()));
                rows.add(new Row(trial, f.metrics(), wall));
            } else {
                missing.add(trial.label());
                if (outcome.stale() != null) stale.add(trial.label() + ": " + outcome.stale());
            }
        }
        // folders of trials this sweep no longer has (e.g. a value dropped from the grid)
        if (Files.isDirectory(sweepDir)) {
            try (Stream<Path> children = Files.list(sweepDir)) {
                for (Path child : children.sorted().toList()) {
                    String name = child.getFileName().toString();
                    if (name.startsWith(".") || !Files.isDirectory(child) || labels.contains(name)) continue;
                    if (Files.isRegularFile(child.resolve(TrialFolder.METRICS))) stale.add(name + ": not a trial of this sweep (any more)");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + sweepDir + ": " + e.getMessage(), e);
            }
        }
        return new Table(sweep, trials, List.copyOf(rows), List.copyOf(missing), List.copyOf(stale));
    }

    /** When the trial's own wall time is not recorded: the seconds of its stages. */
    private static double stageSeconds(JsonNode metrics) {
        JsonNode s = metrics.path("seconds");
        return s.path("pretrain").asDouble(0) + s.path("finetune").asDouble(0) + s.path("evaluate").asDouble(0);
    }

    static void write(Path sweepDir, Table table) {
        AtomicFiles.write(sweepDir.resolve(CSV), csv(table));
        AtomicFiles.write(sweepDir.resolve(JSON_FILE), Json.pretty(json(table)));
        SweepChart.write(sweepDir, table);
    }

    // ---- csv

    static List<String> timingColumns() {
        return List.of("finetune_seconds", "wall_seconds");
    }

    static String csv(Table table) {
        List<String> keys = List.copyOf(table.sweep().sweep().axes().keySet());
        int classes = table.rows().stream().mapToInt(r -> r.perClass().length).max().orElse(10);
        List<String> header = new ArrayList<>(List.of("index", "trial"));
        header.addAll(keys);
        header.addAll(List.of("finetune_seed", "trainable_parameters", "total_parameters", "trainable_percent"));
        for (int c = 0; c < classes; c++) header.add("class_" + c);
        header.addAll(List.of("overall", "old", "new", "base_old", "old_drop"));
        header.addAll(timingColumns());
        List<List<String>> rows = new ArrayList<>();
        for (Row r : table.rows()) {
            List<String> cells = new ArrayList<>();
            cells.add(String.valueOf(r.trial().index()));
            cells.add(r.trial().label());
            for (String k : keys) cells.add(render(r.trial().values().get(k)));
            cells.add(String.valueOf(r.trial().seed()));
            cells.add(String.valueOf(r.trainable()));
            cells.add(String.valueOf(r.total()));
            cells.add(fmt(r.trainablePercent()));
            double[] perClass = r.perClass();
            for (int c = 0; c < classes; c++) cells.add(c < perClass.length ? fmt(perClass[c]) : "");
            cells.add(fmt(r.accuracy("overall")));
            cells.add(fmt(r.accuracy("old")));
            cells.add(fmt(r.accuracy("new")));
            cells.add(fmt(r.baseOld()));
            cells.add(fmt(r.oldDrop()));
            cells.add(fmt(r.finetuneSeconds()));
            cells.add(fmt(r.wallSeconds()));
            rows.add(cells);
        }
        return Csv.write(header, rows);
    }

    /** A swept value as text: numbers plainly, lists joined by '+' (as in trial names). */
    static String render(Object value) {
        if (value instanceof Double d) return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "none" : list.stream().map(SweepSummary::render).collect(Collectors.joining("+"));
        }
        return String.valueOf(value);
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 100.0) / 100.0 : v;
    }

    // ---- markdown

    /** A short table for the console (and docs/results.md): trial, trainable parameters, accuracies, drop, wall time. */
    public static String markdown(Table table) {
        String old = "old " + SweepChart.classes(table.sweep().pretrain().classes());
        String fresh = "new " + SweepChart.classes(table.sweep().finetune().classes());
        // With a validation split, settings are chosen on it: its columns come first, the test set's after.
        boolean validated = table.rows().stream().anyMatch(r -> r.metrics().path("validation").has("adapted"));
        MarkdownTable out = new MarkdownTable().left("trial").right("trainable").right("% of total");
        if (validated) out.right(old + ", validation").right(fresh + ", validation");
        out.right(old).right(fresh).right("overall").right(old + " drop").right("wall s");
        for (Row r : table.rows()) {
            List<String> cells = new ArrayList<>(List.of(r.trial().label(), String.format(Locale.ROOT, "%,d", r.trainable()),
                    fmt(r.trainablePercent())));
            if (validated) {
                JsonNode v = r.metrics().path("validation").path("adapted");
                cells.add(fmt(v.path("old").asDouble(Double.NaN)));
                cells.add(fmt(v.path("new").asDouble(Double.NaN)));
            }
            cells.addAll(List.of(fmt(r.accuracy("old")), fmt(r.accuracy("new")), fmt(r.accuracy("overall")), fmt(r.oldDrop()),
                    String.format(Locale.ROOT, "%.1f", r.wallSeconds())));
            out.row(cells.toArray(String[]::new));
        }
        return out + (table.missing().isEmpty() ? "" : "\nnot finished: " + String.join(", ", table.missing()) + "\n");
    }

    // ---- json

    static ObjectNode json(Table table) {
        Experiment sweep = table.sweep();
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("schema", "toylora.sweep/1");
        root.put("name", sweep.name());
        root.set("axes", Json.MAPPER.valueToTree(sweep.sweep().axes()));
        root.put("seed", sweep.seed());
        ObjectNode classes = root.putObject("classes");
        classes.set("old", Json.MAPPER.valueToTree(sweep.pretrain().classes()));
        classes.set("new", Json.MAPPER.valueToTree(sweep.finetune().classes()));
        root.put("trials", table.trials().size());
        root.put("finished", table.rows().size());
        root.set("missing", Json.MAPPER.valueToTree(table.missing()));
        if (!table.stale().isEmpty()) root.set("not_counted", Json.MAPPER.valueToTree(table.stale()));
        root.put("wall_seconds_total", round(table.rows().stream().mapToDouble(Row::wallSeconds).sum()));
        ArrayNode rows = root.putArray("rows");
        for (Row r : table.rows()) {
            ObjectNode row = rows.addObject();
            row.put("index", r.trial().index());
            row.put("trial", r.trial().label());
            Map<String, Object> values = new LinkedHashMap<>(r.trial().values());
            row.set("values", Json.MAPPER.valueToTree(values));
            row.put("finetune_seed", r.trial().seed());
            ObjectNode parameters = row.putObject("parameters");
            parameters.put("trainable", r.trainable());
            parameters.put("total", r.total());
            parameters.put("trainable_percent_of_total", r.trainablePercent());
            if (r.adapted()) {
                ObjectNode adapted = row.putObject("adapted");
                adapted.put("overall", r.accuracy("overall"));
                adapted.put("old", r.accuracy("old"));
                adapted.put("new", r.accuracy("new"));
                ArrayNode perClass = adapted.putArray("per_class");
                for (double v : r.perClass()) perClass.add(v);
                row.put("old_drop", round(r.oldDrop()));
            }
            ObjectNode base = row.putObject("base");
            base.put("overall", r.metrics().path("base").path("overall").asDouble(Double.NaN));
            base.put("old", r.baseOld());
            base.put("new", r.metrics().path("base").path("new").asDouble(Double.NaN));
            ObjectNode seconds = row.putObject("seconds");
            seconds.put("finetune", r.finetuneSeconds());
            seconds.put("wall", round(r.wallSeconds()));
            row.put("base_cached", r.metrics().path("training").path("base_cached").asBoolean());
        }
        return root;
    }
}
