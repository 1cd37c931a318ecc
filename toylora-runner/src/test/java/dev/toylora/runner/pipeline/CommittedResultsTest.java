package dev.toylora.runner.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.toylora.runner.experiment.ExperimentParser;
import dev.toylora.runner.io.Csv;
import dev.toylora.runner.io.Json;
import dev.toylora.runner.results.ComparisonTable;
import dev.toylora.runner.results.Metrics;
import dev.toylora.runner.train.ClassAccuracy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed results/ tree, written before metrics.json became a record and CSV went through a library, is what
 * the writers produce today, byte for byte: the formats did not move.
 */
class CommittedResultsTest {

    private static Path results() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("results"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("cannot find the repository's results/");
        return dir.resolve("results");
    }

    private static List<Path> files(String name) throws IOException {
        try (Stream<Path> all = Files.walk(results())) {
            List<Path> found = all.filter(p -> p.getFileName().toString().equals(name))
                    .filter(p -> !results().relativize(p).toString().startsWith(".")).sorted().toList();
            assertFalse(found.isEmpty(), "no " + name + " under " + results());
            return found;
        }
    }

    @Test
    void metricsJsonIsTheRecordWrittenByTheSharedMapper() throws IOException {
        for (Path file : files("metrics.json")) {
            JsonNode tree = Json.read(file);
            // a run's config has no sweep block; the record always has one (empty), which the file leaves out
            ObjectNode config = (ObjectNode) tree.get("config");
            if (!config.has("sweep")) config.putObject("sweep");
            Metrics metrics = Json.MAPPER.treeToValue(tree, Metrics.class);
            assertEquals(Files.readString(file), Json.pretty(metrics), file.toString());
        }
    }

    @Test
    void experimentYamlComparisonAndPerClassCsvFollowFromMetrics() throws IOException {
        for (Path file : files("metrics.json")) {
            Path dir = file.getParent();
            JsonNode m = Json.read(file);
            assertEquals(Files.readString(dir.resolve("experiment.yaml")),
                    ExperimentParser.toYaml(ExperimentParser.fromJsonNode(m.get("config"), file.toString())), dir + "/experiment.yaml");
            ClassAccuracy base = accuracy(m.get("base"));
            Optional<ClassAccuracy> adapted = Optional.ofNullable(m.get("adapted")).map(CommittedResultsTest::accuracy);
            List<Integer> old = ints(m.at("/classes/old"));
            List<Integer> fresh = ints(m.at("/classes/new"));
            // runs before class names were recorded named their classes by number
            List<String> names = m.at("/data/class_names").isArray() ? texts(m.at("/data/class_names")) : ComparisonTable.numbers(base.classes());
            assertEquals(Files.readString(dir.resolve("comparison.md")), ComparisonTable.markdown(base, adapted, old, fresh, names),
                    dir + "/comparison.md");
            RunResult result = new RunResult(m.get("name").asText(), dir, base, adapted, old, fresh, List.of(), 0, 0, 0, 0, 0, 0, false, names);
            assertEquals(Files.readString(dir.resolve("per_class.csv")), ResultsWriter.perClassCsv(result), dir + "/per_class.csv");
        }
    }

    @Test
    void everyCommittedCsvReadsBackToTheSameBytes() throws IOException {
        CsvMapper reader = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build();
        for (String name : List.of("history.csv", "sweep.csv", "adapters.csv")) {
            for (Path file : files(name)) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                List<List<String>> rows = new ArrayList<>();
                try (MappingIterator<List<String>> it = reader.readerForListOf(String.class).readValues(text)) {
                    while (it.hasNext()) rows.add(it.next());
                }
                assertEquals(text, Csv.write(rows.get(0), rows.subList(1, rows.size())), file.toString());
            }
        }
    }

    @Test
    void everyOtherCommittedJsonIsWhatThePrettyWriterWrites() throws IOException {
        for (String name : List.of("sweep.json", "trial.json")) {
            for (Path file : files(name)) assertEquals(Files.readString(file), Json.pretty(Json.read(file)), file.toString());
        }
    }

    private static ClassAccuracy accuracy(JsonNode node) {
        return new ClassAccuracy(ints(node.get("correct")).stream().mapToInt(Integer::intValue).toArray(),
                ints(node.get("total")).stream().mapToInt(Integer::intValue).toArray());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(e -> out.add(e.intValue()));
        return out;
    }
}
