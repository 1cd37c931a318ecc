package dev.toylora.runner.analysis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.toylora.runner.analysis.AnalysisResult.Accuracy;
import dev.toylora.runner.analysis.AnalysisResult.AdapterLayer;
import dev.toylora.runner.analysis.AnalysisResult.LayerResult;
import dev.toylora.runner.analysis.AnalysisResult.Pair;
import dev.toylora.runner.analysis.AnalysisResult.PairSimilarity;
import dev.toylora.runner.analysis.AnalysisResult.Trained;
import dev.toylora.runner.analysis.AnalysisResult.Truncated;
import dev.toylora.runner.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The analysis folder ({@code results/analysis}): {@code analysis.json} with every number, CSV tables of each
 * analysis, the charts as PNG and SVG, and {@code analysis.md}, the report the README's section is made of. It is
 * written aside and renamed into place whole; the tables, charts and report are drawn from the JSON as written.
 */
public final class AnalysisFiles {
    public static final String JSON = "analysis.json";
    public static final String REPORT = "analysis.md";
    static final ObjectMapper MAPPER = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

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

    public static byte[] json(AnalysisResult result) {
        try {
            return MAPPER.writeValueAsBytes(result);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The analysis in {@code dir}'s {@code analysis.json}. */
    public static AnalysisResult read(Path dir) {
        Path file = dir.resolve(JSON);
        try {
            AnalysisResult result = MAPPER.readValue(file.toFile(), AnalysisResult.class);
            if (!AnalysisResult.SCHEMA.equals(result.schema())) {
                throw new IllegalArgumentException(file + ": schema '" + result.schema() + "', expected " + AnalysisResult.SCHEMA);
            }
            return result;
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the analysis: " + e.getMessage(), e);
        }
    }

    private static void chart(Path dir, String name, ChartGrid grid) {
        AtomicFiles.write(dir.resolve(name + ".png"), grid.png());
        AtomicFiles.write(dir.resolve(name + ".svg"), grid.svg());
    }

    static String spectrumCsv(AnalysisResult result) {
        StringBuilder out = new StringBuilder("layer,update,k,singular_value,cumulative_share\n");
        for (LayerResult layer : result.layers()) {
            spectrumRows(out, layer.layer(), "full", layer.full());
            for (AdapterLayer a : layer.adapters()) spectrumRows(out, layer.layer(), a.adapter(), a.delta());
        }
        return out.toString();
    }

    private static void spectrumRows(StringBuilder out, String layer, String update, Spectrum spectrum) {
        for (int k = 0; k < spectrum.values().length; k++) {
            out.append(layer).append(',').append(update).append(',').append(k + 1).append(',').append(spectrum.values()[k]).append(',')
                    .append(spectrum.cumulativeShare()[k]).append('\n');
        }
    }

    static String similarityCsv(AnalysisResult result) {
        StringBuilder out = new StringBuilder("first,second,layer,i,j,phi,random\n");
        for (LayerResult layer : result.layers()) {
            for (PairSimilarity p : layer.similarity()) {
                double[][] phi = p.similarity().phi();
                for (int i = 1; i <= phi.length; i++) {
                    for (int j = 1; j <= phi[0].length; j++) {
                        out.append(p.first()).append(',').append(p.second()).append(',').append(layer.layer()).append(',').append(i).append(',').append(j)
                                .append(',').append(p.similarity().at(i, j)).append(',').append(SubspaceSimilarity.random(i, j, p.similarity().dimension()))
                                .append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    static String table7Csv(AnalysisResult result) {
        StringBuilder out = new StringBuilder("layer,update,rank,delta_norm,on_delta,on_weight,on_random,amplification,weight_norm\n");
        for (LayerResult layer : result.layers()) {
            for (WeightCorrelation c : layer.fullCorrelation()) table7Row(out, layer, "full", c);
            for (AdapterLayer a : layer.adapters()) table7Row(out, layer, a.adapter(), a.correlation());
        }
        return out.toString();
    }

    private static void table7Row(StringBuilder out, LayerResult layer, String update, WeightCorrelation c) {
        out.append(layer.layer()).append(',').append(update).append(',').append(c.rank()).append(',').append(c.deltaNorm()).append(',').append(c.onDelta())
                .append(',').append(c.onWeight()).append(',').append(c.onRandom()).append(',').append(c.amplification()).append(',').append(layer.weightNorm())
                .append('\n');
    }

    static String fullInAdaptersCsv(AnalysisResult result) {
        StringBuilder out = new StringBuilder("layer,adapter,rank,two_sided,input_side,output_side,best,random,cosine\n");
        for (LayerResult layer : result.layers()) {
            for (AdapterLayer a : layer.adapters()) {
                FullInSubspace f = a.full();
                out.append(layer.layer()).append(',').append(a.adapter()).append(',').append(f.rank()).append(',').append(f.twoSided()).append(',')
                        .append(f.inputSide()).append(',').append(f.outputSide()).append(',').append(f.best()).append(',').append(f.random()).append(',')
                        .append(f.cosine()).append('\n');
            }
        }
        return out.toString();
    }

    static String accuracyCsv(AnalysisResult result) {
        StringBuilder out = new StringBuilder("model,kind,rank,overall,old,new\n");
        var accuracy = result.accuracy();
        accuracyRow(out, "base", "base", "", accuracy.base());
        accuracyRow(out, "full fine-tune", "full", "", accuracy.full());
        for (Truncated t : accuracy.truncated()) accuracyRow(out, "full update at rank " + t.rank(), "truncated", String.valueOf(t.rank()), t.accuracy());
        for (Trained t : accuracy.adapters()) accuracyRow(out, t.adapter(), "lora", String.valueOf(t.rank()), t.accuracy());
        return out.toString();
    }

    private static void accuracyRow(StringBuilder out, String model, String kind, String rank, Accuracy a) {
        out.append(model).append(',').append(kind).append(',').append(rank).append(',').append(a.overall()).append(',').append(a.old()).append(',')
                .append(a.fresh()).append('\n');
    }
}
