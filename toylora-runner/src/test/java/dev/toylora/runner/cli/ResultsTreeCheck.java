package dev.toylora.runner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.toylora.io.files.AtomicFiles;
import dev.toylora.io.safetensors.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Looks through a results folder as a reader would after the runner was stopped: every file that is not hidden
 * must read completely (JSON parses, safetensors decode, CSV has a header and whole rows, PNG decodes, SVG is
 * closed), every results folder holds all its files, and the only hidden entries are the base cache and what
 * {@link AtomicFiles} writes aside.
 */
final class ResultsTreeCheck {
    static final ObjectMapper JSON = new ObjectMapper();
    static final YAMLMapper YAML = new YAMLMapper();
    /** What a published folder of one run (or one trial) holds, besides the checkpoints its metrics.json names. */
    static final List<String> RUN_FILES = List.of("metrics.json", "per_class.csv", "history.csv", "comparison.md", "experiment.yaml");

    /** What was found: the problems (empty when all is well) and the entries written aside. */
    record Report(List<String> problems, List<Path> aside, int filesChecked) {}

    private ResultsTreeCheck() {}

    static Report check(Path root) {
        List<String> problems = new ArrayList<>();
        List<Path> aside = new ArrayList<>();
        int[] checked = {0};
        if (!Files.exists(root)) return new Report(problems, aside, 0);
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted().toList()) {
                if (p.equals(root)) continue;
                Path rel = root.relativize(p);
                if (underAside(rel)) {
                    if (AtomicFiles.isAside(p.getFileName().toString())) aside.add(p);
                    continue;
                }
                String name = p.getFileName().toString();
                if (name.startsWith(".") && !(name.equals(".cache") && rel.getNameCount() == 1)) {
                    problems.add(rel + ": a hidden entry that is neither the base cache nor something written aside");
                    continue;
                }
                if (Files.isDirectory(p)) {
                    if (Files.isRegularFile(p.resolve("metrics.json")) || looksLikeRunFolder(p)) {
                        for (String missing : missingFromRunFolder(p)) problems.add(rel + ": results folder without " + missing);
                    }
                    continue;
                }
                checked[0]++;
                String problem = checkFile(p);
                if (problem != null) problems.add(rel + ": " + problem);
            }
        } catch (IOException | UncheckedIOException e) {
            problems.add("cannot walk " + root + ": " + e);
        }
        return new Report(problems, aside, checked[0]);
    }

    /**
     * What a results folder lacks: any of {@link #RUN_FILES}, and any checkpoint its metrics.json names (a path relative
     * to the folder: a sweep's trials share {@code ../bases/base-<key>.safetensors}) that is not there or does not read.
     * Without a {@code checkpoints} entry (older results), {@code checkpoints/base.safetensors} and
     * {@code checkpoints/adapter.safetensors}.
     */
    static List<String> missingFromRunFolder(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String f : RUN_FILES) if (!Files.isRegularFile(dir.resolve(f))) missing.add(f);
        List<String> checkpoints = new ArrayList<>(List.of("checkpoints/base.safetensors", "checkpoints/adapter.safetensors"));
        try {
            JsonNode named = JSON.readTree(dir.resolve("metrics.json").toFile()).get("checkpoints");
            if (named != null && named.isObject()) {
                checkpoints.clear();
                named.elements().forEachRemaining(n -> checkpoints.add(n.asText()));
                if (checkpoints.size() < 2) missing.add("a base and an adapter in metrics.json's checkpoints: " + named);
            }
        } catch (IOException | RuntimeException e) {
            // reported as a missing or unreadable metrics.json
        }
        for (String c : checkpoints) {
            Path file = dir.resolve(c).normalize();
            try {
                Safetensors.read(file);
            } catch (RuntimeException e) {
                missing.add(c + " (" + e.getMessage() + ")");
            }
        }
        return missing;
    }

    /** A folder with a checkpoints/ folder or any file of a run is a results folder and must be whole. */
    private static boolean looksLikeRunFolder(Path dir) {
        if (Files.isDirectory(dir.resolve("checkpoints"))) return true;
        for (String f : RUN_FILES) if (Files.exists(dir.resolve(f)) && !f.equals("experiment.yaml")) return true;
        return false;
    }

    private static boolean underAside(Path rel) {
        for (Path part : rel) if (AtomicFiles.isAside(part.toString())) return true;
        return false;
    }

    private static String checkFile(Path p) {
        String name = p.getFileName().toString();
        try {
            byte[] bytes = Files.readAllBytes(p);
            if (bytes.length == 0) return "empty";
            if (name.endsWith(".json")) {
                JsonNode node = JSON.readTree(bytes);
                if (node == null || !node.isObject()) return "not a JSON object";
                return null;
            }
            if (name.endsWith(".safetensors")) {
                Safetensors.read(p);
                return null;
            }
            if (name.endsWith(".csv")) return checkCsv(new String(bytes, StandardCharsets.UTF_8));
            if (name.endsWith(".yaml")) {
                return YAML.readTree(bytes).isObject() ? null : "not a YAML mapping";
            }
            if (name.endsWith(".md")) return new String(bytes, StandardCharsets.UTF_8).endsWith("\n") ? null : "does not end with a newline";
            if (name.endsWith(".png")) return ImageIO.read(p.toFile()) == null ? "not a readable PNG" : null;
            if (name.endsWith(".svg")) return new String(bytes, StandardCharsets.UTF_8).trim().endsWith("</svg>") ? null : "SVG not closed";
            return "unexpected file";
        } catch (Exception e) {
            return "does not read: " + e;
        }
    }

    private static String checkCsv(String text) {
        if (!text.endsWith("\n")) return "the last row is not ended";
        String[] lines = text.split("\n", -1);
        int columns = fields(lines[0]);
        if (columns < 2) return "no header";
        for (int i = 1; i < lines.length - 1; i++) {
            if (fields(lines[i]) != columns) return "row " + i + " has " + fields(lines[i]) + " fields, the header " + columns;
        }
        return null;
    }

    private static int fields(String line) {
        int n = 1;
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) n++;
        }
        return n;
    }
}
