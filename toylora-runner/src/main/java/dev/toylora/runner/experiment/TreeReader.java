package dev.toylora.runner.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.api.NetworkSpec;
import dev.toylora.runner.io.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * Turns a tree (file, overrides applied) into an {@link Experiment}: fills defaults, checks every value and the
 * relations between them, and collects every problem instead of stopping at the first. Where a value is wrong
 * its default stands in, so that the checks after it still run; checks that depend on a wrong value are skipped.
 */
final class TreeReader {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static final String EMPTY_SWEEP = "empty sweep; give at least one dotted key and the values to try, "
            + "e.g. 'finetune.lora.rank: [4, 8, 16]', or delete the sweep block";

    /** One axis of a sweep as written: a leaf's dotted key and its values. */
    record SweepAxis(String key, List<JsonNode> values) {}

    private final Locations at;
    private final boolean withSweep;
    private final Supplier<String> defaultBackend;
    private final List<Problem> problems = new ArrayList<>();
    private final Set<String> bad = new HashSet<>();
    private final Set<String> given = new HashSet<>();
    private final List<SweepAxis> axes = new ArrayList<>();
    private String defaultName = "experiment";

    /**
     * @param withSweep      read and check the {@code sweep:} block's shape; false for the trees of single trials
     * @param defaultBackend the engine when none is named; throws {@link IllegalStateException} when there is none
     */
    TreeReader(Locations at, boolean withSweep, Supplier<String> defaultBackend) {
        this.at = at;
        this.withSweep = withSweep;
        this.defaultBackend = defaultBackend;
    }

    List<Problem> problems() {
        return problems;
    }

    List<SweepAxis> axes() {
        return axes;
    }

    /**
     * Every declared key in order: the value written if it is right, else its default; then the relations between
     * keys; then the values, every one of them valid by now, bound onto the records.
     */
    Experiment read(JsonNode root, String defaultName) {
        this.defaultName = defaultName;
        ObjectNode top;
        if (root instanceof ObjectNode o) {
            top = o;
            checkKeys(top, "");
        } else {
            problem("", "an experiment file must be a mapping of keys (name:, model:, pretrain:, …), got "
                    + describe(root));
            top = empty();
        }
        ObjectNode out = empty();
        Map<String, ObjectNode> sections = new HashMap<>();
        sections.put("", top);
        out.putObject("sweep"); // bound as no sweep; the sweep block is read below
        for (Schema.Key key : Schema.KEYS) {
            JsonNode written = section(sections, key.section()).get(key.name());
            JsonNode value;
            if (written == null) {
                value = defaultOf(key, out);
            } else {
                given.add(key.path());
                value = check(key, written, out);
            }
            Overrides.set(out, key.path(), checkAtMost(key, value, out));
        }
        Experiment experiment = Json.MAPPER.convertValue(out, Experiment.class);
        checkClasses(experiment);
        if (experiment.finetune().method() == FinetuneMethod.LORA) checkLoraAgainstModel(experiment);
        checkRetention(experiment);
        return withSweep ? experiment.withSweep(sweep(top)) : experiment;
    }

    // ---- one value against its declaration

    /** The section at {@code path} of the file, checked once; an empty one where it is missing or wrong. */
    private ObjectNode section(Map<String, ObjectNode> sections, String path) {
        ObjectNode known = sections.get(path);
        if (known != null) return known;
        ObjectNode parent = section(sections, Locations.parent(path));
        JsonNode n = parent.get(last(path));
        ObjectNode section = empty();
        if (n instanceof ObjectNode o) {
            checkKeys(o, path);
            section = o;
        } else if (n != null) {
            problem(path, "must be a mapping with the keys " + String.join(", ", Schema.SECTIONS.get(path))
                    + ", got " + describe(n));
        }
        sections.put(path, section);
        return section;
    }

    private void checkKeys(ObjectNode node, String section) {
        List<String> valid = Schema.SECTIONS.get(section);
        node.fieldNames().forEachRemaining(k -> {
            if (!valid.contains(k)) keyProblem(Schema.join(section, k), Schema.unknownKey(section, k));
        });
    }

    /** The declared default, or the one that follows from what was read before it (or from the file's name). */
    private JsonNode defaultOf(Schema.Key key, ObjectNode out) {
        JsonNode declared = key.defaultValue();
        if (declared != null) return declared;
        return switch (key.path()) {
            case "name" -> NODES.textNode(defaultName);
            case "backend" -> NODES.textNode(defaultBackend());
            case "data.dir" -> NODES.textNode(DataConfig.defaultDir(out.at("/data/dataset").textValue()));
            case "finetune.lora.targets" -> Json.MAPPER.valueToTree(layers(out));
            default -> throw new IllegalStateException(key.path() + " declares a derived default that nothing derives");
        };
    }

