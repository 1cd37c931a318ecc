package dev.toylora.runner.analysis;

import dev.toylora.runner.analysis.AnalysisResult.Accuracy;
import dev.toylora.runner.analysis.AnalysisResult.AdapterLayer;
import dev.toylora.runner.analysis.AnalysisResult.LayerResult;
import dev.toylora.runner.analysis.AnalysisResult.Pair;
import dev.toylora.runner.analysis.AnalysisResult.PairSimilarity;
import dev.toylora.runner.analysis.AnalysisResult.Trained;
import dev.toylora.runner.analysis.AnalysisResult.Truncated;
import dev.toylora.io.files.AtomicFiles;
import dev.toylora.runner.io.Csv;
import dev.toylora.runner.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The analysis folder ({@code results/analysis}): {@code analysis.json} with every number, CSV tables of each
 * analysis, the charts as PNG and SVG, and {@code analysis.md}, the report docs/analysis.md's section is made of. It is
 * written aside and renamed into place whole; the tables, charts and report are drawn from the JSON as written.
 */
public final class AnalysisFiles {
    public static final String JSON = "analysis.json";
    public static final String REPORT = "analysis.md";

    private AnalysisFiles() {}

    /** Refuses a folder that holds anything but an earlier analysis: it is replaced whole. */
    public static void checkReplaceable(Path dir) {
        if (!Files.exists(dir)) return;
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--out " + dir + " is a file; give a folder");
        try (Stream<Path> entries = Files.list(dir)) {
            boolean empty = entries.findAny().isEmpty();
            if (!empty && !Files.isRegularFile(dir.resolve(JSON))) {
                throw new IllegalArgumentException("--out " + dir + " holds files but no " + JSON + " of an earlier analysis, and would be replaced whole;"
                        + " give a folder of its own");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Publishes {@code dir} holding the whole analysis of {@code result}; on any failure nothing is published. */
    public static void write(Path dir, AnalysisResult result) {
        checkReplaceable(dir);
        Path staged = AtomicFiles.stage(dir);
        try {
            AtomicFiles.write(staged.resolve(JSON), json(result));
            AnalysisResult written = read(staged); // everything below is drawn from the file, not from memory
            AtomicFiles.write(staged.resolve(REPORT), AnalysisReport.document(written));
            AtomicFiles.write(staged.resolve("spectrum.csv"), spectrumCsv(written));
            AtomicFiles.write(staged.resolve("similarity.csv"), similarityCsv(written));
            AtomicFiles.write(staged.resolve("table7.csv"), table7Csv(written));
            AtomicFiles.write(staged.resolve("full-in-adapters.csv"), fullInAdaptersCsv(written));
            AtomicFiles.write(staged.resolve("accuracy.csv"), accuracyCsv(written));
            chart(staged, "spectrum", AnalysisCharts.spectrum(written));
            for (Pair pair : written.sources().pairs()) chart(staged, similarityChart(pair), AnalysisCharts.similarity(written, pair));
            chart(staged, "amplification", AnalysisCharts.amplification(written));
            chart(staged, "accuracy", AnalysisCharts.accuracy(written));
            chart(staged, "full-in-adapters", AnalysisCharts.fullInAdapters(written));
            AtomicFiles.publish(staged, dir);
        } catch (RuntimeException e) {
            AtomicFiles.deleteTree(staged);
            throw e;
        }
    }

    /** The file name (without extension) of a pair's heat maps. */
    static String similarityChart(Pair pair) {
        return "similarity-" + pair.first() + "-vs-" + pair.second();
    }

    /** The text of {@code analysis.json}: the shared mapper's indented JSON (field names snake_case, as the records ask). */
    public static String json(AnalysisResult result) {
        return Json.pretty(result);
    }

    /** The analysis in {@code dir}'s {@code analysis.json}. */
    public static AnalysisResult read(Path dir) {
        Path file = dir.resolve(JSON);
        AnalysisResult result;
        try {
            result = Json.read(file, AnalysisResult.class);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(file + ": cannot read the analysis: " + e.getCause().getMessage(), e);
        }
        if (!AnalysisResult.SCHEMA.equals(result.schema())) {
            throw new IllegalArgumentException(file + ": schema '" + result.schema() + "', expected " + AnalysisResult.SCHEMA);
        }
        return result;
    }

    private static void chart(Path dir, String name, ChartGrid grid) {
        AtomicFiles.write(dir.resolve(name + ".png"), grid.png());
        AtomicFiles.write(dir.resolve(name + ".svg"), grid.svg());
    }

    static String spectrumCsv(AnalysisResult result) {
        List<List<String>> rows = new ArrayList<>();
        for (LayerResult layer : result.layers()) {
            spectrumRows(rows, layer.layer(), "full", layer.full());
            for (AdapterLayer a : layer.adapters()) spectrumRows(rows, layer.layer(), a.adapter(), a.delta());
        }
        return Csv.write(List.of("layer", "update", "k", "singular_value", "cumulative_share"), rows);
    }

    private static void spectrumRows(List<List<String>> rows, String layer, String update, Spectrum spectrum) {
        for (int k = 0; k < spectrum.values().length; k++) {
            rows.add(List.of(layer, update, cell(k + 1), cell(spectrum.values()[k]), cell(spectrum.cumulativeShare()[k])));
        }
    }

    static String similarityCsv(AnalysisResult result) {
        List<List<String>> rows = new ArrayList<>();
        for (LayerResult layer : result.layers()) {
            for (PairSimilarity p : layer.similarity()) {
                double[][] phi = p.similarity().phi();
                for (int i = 1; i <= phi.length; i++) {
                    for (int j = 1; j <= phi[0].length; j++) {
                        rows.add(List.of(p.first(), p.second(), layer.layer(), cell(i), cell(j), cell(p.similarity().at(i, j)),
                                cell(SubspaceSimilarity.random(i, j, p.similarity().dimension()))));
                    }
                }
            }
        }
        return Csv.write(List.of("first", "second", "layer", "i", "j", "phi", "random"), rows);
    }

    static String table7Csv(AnalysisResult result) {
        List<List<String>> rows = new ArrayList<>();
        for (LayerResult layer : result.layers()) {
            for (WeightCorrelation c : layer.fullCorrelation()) rows.add(table7Row(layer, "full", c));
            for (AdapterLayer a : layer.adapters()) rows.add(table7Row(layer, a.adapter(), a.correlation()));
        }
        return Csv.write(List.of("layer", "update", "rank", "delta_norm", "on_delta", "on_weight", "on_random", "amplification", "weight_norm"), rows);
    }

    private static List<String> table7Row(LayerResult layer, String update, WeightCorrelation c) {
        return List.of(layer.layer(), update, cell(c.rank()), cell(c.deltaNorm()), cell(c.onDelta()), cell(c.onWeight()), cell(c.onRandom()),
                cell(c.amplification()), cell(layer.weightNorm()));
    }

    static String fullInAdaptersCsv(AnalysisResult result) {
        List<List<String>> rows = new ArrayList<>();
        for (LayerResult layer : result.layers()) {
            for (AdapterLayer a : layer.adapters()) {
                FullInSubspace f = a.full();
                rows.add(List.of(layer.layer(), a.adapter(), cell(f.rank()), cell(f.twoSided()), cell(f.inputSide()), cell(f.outputSide()), cell(f.best()),
                        cell(f.random()), cell(f.cosine())));
            }
        }
        return Csv.write(List.of("layer", "adapter", "rank", "two_sided", "input_side", "output_side", "best", "random", "cosine"), rows);
    }

    static String accuracyCsv(AnalysisResult result) {
        List<List<String>> rows = new ArrayList<>();
        var accuracy = result.accuracy();
        rows.add(accuracyRow("base", "base", "", accuracy.base()));
        rows.add(accuracyRow("full fine-tune", "full", "", accuracy.full()));
        for (Truncated t : accuracy.truncated()) rows.add(accuracyRow("full update at rank " + t.rank(), "truncated", cell(t.rank()), t.accuracy()));
        for (Trained t : accuracy.adapters()) rows.add(accuracyRow(t.adapter(), "lora", cell(t.rank()), t.accuracy()));
        return Csv.write(List.of("model", "kind", "rank", "overall", "old", "new"), rows);
    }

    private static List<String> accuracyRow(String model, String kind, String rank, Accuracy a) {
        return List.of(model, kind, rank, cell(a.overall()), cell(a.old()), cell(a.fresh()));
    }

    /** A number as Java writes it ({@link Double#toString}): every digit that tells the double apart, so the CSV loses nothing of the JSON. */
    private static String cell(double value) {
        return String.valueOf(value);
    }

    private static String cell(int value) {
        return String.valueOf(value);
    }
}
