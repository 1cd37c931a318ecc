package dev.toylora.runner.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The runs under a results folder that the page can show: a folder with a per-class table ({@code per_class.csv})
 * or sweep charts ({@code sweep.png}, {@code sweep.svg}); paths relative to the folder, for {@code GET /results/…}.
 */
final class ResultsFolder {
    private static final int MAX_DEPTH = 3;
    private static final int MAX_RUNS = 200;
    private static final Set<String> SKIP = Set.of("checkpoints", "bases", "logs");
    private static final List<String> CHARTS = List.of("sweep.png", "sweep.svg");

    private ResultsFolder() {}

    static ObjectNode list(@Nullable Path root) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ArrayNode runs = o.putArray("runs");
        if (root == null || !Files.isDirectory(root)) return o;
        try (Stream<Path> walk = Files.walk(root, MAX_DEPTH)) {
            Iterator<Path> dirs = walk.filter(d -> !d.equals(root) && Files.isDirectory(d)).filter(d -> !skipped(root, d)).sorted().iterator();
            while (dirs.hasNext() && runs.size() < MAX_RUNS) {
                Path dir = dirs.next();
                boolean perClass = Files.isRegularFile(dir.resolve("per_class.csv"));
                List<String> charts = CHARTS.stream().filter(c -> Files.isRegularFile(dir.resolve(c))).toList();
                if (!perClass && charts.isEmpty()) continue;
                String name = root.relativize(dir).toString().replace('\\', '/');
                ObjectNode run = runs.addObject().put("name", name);
                if (perClass) run.put("perClass", name + "/per_class.csv");
                if (Files.isRegularFile(dir.resolve("sweep.csv"))) run.put("sweep", name + "/sweep.csv");
                ArrayNode chartList = run.putArray("charts");
                charts.forEach(c -> chartList.add(name + "/" + c));
            }
        } catch (IOException | UncheckedIOException e) {
            o.put("error", "could not list the results folder: " + e.getMessage());
        }
        return o;
    }

    private static boolean skipped(Path root, Path dir) {
        for (Path part : root.relativize(dir)) {
            String s = part.toString();
            if (s.startsWith(".") || SKIP.contains(s)) return true;
        }
        return false;
    }
}
