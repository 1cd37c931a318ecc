package dev.toylora.runner.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toylora.runner.io.MarkdownTable;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The keys an experiment file may hold, read from their declarations ({@link Setting} on the components of
 * {@link Experiment} and the records under it); "did you mean …?" for the ones it may not.
 */
final class Schema {

    /**
     * One settable key as declared.
     *
     * @param path         dotted, e.g. {@code finetune.lora.rank}
     * @param type         the record component's type: int, long, double, boolean, String, an enum, or a List
     * @param defaultValue the declared default; null when it is {@link Setting#derived()} from other values
     */
    record Key(String path, Class<?> type, Setting setting, @Nullable JsonNode defaultValue) {

        String name() {
            return path.substring(path.lastIndexOf('.') + 1);
        }

        String section() {
            int dot = path.lastIndexOf('.');
            return dot < 0 ? "" : path.substring(0, dot);
        }

        boolean isList() {
            return List.class.isAssignableFrom(type);
        }

        /** Text in the file: a string or an enum's name. */
        boolean isText() {
            return type == String.class || type.isEnum();
        }

        /** The values allowed, for a key that takes one of a few; empty for any other. */
        List<String> choices() {
            if (type.isEnum()) return Arrays.stream(type.getEnumConstants()).map(Object::toString).toList();
            return List.of(setting.choices());
        }

        /** What a value must be, as messages and the key listing say it ("an integer >= 1", "one of lora, full, none"). */
        String expected() {
            Setting s = setting;
            if (type == int.class) {
                return s.max() >= Integer.MAX_VALUE ? "an integer >= " + fmt(s.min())
                        : "an integer between " + fmt(s.min()) + " and " + fmt(s.max());
            }
            if (type == long.class) return "an integer (64-bit)";
            if (type == double.class) {
                return "a number " + (s.max() == Double.POSITIVE_INFINITY
                        ? (s.minExcluded() ? "> " : ">= ") + fmt(s.min())
                        : "in " + (s.minExcluded() ? "(" : "[") + fmt(s.min()) + ", " + fmt(s.max()) + (s.maxExcluded() ? ")" : "]"));
            }
            if (type == boolean.class) return "true or false";
            if (!choices().isEmpty()) return "one of " + String.join(", ", choices());
            return switch (s.list()) {
                case CLASSES -> (s.minSize() == 0 ? "a list" : "a non-empty list") + " of distinct classes "
                        + fmt(s.min()) + ".." + fmt(s.max());
                case WIDTHS -> "a list of " + s.minSize() + " to " + s.maxSize() + " widths, each " + fmt(s.min()) + ".."
                        + fmt(s.max());
                case LAYERS -> "a non-empty list of distinct layer names of the model (fc1, fc2, …)";
                case NOTHING -> s.expected();
            };
        }

        /** The default as the key listing shows it. */
        String defaultText() {
            return setting.derived().isEmpty() ? setting.value() : "(" + setting.derived() + ")";
        }
    }

    /** Every settable key, in the documented order (that of the records' components). */
    static final List<Key> KEYS;

    /** Section path ("" = top level) → its keys, in the documented order. */
    static final Map<String, List<String>> SECTIONS;

    /** Leaves whose value is text: an override such as {@code name=yes} keeps the text as written. */
    static final Set<String> TEXT_LEAVES;

    /** Leaves whose value is a list. */
    static final Set<String> LIST_LEAVES;

    /** The help line of the {@code sweep} block, which is not a setting itself. */
    private static final String SWEEP_HELP;

    static {
        List<Key> keys = new ArrayList<>();
        Map<String, List<String>> sections = new LinkedHashMap<>();
        String[] sweepHelp = {""};
        declare(Experiment.class, "", keys, sections, sweepHelp);
        KEYS = List.copyOf(keys);
        sections.replaceAll((k, v) -> List.copyOf(v));
        SECTIONS = Collections.unmodifiableMap(sections);
        TEXT_LEAVES = keys.stream().filter(Key::isText).map(Key::path).collect(Collectors.toUnmodifiableSet());
        LIST_LEAVES = keys.stream().filter(Key::isList).map(Key::path).collect(Collectors.toUnmodifiableSet());
        SWEEP_HELP = sweepHelp[0];
    }

    private Schema() {}

    /** Reads the declarations of {@code type}'s components into {@code keys} and {@code sections}, depth first. */
    private static void declare(Class<?> type, String section, List<Key> keys, Map<String, List<String>> sections,
                                String[] sweepHelp) {
        List<String> names = sections.computeIfAbsent(section, s -> new ArrayList<>());
        for (RecordComponent c : type.getRecordComponents()) {
            String name = kebab(c.getName());
            String path = join(section, name);
            names.add(name);
            Setting setting = c.getAnnotation(Setting.class);
            if (setting == null && c.getType().isRecord()) {
                declare(c.getType(), path, keys, sections, sweepHelp);
            } else if (setting == null) {
                throw new IllegalStateException(type.getSimpleName() + "." + c.getName() + " is neither a section nor a @Setting");
            } else if (c.getType() == SweepConfig.class) {
                sweepHelp[0] = setting.help();
            } else {
                keys.add(new Key(path, c.getType(), setting, defaultValue(path, setting)));
            }
        }
    }

