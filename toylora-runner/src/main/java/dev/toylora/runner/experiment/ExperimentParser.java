package dev.toylora.runner.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.toylora.runner.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads experiment files. Every key is optional (an empty mapping {@code {}} is the original project's setup);
 * every value is checked, and all problems are reported together in one {@link ExperimentException}, one per
 * line, as {@code <file>:<line>:<column>: <dotted.key>: <what is wrong, what was expected>}, e.g.
 * <pre>experiments/x.yaml:7:11: finetune.lora.rank: must be an integer >= 1, got -3</pre>
 * A problem with an override names it instead of a line: {@code override 'finetune.lora.rank=0': …}; one with
 * a default value names the nearest section written, or the bare file.
 *
 * <p>Files over 1 MiB, YAML aliases (the "billion laughs"), tags, deep nesting, several documents and
 * duplicate keys are refused. Relative paths in a file ({@code data.dir}) resolve against the current working
 * directory of the process, not against the file's directory.
 */
public final class ExperimentParser {

    /** Files larger than this are refused unread. */
    public static final int MAX_FILE_BYTES = 1 << 20;

    private static final YAMLMapper YAML = YAMLMapper.builder(YamlReader.FACTORY.copy())
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build();

    private static final Pattern LINE_COLUMN = Pattern.compile(":(\\d+):(\\d+)$");

    private ExperimentParser() {}

    /**
     * Reads, overrides and checks an experiment file. The name defaults to the file name without its extension.
     *
     * @param overrides {@code key=value} strings, Hydra style: {@code finetune.lora.rank=8}, {@code seed=7},
     *                  {@code finetune.lora.targets=[fc4]}, {@code sweep.finetune.lora.rank=[4,8]}, {@code sweep=null};
     *                  applied in order before anything is checked
     * @throws ExperimentException listing every problem
     */
    public static Experiment parse(Path file, List<String> overrides) {
        String source = file.toString();
        byte[] bytes;
        if (Files.isDirectory(file)) {
            throw new ExperimentException(new Problem(source, "", "is a directory; expected an experiment file (YAML)"));
        }
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ExperimentException(new Problem(source, "", "too large: " + size
                        + " bytes; experiment files are limited to 1 MiB (" + MAX_FILE_BYTES + " bytes)"));
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ExperimentException(new Problem(source, "", "no such file"));
        } catch (IOException e) {
            throw new ExperimentException(new Problem(source, "", "cannot read: " + e));
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new ExperimentException(new Problem(source, "", "too large: " + bytes.length
                    + " bytes; experiment files are limited to 1 MiB (" + MAX_FILE_BYTES + " bytes)"));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ExperimentException(new Problem(source, "", "not UTF-8 text; save the file as UTF-8"));
        }
        Path fileName = file.getFileName();
        return parse(text, source, defaultName(fileName == null ? source : fileName.toString()), overrides);
    }

    /**
     * Reads, overrides and checks an experiment given as text.
     *
     * @param sourceName names the text in messages ({@code sourceName:line:column}); its file name without
     *                   extension is the default experiment name
     * @throws ExperimentException listing every problem
     */
    public static Experiment parse(String text, String sourceName, List<String> overrides) {
        return parse(text, sourceName, defaultName(sourceName), overrides);
    }

    /**
     * An experiment from its JSON form (as written by {@link #toJsonNode(Experiment)}, e.g. in a results file),
     * checked like a file.
     *
     * @throws ExperimentException listing every problem
     */
    public static Experiment fromJsonNode(JsonNode node, String sourceName) {
        Locations at = new Locations(sourceName);
        if (!(node instanceof ObjectNode o)) {
            throw new ExperimentException(new Problem(sourceName, "", "an experiment must be a JSON object, got "
                    + TreeReader.describe(node)));
        }
        return resolve(o.deepCopy(), at, defaultName(sourceName), new ArrayList<>());
    }

    /**
     * Where {@code key} (a dotted path, e.g. {@code backend}) of an experiment file that {@link #parse(Path, List)}
     * accepted was written: {@code file:line:column}, {@code override '…'}, or the bare file name for a default. For
     * problems found after parsing, such as an engine that is not on the classpath.
     */
    public static String locate(Path file, List<String> overrides, String key) {
        Locations at = new Locations(file.toString());
        try {
            JsonNode root = YamlReader.read(Files.readString(file, StandardCharsets.UTF_8), at::at, at, "", new ArrayList<>());
            if (root instanceof ObjectNode tree) Overrides.apply(tree, at, overrides, new ArrayList<>());
        } catch (IOException | YamlReader.Fatal | RuntimeException e) {
            return file.toString();
        }
        return at.value(key);
    }

    /** Every key with its values, default and help line, as a markdown table: the declarations ({@link Setting}) listed. */
    public static String keys() {
        return Schema.listing();
    }

    /** Every default: the original project's setup. */
    public static Experiment defaults(String name) {
        return parse("{}", name, name, List.of());
    }

    /** The experiment as YAML with the file's kebab-case keys; {@link #parse} reads it back to an equal record. */
    public static String toYaml(Experiment experiment) {
        try {
            return YAML.writeValueAsString(toJsonNode(experiment));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The experiment as a JSON tree with the file's kebab-case keys (no {@code sweep} when there is none). */
    public static ObjectNode toJsonNode(Experiment experiment) {
        return Json.MAPPER.valueToTree(experiment);
    }

    // ----

    private static Experiment parse(String text, String source, String defaultName, List<String> overrides) {
        List<Problem> problems = new ArrayList<>();
        Locations at = new Locations(source);
        if (text.length() > MAX_FILE_BYTES || utf8Length(text) > MAX_FILE_BYTES) {
            throw new ExperimentException(new Problem(source, "", "too large: " + utf8Length(text)
                    + " bytes; experiment files are limited to 1 MiB (" + MAX_FILE_BYTES + " bytes)"));
        }
        JsonNode root;
        try {
            root = YamlReader.read(text, at::at, at, "", problems);
        } catch (YamlReader.Fatal f) {
            problems.add(f.problem);
            throw new ExperimentException(sorted(problems, source));
        }
        if (root == null) {
            problems.add(new Problem(source, "", "empty experiment file; expected a mapping of settings such as"
                    + " 'name: my-run' (write '{}' to take every default)"));
            throw new ExperimentException(problems);
        }
        if (!(root instanceof ObjectNode tree)) {
            problems.add(new Problem(at.value(""), "", "an experiment file must be a mapping of keys (name:, model:,"
                    + " pretrain:, …), got " + TreeReader.describe(root)));
            throw new ExperimentException(problems);
        }
        Overrides.apply(tree, at, overrides, problems);
        return resolve(tree, at, defaultName, problems);
    }

    private static Experiment resolve(ObjectNode tree, Locations at, String defaultName, List<Problem> problems) {
        Engines.ForFile engine = new Engines.ForFile(at.source());
        TreeReader reader = new TreeReader(at, true, engine);
        Experiment experiment = reader.read(tree, defaultName);
        problems.addAll(reader.problems());
        if (!reader.axes().isEmpty()) {
            problems.addAll(SweepGrid.check(tree, at, reader.axes(), List.copyOf(problems), defaultName, engine));
        }
        if (!problems.isEmpty()) throw new ExperimentException(sorted(problems, at.source()));
        engine.logIfChosen();
        return experiment;
    }

    /** Problems located in the file by line and column first, in order; then the rest, as found. */
    private static List<Problem> sorted(List<Problem> problems, String source) {
        List<Problem> out = new ArrayList<>(problems);
        out.sort(Comparator.comparingLong(p -> position(p, source)));
        return out;
    }

    private static long position(Problem p, String source) {
        if (!p.location().startsWith(source + ":")) return Long.MAX_VALUE;
        Matcher m = LINE_COLUMN.matcher(p.location());
        if (!m.find()) return Long.MAX_VALUE;
        return Long.parseLong(m.group(1)) * 1_000_000L + Long.parseLong(m.group(2));
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }

    /** The file name without directories and extension, made a valid name ({@code My Run.yaml} → {@code my-run}). */
    static String defaultName(String source) {
        String name = source.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1);
        name = name.replaceFirst("\\.(ya?ml|json)$", "");
        name = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[^a-z0-9]+", "");
        if (name.length() > 100) name = name.substring(0, 100);
        return name.isEmpty() ? "experiment" : name;
    }
}