    private String defaultBackend() {
        try {
            return defaultBackend.get();
        } catch (IllegalStateException e) {
            problem("backend", e.getMessage());
            return "none";
        }
    }

    /** The layer names of the model as read (the default model's where its widths are wrong). */
    private static List<String> layers(ObjectNode out) {
        List<Integer> hidden = new ArrayList<>();
        out.at("/model/hidden").forEach(w -> hidden.add(w.intValue()));
        return layerNames(hidden);
    }

    /** {@code n} if it is a right value for {@code key}; else the default, with the problem recorded. */
    private JsonNode check(Schema.Key key, JsonNode n, ObjectNode out) {
        Setting s = key.setting();
        Class<?> type = key.type();
        if (key.isList()) return list(key, n, out);
        boolean right;
        String near = null;
        if (type == int.class) {
            right = isInt(n, s);
        } else if (type == long.class) {
            right = n.isIntegralNumber() && n.canConvertToLong();
        } else if (type == double.class) {
            right = n.isNumber() && inRange(n.doubleValue(), s);
        } else if (type == boolean.class) {
            right = n.isBoolean();
        } else if (!key.choices().isEmpty()) {
            right = n.isTextual() && key.choices().contains(n.textValue());
            near = n.isTextual() ? Typos.nearest(n.textValue(), key.choices()) : null;
        } else {
            right = n.isTextual() && !n.textValue().isBlank()
                    && (s.pattern().isEmpty() || n.textValue().matches(s.pattern()));
        }
        if (right) return n;
        problem(key.path(), "must be " + key.expected() + ", got " + describe(n)
                + (near != null ? " (did you mean '" + near + "'?)" : ""));
        return defaultOf(key, out);
    }

    private static boolean isInt(JsonNode n, Setting s) {
        return n.isIntegralNumber() && n.canConvertToInt() && n.intValue() >= s.min() && n.intValue() <= s.max();
    }

    private static boolean inRange(double v, Setting s) {
        return Double.isFinite(v) && (s.minExcluded() ? v > s.min() : v >= s.min())
                && (s.maxExcluded() ? v < s.max() : v <= s.max());
    }

    /** A number at most another key of its section ({@link Setting#atMost()}); else 0, with the problem recorded. */
    private JsonNode checkAtMost(Schema.Key key, JsonNode value, ObjectNode out) {
        String other = key.setting().atMost();
        if (other.isEmpty()) return value;
        String otherPath = Schema.join(key.section(), other);
        int limit = out.at("/" + otherPath.replace('.', '/')).intValue();
        if (ok(key.path()) && ok(otherPath) && value.intValue() > limit) {
            problem(key.path(), "must be at most " + otherPath + " (" + limit + "), got " + value.intValue());
            return NODES.numberNode(0);
        }
        return value;
    }

