package dev.toylora.runner.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toylora.api.NetworkSpec;
import dev.toylora.api.Tensor;
import dev.toylora.io.safetensors.CheckpointMetadata;
import dev.toylora.io.safetensors.Safetensors;
import dev.toylora.io.data.RealData;
import dev.toylora.runner.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed results/analysis is what the committed checkpoints give (every layer recomputed; the accuracies are
 * checked by scripts/analysis_check.py --accuracy), and docs/analysis.md's generated section is drawn from it: after
 * results are regenerated, these fail until {@code runner analyze} is rerun (scripts/rerun-results.sh does).
 */
class CommittedAnalysisTest {
    private static final Path ROOT = RealData.repoRoot();
    private static final Path ANALYSIS = ROOT.resolve("results/analysis");

    @Test
    void everyLayerOfTheCommittedAnalysisIsWhatTheCommittedCheckpointsGive() {
        AnalysisResult committed = AnalysisFiles.read(ANALYSIS);
        var sources = committed.sources();
        Map<String, Tensor> base = Safetensors.read(ROOT.resolve(sources.base())).tensors();
        assertEquals(sources.baseWeightsSha256(), CheckpointMetadata.weightsSha256(base), "the base is the one analysed");
        Map<String, Tensor> full = Safetensors.read(ROOT.resolve(sources.full())).tensors();
        List<AdapterInput> adapters = new ArrayList<>();
        for (AnalysisResult.Source s : sources.adapters()) {
            Safetensors.Checkpoint file = Safetensors.read(ROOT.resolve(s.file()));
            assertEquals(sources.baseWeightsSha256(), file.metadata().get(CheckpointMetadata.BASE_SHA256), s.file() + " belongs to the base");
            adapters.add(new AdapterInput(s.name(), s.file(), s.experiment(), CheckpointMetadata.loraSpec(file.metadata(), s.file()), file.tensors()));
        }
        NetworkSpec spec = CheckpointMetadata.networkSpec(base, 0.2, sources.base());
        var layers = new Analyzer(spec, base, full, adapters, sources.pairs()).layers();

        List<String> differences = new ArrayList<>();
        compare("layers", Json.MAPPER.valueToTree(committed.layers()), Json.MAPPER.valueToTree(layers), differences);
        assertTrue(differences.isEmpty(), differences.size() + " numbers differ, e.g. " + differences.subList(0, Math.min(5, differences.size())));
    }

    @Test
    void theCommittedTablesAndReportAreWhatTheCommittedJsonGives() throws IOException {
        AnalysisResult committed = AnalysisFiles.read(ANALYSIS);
        assertEquals(text(AnalysisFiles.REPORT), AnalysisReport.document(committed), AnalysisFiles.REPORT);
        assertEquals(text("spectrum.csv"), AnalysisFiles.spectrumCsv(committed), "spectrum.csv");
        assertEquals(text("similarity.csv"), AnalysisFiles.similarityCsv(committed), "similarity.csv");
        assertEquals(text("table7.csv"), AnalysisFiles.table7Csv(committed), "table7.csv");
        assertEquals(text("full-in-adapters.csv"), AnalysisFiles.fullInAdaptersCsv(committed), "full-in-adapters.csv");
        assertEquals(text("accuracy.csv"), AnalysisFiles.accuracyCsv(committed), "accuracy.csv");
        // written before the shared mapper, the committed file may lack the final newline Json.pretty gives every JSON file
        String json = text(AnalysisFiles.JSON);
        assertEquals(json.endsWith("\n") ? json : json + "\n", AnalysisFiles.json(committed), "the record writes back to " + AnalysisFiles.JSON);
    }

    private static String text(String name) throws IOException {
        return Files.readString(ANALYSIS.resolve(name));
    }

    @Test
    void theDocsSectionIsDrawnFromTheCommittedAnalysis() {
        // docs/analysis.md sits one folder down, so its charts are under ../results/analysis
        Path doc = ROOT.resolve("docs/analysis.md");
        String text = AnalysisReport.readText(doc);
        String expected = AnalysisReport.withSection(text, AnalysisReport.section(AnalysisFiles.read(ANALYSIS), "../results/analysis"), doc);
        assertEquals(expected, text, "docs/analysis.md's analysis section is not what runner analyze --readme docs/analysis.md writes from results/analysis");
    }

    /** Numbers within 1e-9 (relative above 1): the same SVDs, up to the last bits a different CPU or JDK may round. */
    private static void compare(String path, JsonNode expected, JsonNode actual, List<String> differences) {
        if (expected.isNumber() && actual.isNumber()) {
            double e = expected.asDouble(), a = actual.asDouble();
            if (!(Math.abs(e - a) <= 1e-9 * Math.max(1, Math.abs(e)))) differences.add(path + ": committed " + e + ", recomputed " + a);
        } else if (expected.isContainerNode() && actual.isContainerNode() && expected.size() == actual.size()) {
            if (expected.isArray()) {
                for (int i = 0; i < expected.size(); i++) compare(path + "[" + i + "]", expected.get(i), actual.get(i), differences);
            } else {
                for (Iterator<String> names = expected.fieldNames(); names.hasNext(); ) {
                    String name = names.next();
                    compare(path + "." + name, expected.get(name), actual.path(name), differences);
                }
            }
        } else if (!expected.equals(actual)) {
            differences.add(path + ": committed " + expected + ", recomputed " + actual);
        }
    }
}
