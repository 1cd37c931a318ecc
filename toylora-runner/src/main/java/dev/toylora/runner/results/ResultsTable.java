package dev.toylora.runner.results;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toylora.io.files.AtomicFiles;
import dev.toylora.runner.experiment.FinetuneMethod;
import dev.toylora.runner.io.Json;
import dev.toylora.runner.io.MarkdownTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The README's results table, generated from the committed {@code results/*}{@code /metrics.json}
 * so the numbers in the manual are the numbers on disk. It replaces the text between
 * {@code <!-- results-table:begin -->} and {@code <!-- results-table:end -->}.
 */
public final class ResultsTable {
    public static final String BEGIN = "<!-- results-table:begin -->";
    public static final String END = "<!-- results-table:end -->";

    private ResultsTable() {}

    /** Every metrics.json directly under {@code results/<name>/}, in the order of {@code names} first, then by name. */
    public static List<JsonNode> collect(Path resultsRoot, List<String> preferredOrder) {
        List<JsonNode> all = new ArrayList<>();
        if (!Files.isDirectory(resultsRoot)) return all;
        try (Stream<Path> dirs = Files.list(resultsRoot)) {
            for (Path dir : dirs.filter(Files::isDirectory).filter(d -> !d.getFileName().toString().startsWith(".")).sorted().toList()) {
                Path metrics = dir.resolve("metrics.json");
                if (Files.isRegularFile(metrics)) all.add(Json.read(metrics));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read results under " + resultsRoot + ": " + e.getMessage(), e);
        }
        all.sort((a, b) -> {
            int ia = rank(preferredOrder, a.path("name").asText()), ib = rank(preferredOrder, b.path("name").asText());
            return ia != ib ? Integer.compare(ia, ib) : a.path("name").asText().compareTo(b.path("name").asText());
        });
        return all;
    }

    private static int rank(List<String> order, String name) {
        int i = order.indexOf(name);
        return i < 0 ? order.size() : i;
    }

    public static String markdown(List<JsonNode> runs) {
        MarkdownTable table = new MarkdownTable().left("experiment").left("engine").left("dataset").left("method").right("replay")
                .right("trainable parameters").right("base old").right("base new").right("old after").right("new after")
                .right("overall after").right("pretrain s").right("finetune s");
        for (JsonNode m : runs) {
            JsonNode config = m.path("config");
            JsonNode finetune = config.path("finetune");
            String method = m.path("method").asText();
            if (FinetuneMethod.of(method).orElse(null) == FinetuneMethod.LORA) {
                JsonNode lora = finetune.path("lora");
                List<String> targets = new ArrayList<>();
                lora.path("targets").forEach(t -> targets.add(t.asText()));
                method = "LoRA r=" + lora.path("rank").asInt() + " on " + String.join(",", targets);
            }
            JsonNode p = m.path("parameters");
            table.row(m.path("name").asText(), m.path("backend").asText(), m.path("data").path("dataset").asText(), method,
                    finetune.path("replay").asText(),
                    String.format(Locale.ROOT, "%,d (%.1f%%)", p.path("trainable").asLong(), p.path("trainable_percent_of_total").asDouble()),
                    pct(m.path("base").path("old")), pct(m.path("base").path("new")), pct(m.path("adapted").path("old")),
                    pct(m.path("adapted").path("new")), "**" + pct(m.path("adapted").path("overall")) + "**",
                    secs(m.path("seconds").path("pretrain"), m.path("training").path("base_cached").asBoolean()),
                    secs(m.path("seconds").path("finetune"), false));
        }
        return table.toString();
    }

    /** Rewrites the marked block of {@code readme}; fails if the markers are missing. */
    public static void updateReadme(Path readme, String table) {
        try {
            AtomicFiles.write(readme, withTable(Files.readString(readme, StandardCharsets.UTF_8), table, readme));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + readme + ": " + e.getMessage(), e);
        }
    }

    /** {@code text} with the block between {@link #BEGIN} and {@link #END} replaced by {@code table}; {@code source} names it in errors. */
    public static String withTable(String text, String table, Path source) {
        int begin = text.indexOf(BEGIN), end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(source + ": expected the markers " + BEGIN + " and " + END + " around the results table");
        }
        return text.substring(0, begin + BEGIN.length()) + "\n" + table + text.substring(end);
    }

    private static String pct(JsonNode value) {
        return value.isMissingNode() || value.isNull() ? "–" : String.format(Locale.ROOT, "%.2f", value.asDouble());
    }

    private static String secs(JsonNode value, boolean cached) {
        if (cached) return "cached";
        return value.isMissingNode() ? "–" : String.format(Locale.ROOT, "%.0f", value.asDouble());
    }
}