    private static @Nullable JsonNode defaultValue(String path, Setting setting) {
        if (!setting.derived().isEmpty()) return null;
        try {
            JsonNode value = YamlReader.read(setting.value(), (line, column) -> "@Setting of " + path, null, path, new ArrayList<>());
            if (value == null) throw new IllegalStateException(path + " declares no default; give value or derived");
            return value;
        } catch (YamlReader.Fatal e) {
            throw new IllegalStateException("the default of " + path + " is not YAML: " + e.problem, e);
        }
    }

    /** {@code batchSize} → {@code batch-size}, as Jackson's kebab-case naming of the same component. */
    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** The key at {@code path}; an error for a path that is not a settable key. */
    static Key key(String path) {
        return KEYS.stream().filter(k -> k.path().equals(path)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no key " + path));
    }

    /** Every key with its type, default and help line, one a line: what {@code runner keys} prints. */
    static String listing() {
        MarkdownTable table = new MarkdownTable().left("key").left("value").left("default").left("what it does");
        for (Key k : KEYS) table.row(k.path(), k.expected(), k.defaultText(), k.setting().help());
        table.row("sweep", "a mapping of dotted keys to lists of values", "(none)", SWEEP_HELP);
        return table.toString();
    }

    static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    static String join(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static boolean isSection(String path) {
        return SECTIONS.containsKey(path) && !path.isEmpty();
    }

    /** A settable key other than a section and other than {@code sweep}. */
    static boolean isLeaf(String path) {
        return KEYS.stream().anyMatch(k -> k.path().equals(path));
    }

    /** Every leaf, as a dotted path, in documented order. */
    static List<String> leaves() {
        return KEYS.stream().map(Key::path).toList();
    }

    /** Every section and leaf path. */
    static List<String> allPaths() {
        List<String> out = new ArrayList<>();
        SECTIONS.forEach((section, keys) -> {
            for (String k : keys) out.add(join(section, k));
        });
        return out;
    }

    /** Message for an unknown key {@code key} inside section {@code section}. */
    static String unknownKey(String section, String key) {
        List<String> valid = SECTIONS.getOrDefault(section, List.of());
        StringBuilder m = new StringBuilder("unknown key");
        String near = Typos.nearest(key, valid);
        if (near != null) {
            m.append(" (did you mean '").append(near).append("'?)");
        } else if (section.isEmpty() && (isLeaf(key) || isSection(key))) {
            m.append(" (dotted keys are for overrides and sweep; in a file nest it: ")
                    .append(nested(key)).append(")");
        } else {
            String elsewhere = elsewhere(key);
            if (elsewhere != null) m.append(" (did you mean '").append(elsewhere).append("'?)");
        }
        m.append("; the keys ").append(section.isEmpty() ? "at the top level" : "of " + section)
                .append(" are ").append(String.join(", ", valid));
        return m.toString();
    }

    /** Message for a dotted key (override or sweep) that is not a leaf of the schema. */
    static String unknownPath(String path, List<String> candidates) {
        StringBuilder m = new StringBuilder("unknown key");
        String near = Typos.nearest(path, candidates);
        if (near == null) near = elsewhere(path.substring(path.lastIndexOf('.') + 1));
        if (near != null) m.append(" (did you mean '").append(near).append("'?)");
        return m.toString();
    }

    private static String nested(String dotted) {
        String[] parts = dotted.split("\\.");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            b.append(parts[i]).append(i < parts.length - 1 ? ": { " : ": …");
        }
        b.append(" }".repeat(parts.length - 1));
        return b.toString();
    }

    /** A leaf elsewhere in the schema whose last segment is {@code key} (or nearly), e.g. rank → finetune.lora.rank. */
    private static @Nullable String elsewhere(String key) {
        List<String> matches = new ArrayList<>();
        for (String path : allPaths()) {
            String last = path.substring(path.lastIndexOf('.') + 1);
            if (Typos.normalise(last).equals(Typos.normalise(key))) matches.add(path);
        }
        if (matches.isEmpty()) {
            for (String path : allPaths()) {
                String last = path.substring(path.lastIndexOf('.') + 1);
                if (key.length() >= 4 && Typos.distance(Typos.normalise(last), Typos.normalise(key)) <= 1) matches.add(path);
            }
        }
        return matches.isEmpty() ? null : String.join("' or '", matches);
    }
}