    /** A list of classes, widths or layer names; the default where it is wrong as a whole or in any element. */
    private JsonNode list(Schema.Key key, JsonNode n, ObjectNode out) {
        String path = key.path();
        Setting s = key.setting();
        JsonNode fallback = defaultOf(key, out);
        String range = Schema.fmt(s.min()) + ".." + Schema.fmt(s.max());
        boolean classes = s.list() == Setting.ListOf.CLASSES;
        if (!n.isArray() || (!classes && n.isEmpty()) || n.size() > s.maxSize()) {
            problem(path, "must be " + switch (s.list()) {
                case WIDTHS -> "a list of " + s.minSize() + " to " + s.maxSize() + " hidden-layer widths, e.g. " + s.value();
                case LAYERS -> "a non-empty list of layer names, e.g. [" + String.join(", ", texts(fallback)) + "]";
                default -> "a list of classes " + range + ", e.g. [8, 9]";
            } + ", got " + describe(n));
            return fallback;
        }
        if (n.size() < s.minSize()) {
            problem(path, "must list at least one class (" + range + "), got []");
            return fallback;
        }
        List<JsonNode> seen = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            String wrong = switch (s.list()) {
                case CLASSES -> isInt(e, s) ? null : "must be a class between " + Schema.fmt(s.min()) + " and " + Schema.fmt(s.max());
                case WIDTHS -> isInt(e, s) ? null : "must be an integer between " + Schema.fmt(s.min()) + " and " + Schema.fmt(s.max());
                default -> e.isTextual() ? null : "must be a layer name such as fc1";
            };
            if (wrong == null && s.list() != Setting.ListOf.WIDTHS && seen.contains(e)) {
                wrong = classes ? "repeats class " + e.intValue() + "; list each class once"
                        : "repeats " + e.textValue() + "; name each layer once";
            } else if (wrong != null) {
                wrong += ", got " + describe(e);
            }
            if (wrong != null) problem(path + "[" + i + "]", wrong);
            if (wrong != null) bad.add(path);
            else seen.add(e);
        }
        return ok(path) ? n : fallback;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }

    // ---- relations between values

    private void checkClasses(Experiment e) {
        List<Integer> pretrainClasses = e.pretrain().classes();
        List<Integer> finetuneClasses = e.finetune().classes();
        if (e.finetune().method().finetunes() && ok("pretrain.classes") && ok("finetune.classes")) {
            Set<Integer> overlap = new TreeSet<>(finetuneClasses);
            overlap.retainAll(pretrainClasses);
            if (!overlap.isEmpty()) {
                String path = "finetune.classes";
                problems.add(new Problem(at.has(path) ? at.value(path) : at.value("pretrain.classes"), path,
                        (given.contains(path) ? "" : "(the default " + finetuneClasses + ") ")
                                + "overlaps pretrain.classes in " + overlap + "; fine-tuning must teach classes the"
                                + " base has not seen (finetune.replay mixes old classes back in), or set"
                                + " finetune.method: none"));
                bad.add(path);
            }
        }
        List<Integer> replayClasses = e.finetune().replayClasses();
        if (ok("pretrain.classes") && ok("finetune.replay-classes")) {
            for (int i = 0; i < replayClasses.size(); i++) {
                if (!pretrainClasses.contains(replayClasses.get(i))) {
                    problem("finetune.replay-classes[" + i + "]", "class " + replayClasses.get(i)
                            + " is not one of pretrain.classes " + pretrainClasses
                            + "; replay-classes must be old classes (empty = all of them)");
                }
            }
        }
    }

    /** EWC penalises an adapter's change, so it needs one. */
    private void checkRetention(Experiment e) {
        FinetuneConfig f = e.finetune();
        if (f.retention().ewc() > 0 && f.method() != FinetuneMethod.LORA && ok("finetune.retention.ewc")) {
            problem("finetune.retention.ewc", "penalises what an adapter changes, so it needs finetune.method: lora, got "
                    + f.method());
        }
    }

    /**
     * Targets must be layers of the model; the rank must be at most max(in, out) of every targeted layer.
     *
     * <p>Why max and not min: the original project trains r = 16 on fc4 (128 → 10), as PEFT allows (its
     * 41,367 trainable parameters are 16·(784+512 + 512+256 + 256+128 + 128+10) = 41,376, give or take). A rank
     * above min(in, out) adds parameters but no expressiveness there; a rank above both is surely a typo.
     * {@code LoraSpec.validateAgainst} in the API demands r ≤ min(in, out), which rejects that very default.
     */
    private void checkLoraAgainstModel(Experiment e) {
        ModelConfig model = e.model();
        LoraConfig lora = e.finetune().lora();
        boolean targetsGiven = given.contains("finetune.lora.targets");
        if (!ok("model.hidden") || !ok("finetune.lora.targets")) return;
        NetworkSpec network = model.toNetworkSpec();
        List<String> layers = network.layerNames();
        boolean targetsOk = true;
        for (int i = 0; i < lora.targets().size(); i++) {
            String target = lora.targets().get(i);
            if (!layers.contains(target)) {
                targetsOk = false;
                String near = target.matches("fc\\d+") ? null : Typos.nearest(target, layers);
                problem(targetsGiven ? "finetune.lora.targets[" + i + "]" : "finetune.lora.targets",
                        "'" + target + "' is not a layer of the model; its layers are " + String.join(", ", layers)
                                + (near != null ? " (did you mean '" + near + "'?)" : ""));
            }
        }
        if (!targetsOk || !ok("finetune.lora.rank")) return;
        NetworkSpec.LayerShape tightest = null;
        for (NetworkSpec.LayerShape shape : network.layerShapes()) {
            if (lora.targets().contains(shape.name())
                    && (tightest == null
                    || Math.max(shape.inputs(), shape.outputs()) < Math.max(tightest.inputs(), tightest.outputs()))) {
                tightest = shape;
            }
        }
        if (tightest != null) {
            int max = Math.max(tightest.inputs(), tightest.outputs());
            if (lora.rank() > max) {
                problem("finetune.lora.rank", "must be at most " + max + " for the targeted layer " + tightest.name()
                        + " (" + tightest.inputs() + " inputs, " + tightest.outputs() + " outputs; an update there has"
                        + " rank at most " + Math.min(tightest.inputs(), tightest.outputs()) + "), got " + lora.rank());
            }
        }
    }

    // ---- the sweep block's shape

    private SweepConfig sweep(ObjectNode top) {
        JsonNode s = top.get("sweep");
        if (s == null) return SweepConfig.empty();
        if (s.isNull() || (s.isObject() && s.isEmpty())) {
            problem("sweep", EMPTY_SWEEP);
            return SweepConfig.empty();
        }
        if (!s.isObject()) {
            problem("sweep", "must be a mapping of dotted keys to lists of values, e.g. "
                    + "'finetune.lora.rank: [4, 8, 16]', got " + describe(s));
            return SweepConfig.empty();
        }
        Map<String, List<Object>> axesMap = new LinkedHashMap<>();
        s.properties().forEach(entry -> {
            String key = entry.getKey();
            JsonNode values = entry.getValue();
            String path = "sweep." + key;
            if (key.equals("name") || key.equals("sweep")) {
                keyProblem(path, "the " + key + " cannot be swept; each trial is named <name>/<key>=<value>");
            } else if (Schema.isSection(key)) {
                keyProblem(path, "is a section; sweep one of its keys by its dotted path, e.g. '" + key + "."
                        + Schema.SECTIONS.get(key).get(0) + ": [...]'");
            } else if (!Schema.isLeaf(key)) {
                keyProblem(path, Schema.unknownPath(key, Schema.leaves())
                        + "; sweep keys are dotted paths of settings, such as finetune.lora.rank");
            } else if (!values.isArray() || values.isEmpty()) {
                problem(path, "must be a non-empty list of the values to try, e.g. '" + key + ": ["
                        + (Schema.LIST_LEAVES.contains(key) ? "[…], […]" : "…, …") + "]', got " + describe(values));
            } else {
                List<JsonNode> list = new ArrayList<>();
                List<Object> java = new ArrayList<>();
                boolean allPlain = true;
                for (int i = 0; i < values.size(); i++) {
                    JsonNode v = values.get(i);
                    if (list.contains(v)) {
                                problem(path + "[" + i + "]", "repeats the value " + v + "; each trial must differ");
                        continue;
                    }
                    list.add(v);
                    Object o = toJava(v);
                    if (o == null) allPlain = false;
                    else java.add(o);
                }
                axes.add(new SweepAxis(key, List.copyOf(list)));
                if (allPlain) axesMap.put(key, java);
            }
        });
        return new SweepConfig(axesMap);
    }

    /** A JSON value as plain Java (Integer, Long, Double, String, Boolean, List, Map); null for a null inside. */
    static @Nullable Object toJava(JsonNode n) {
        if (n.isIntegralNumber()) {
            return n.canConvertToInt() ? (Object) n.intValue() : n.canConvertToLong() ? (Object) n.longValue()
                    : n.bigIntegerValue();
        }
        if (n.isNumber()) return n.doubleValue();
        if (n.isTextual()) return n.textValue();
        if (n.isBoolean()) return n.booleanValue();
        if (n.isArray()) {
            List<Object> out = new ArrayList<>();
            for (JsonNode e : n) {
                Object o = toJava(e);
                if (o == null) return null;
                out.add(o);
            }
            return List.copyOf(out);
        }
        if (n.isObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                Object o = toJava(e.getValue());
                if (o == null) return null;
                out.put(e.getKey(), o);
            }
            return java.util.Collections.unmodifiableMap(out);
        }
        return null;
    }

    static List<String> layerNames(List<Integer> hidden) {
        return IntStream.rangeClosed(1, hidden.size() + 1).mapToObj(i -> "fc" + i).collect(Collectors.toList());
    }

    // ---- helpers

    private void problem(String path, String message) {
        problems.add(new Problem(at.value(path), path, message));
        bad.add(path);
    }

    private void keyProblem(String path, String message) {
        problems.add(new Problem(at.key(path), path, message));
        bad.add(path);
    }

    /** No problem was found at {@code path} or below it. */
    private boolean ok(String path) {
        for (String b : bad) {
            if (Locations.isWithin(b, path)) return false;
        }
        return true;
    }

    private static String last(String path) {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    private static ObjectNode empty() {
        return NODES.objectNode();
    }

    /** A value as the user would recognise it, with its kind when that is the surprise. */
    static String describe(@Nullable JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return "nothing (an empty value)";
        if (n.isTextual()) return "the text '" + abbreviate(n.textValue()) + "'";
        if (n.isNumber() || n.isBoolean()) return n.asText().toLowerCase(Locale.ROOT);
        if (n.isArray()) return "the list " + abbreviate(n.toString().replace(",", ", ").replace("\"", ""));
        return "a mapping " + abbreviate(n.toString().replace(",", ", ").replace(":", ": ").replace("\"", ""));
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
