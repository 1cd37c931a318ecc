package dev.toylora.runner.experiment;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one YAML document into a Jackson tree with the streaming parser, recording where every dotted path
 * was written (a {@link JsonNode} keeps no locations). Refuses what an experiment file never needs and an
 * attacker would use: aliases (the "billion laughs"), nesting deeper than {@value #MAX_DEPTH}, more than one
 * document, more than {@value #MAX_CHARS} characters.
 */
final class YamlReader {

    static final int MAX_CHARS = 1 << 20;
    static final int MAX_DEPTH = 16;
    static final int MAX_ALIASES = 50;

    static final YAMLFactory FACTORY = factory();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final YAMLParser parser;
    private final BiFunction<Integer, Integer, String> where;
    private final @Nullable Locations locations;
    private final String prefix;
    private final List<Problem> problems;

    /** A problem after which reading cannot go on. */
    static final class Fatal extends Exception {
        @java.io.Serial
        private static final long serialVersionUID = 1L;
        final transient Problem problem;

        Fatal(Problem problem) {
            super(problem.toString(), null, false, false);
            this.problem = problem;
        }
    }

    private static YAMLFactory factory() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowDuplicateKeys(false);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_CHARS);
        options.setAllowRecursiveKeys(false);
        return YAMLFactory.builder()
                .loaderOptions(options)
                // allowDuplicateKeys(false) turns on Jackson's detection, which stops at the first duplicate
                // and points past it; we detect duplicates ourselves, reporting each at its key, and go on.
                .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH + 4)
                        .maxStringLength(MAX_CHARS)
                        .maxNumberLength(100)
                        .build())
                .build();
    }

    private YamlReader(YAMLParser parser, BiFunction<Integer, Integer, String> where, @Nullable Locations locations,
                       String prefix, List<Problem> problems) {
        this.parser = parser;
        this.where = where;
        this.locations = locations;
        this.prefix = prefix;
        this.problems = problems;
    }

    /**
     * Reads {@code text}; returns null for an empty document (nothing, only comments, or a bare {@code ---}).
     * Non-fatal problems (duplicate keys, tags) go to {@code problems}.
     *
     * @param where     (line, column) → location text
     * @param locations where to record the location of each path, or null not to
     * @param prefix    dotted path of the document's root ("" for a file)
     */
    static @Nullable JsonNode read(String text, BiFunction<Integer, Integer, String> where,
                                   @Nullable Locations locations, String prefix, List<Problem> problems) throws Fatal {
        if (text.length() > MAX_CHARS) {
            throw new Fatal(new Problem(where.apply(1, 1), prefix,
                    "too large: " + text.length() + " characters; experiment files are limited to 1 MiB"));
        }
        try (YAMLParser p = FACTORY.createParser(text)) {
            YamlReader r = new YamlReader(p, where, locations, prefix, problems);
            JsonToken first = p.nextToken();
            if (first == null) return null;
            if ((first == JsonToken.VALUE_NULL || first == JsonToken.VALUE_STRING) && p.getText().isEmpty()
                    && !p.isCurrentAlias() && p.getTypeId() == null) {
                // a bare "---": an empty document
                if (p.nextToken() == null) return null;
                throw r.fatal(prefix, "more than one YAML document ('---'); an experiment is one document");
            }
            JsonNode root = r.value(prefix, 0);
            if (p.nextToken() != null) {
                throw r.fatal(prefix, "more than one YAML document ('---'); an experiment is one document");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new Fatal(syntaxProblem(e, where, prefix));
        } catch (IOException e) {
            throw new Fatal(new Problem(where.apply(1, 1), prefix, "cannot read: " + e.getMessage()));
        }
    }

    private String here() {
        JsonLocation l = parser.currentTokenLocation();
        return where.apply(l.getLineNr(), l.getColumnNr());
    }

    private Fatal fatal(String path, String message) {
        return new Fatal(new Problem(here(), path, message));
    }

    private JsonNode value(String path, int depth) throws IOException, Fatal {
        if (depth > MAX_DEPTH) {
            throw fatal(path, "nested more than " + MAX_DEPTH + " levels deep; an experiment file never needs that");
        }
        if (parser.isCurrentAlias()) {
            throw fatal(path, "YAML aliases (*" + parser.getText() + ") are not allowed in experiment files"
                    + " (they can expand exponentially, as in the \"billion laughs\" attack); write the value out");
        }
        String at = here();
        // the root's own position is not recorded: a default then falls back to the bare file name
        if (locations != null && !path.isEmpty()) locations.value(path, at);
        String tag = parser.getTypeId();
        if (tag != null) {
            problems.add(new Problem(at, path, "YAML tags (!" + tag.replaceFirst("^tag:yaml.org,2002:", "!")
                    + ") are not supported in experiment files; write the plain value"));
        }
        JsonToken t = parser.currentToken();
        switch (t) {
            case START_OBJECT: {
                ObjectNode node = NODES.objectNode();
                Map<String, String> firstAt = new HashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    String keyAt = here();
                    JsonLocation l = parser.currentTokenLocation();
                    String child = childPath(path, key);
                    parser.nextToken();
                    String previous = firstAt.putIfAbsent(key, "line " + l.getLineNr() + ", column " + l.getColumnNr());
                    if (previous != null) {
                        problems.add(new Problem(keyAt, child,
                                "duplicate key '" + key + "' (first given at " + previous + "); give each key once"));
                        parser.skipChildren(); // keep the first
                        continue;
                    }
                    if (locations != null) locations.key(child, keyAt);
                    node.set(key, value(child, depth + 1));
                }
                return node;
            }
            case START_ARRAY: {
                ArrayNode node = NODES.arrayNode();
                int i = 0;
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    node.add(value(path + "[" + i++ + "]", depth + 1));
                }
                return node;
            }
            case VALUE_STRING:
                // "key:" with nothing after it; no setting takes an empty text, so treat it as no value
                return parser.getText().isEmpty() ? NODES.nullNode() : NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT:
                switch (parser.getNumberType()) {
                    case INT: return NODES.numberNode(parser.getIntValue());
                    case LONG: return NODES.numberNode(parser.getLongValue());
                    default: return NODES.numberNode(parser.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(parser.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw fatal(path, "unexpected YAML content: " + t);
        }
    }

    /** Sweep keys are dotted paths themselves; everywhere else a key is one segment. */
    private static String childPath(String path, String key) {
        return Schema.join(path, key);
    }

    private static Problem syntaxProblem(JsonProcessingException e, BiFunction<Integer, Integer, String> where,
                                         String prefix) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MarkedYAMLException m) {
                Mark mark = m.getProblemMark() != null ? m.getProblemMark() : m.getContextMark();
                Mark begun = m.getContextMark();
                String context = m.getContext() == null ? "" : m.getContext()
                        + (begun != null && begun != mark ? " (begun at line " + (begun.getLine() + 1) + ", column "
                        + (begun.getColumn() + 1) + ")" : "") + ": ";
                String what = context + (m.getProblem() != null ? m.getProblem() : m.getMessage());
                int line = mark != null ? mark.getLine() + 1 : 1;
                int column = mark != null ? mark.getColumn() + 1 : 1;
                return new Problem(where.apply(line, column), prefix, "invalid YAML: " + oneLine(what));
            }
        }
        JsonLocation l = e.getLocation();
        String what = e.getOriginalMessage();
        if (what != null && what.startsWith("Duplicate field")) what = "duplicate key: " + what;
        return new Problem(l == null ? where.apply(1, 1) : where.apply(l.getLineNr(), l.getColumnNr()), prefix,
                "invalid YAML: " + oneLine(what == null ? e.toString() : what));
    }

    private static String oneLine(String s) {
        List<String> parts = new ArrayList<>();
        for (String line : s.split("\\R")) {
            if (!line.isBlank()) parts.add(line.trim());
        }
        return String.join(" ", parts);
    }
}
