package dev.toylora.runner.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.api.NetworkSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * Turns a tree (file, overrides applied) into an {@link Experiment}: fills defaults, checks every value and the
 * relations between them, and collects every problem instead of stopping at the first. Where a value is wrong
 * its default stands in, so that the checks after it still run; checks that depend on a wrong value are skipped.
 */
final class TreeReader {

    /** An experiment's own name, or a trial's: {@code <name>/<label>}. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}(/[a-z0-9._=,+-]{1,100})?");
    private static final Pattern BACKEND = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    static final List<Integer> DEFAULT_HIDDEN = List.of(512, 256, 128);
    static final List<Integer> DEFAULT_PRETRAIN_CLASSES = List.of(0, 1, 2, 3, 4, 5, 6, 7);
    static final List<Integer> DEFAULT_FINETUNE_CLASSES = List.of(8, 9);

    static final String EMPTY_SWEEP = "empty sweep; give at least one dotted key and the values to try, "
            + "e.g. 'finetune.lora.rank: [4, 8, 16]', or delete the sweep block";

    /** One axis of a sweep as written: a leaf's dotted key and its values. */
    record SweepAxis(String key, List<JsonNode> values) {}

    private final Locations at;
    private final boolean withSweep;
    private final List<Problem> problems = new ArrayList<>();
    private final Set<String> bad = new HashSet<>();
    private final List<SweepAxis> axes = new ArrayList<>();

    /**
     * @param withSweep read and check the {@code sweep:} block's shape; false for the trees of single trials
     */
    TreeReader(Locations at, boolean withSweep) {
        this.at = at;
        this.withSweep = withSweep;
    }

    List<Problem> problems() {
        return problems;
    }

    List<SweepAxis> axes() {
        return axes;
    }

    Experiment read(JsonNode root, String defaultName) {
        ObjectNode top;
        if (root instanceof ObjectNode o) {
            top = o;
            checkKeys(top, "");
        } else {
            problem("", "an experiment file must be a mapping of keys (name:, model:, pretrain:, …), got "
                    + describe(root));
            top = empty();
        }

        String name = text(top, "name", defaultName, NAME,
                "lower-case letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. lora-r16)");
        String backend = text(top, "backend", "ojalgo", BACKEND, "an engine name such as ojalgo");
        long seed = seed(top);

        ObjectNode d = section(top, "data");
        String dataset = choice(d, "data.dataset", "mnist", DataConfig.DATASETS);
        String dir = text(d, "data.dir", DataConfig.defaultDir(dataset), null,
                "a directory path (relative paths resolve against the working directory)");
        int validation = integer(d, "data.validation", 0, 0, DataConfig.MAX_VALIDATION);
        DataConfig data = new DataConfig(dataset, dir, validation);

        ObjectNode m = section(top, "model");
        List<Integer> hidden = hidden(m);
        double modelDropout = number(m, "model.dropout", 0.2, 0, true, 1, false);
        ModelConfig model = new ModelConfig(hidden, modelDropout);

        ObjectNode p = section(top, "pretrain");
        List<Integer> pretrainClasses = classes(p, "pretrain.classes", DEFAULT_PRETRAIN_CLASSES, false);
        int pEpochs = integer(p, "pretrain.epochs", 10, 0, 1000);
        int pBatch = integer(p, "pretrain.batch-size", 64, 1, 65536);
        double pLr = number(p, "pretrain.learning-rate", 0.001, 0, false, 10, true);
        double pWd = number(p, "pretrain.weight-decay", 0.0, 0, true, 1, true);
        String pSchedule = choice(p, "pretrain.schedule", "constant", TrainingConfig.SCHEDULES);
        int pWarmup = warmup(p, "pretrain", pEpochs);
        StageConfig pretrain = new StageConfig(pretrainClasses, pEpochs, pBatch, pLr, pWd, pSchedule, pWarmup);

        ObjectNode f = section(top, "finetune");
        String method = choice(f, "finetune.method", FinetuneConfig.LORA, FinetuneConfig.METHODS);
        List<Integer> finetuneClasses = classes(f, "finetune.classes", DEFAULT_FINETUNE_CLASSES, false);
        double replay = number(f, "finetune.replay", 0.0, 0, true, 100, true);
        List<Integer> replayClasses = classes(f, "finetune.replay-classes", List.of(), true);
        int fEpochs = integer(f, "finetune.epochs", 5, 0, 1000);
        int fBatch = integer(f, "finetune.batch-size", 64, 1, 65536);
        double fLr = number(f, "finetune.learning-rate", 0.001, 0, false, 10, true);
        double fWd = number(f, "finetune.weight-decay", 0.0, 0, true, 1, true);
        String fSchedule = choice(f, "finetune.schedule", "constant", TrainingConfig.SCHEDULES);
        int fWarmup = warmup(f, "finetune", fEpochs);

        ObjectNode l = section(f, "finetune.lora");
        int rank = integer(l, "finetune.lora.rank", 16, 1, Integer.MAX_VALUE);
        double alpha = number(l, "finetune.lora.alpha", 32, 0, false, Double.POSITIVE_INFINITY, false);
        List<String> allLayers = layerNames(ok("model.hidden") ? hidden : DEFAULT_HIDDEN);
        List<String> targets = targets(l, allLayers);
        boolean bias = bool(l, "finetune.lora.bias", false);
        double loraDropout = number(l, "finetune.lora.dropout", 0.0, 0, true, 1, false);
        boolean rslora = bool(l, "finetune.lora.rslora", false);
        LoraConfig lora = new LoraConfig(rank, alpha, targets, bias, loraDropout, rslora);
        FinetuneConfig finetune = new FinetuneConfig(method, finetuneClasses, replay, replayClasses, fEpochs, fBatch,
                fLr, fWd, fSchedule, fWarmup, lora);

        checkClasses(f, method, pretrainClasses, finetuneClasses, replayClasses);
        if (method.equals(FinetuneConfig.LORA)) checkLoraAgainstModel(model, lora, l.has("targets"));

        SweepConfig sweep = withSweep ? sweep(top) : SweepConfig.empty();
        return new Experiment(name, backend, seed, data, model, pretrain, finetune, sweep);
    }

    // ---- relations between values

    private void checkClasses(ObjectNode f, String method, List<Integer> pretrainClasses,
                              List<Integer> finetuneClasses, List<Integer> replayClasses) {
        if (!method.equals(FinetuneConfig.NONE) && ok("pretrain.classes") && ok("finetune.classes")) {
            Set<Integer> overlap = new TreeSet<>(finetuneClasses);
            overlap.retainAll(pretrainClasses);
            if (!overlap.isEmpty()) {
                String path = "finetune.classes";
                problems.add(new Problem(at.has(path) ? at.value(path) : at.value("pretrain.classes"), path,
                        (f.has("classes") ? "" : "(the default " + finetuneClasses + ") ")
                                + "overlaps pretrain.classes in " + overlap + "; fine-tuning must teach classes the"
                                + " base has not seen (finetune.replay mixes old classes back in), or set"
                                + " finetune.method: none"));
                bad.add(path);
            }
        }
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

    /**
     * Targets must be layers of the model; the rank must be at most max(in, out) of every targeted layer.
     *
     * <p>Why max and not min: the original project trains r = 16 on fc4 (128 → 10), as PEFT allows (its
     * 41,367 trainable parameters are 16·(784+512 + 512+256 + 256+128 + 128+10) = 41,376, give or take). A rank
     * above min(in, out) adds parameters but no expressiveness there; a rank above both is surely a typo.
     * {@code LoraSpec.validateAgainst} in the API demands r ≤ min(in, out), which rejects that very default.
     */
    private void checkLoraAgainstModel(ModelConfig model, LoraConfig lora, boolean targetsGiven) {
        if (!ok("model.hidden") || !ok("finetune.lora.targets")) return;
        NetworkSpec network = model.toNetworkSpec();
        List<String> layers = network.layerNames();
        boolean targetsOk = true;
        for (int i = 0; i < lora.targets().size(); i++) {
            String target = lora.targets().get(i);
            if (!layers.contains(target)) {
                targetsOk = false;
                String near = target.matches("fc\\d+") ? null : Schema.nearest(target, layers);
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

    // ---- single values

    private ObjectNode section(ObjectNode parent, String path) {
        JsonNode n = parent.get(last(path));
        if (n == null) return empty();
        if (!(n instanceof ObjectNode o)) {
            problem(path, "must be a mapping with the keys " + String.join(", ", Schema.SECTIONS.get(path))
                    + ", got " + describe(n));
            return empty();
        }
        checkKeys(o, path);
        return o;
    }

    private void checkKeys(ObjectNode node, String section) {
        List<String> valid = Schema.SECTIONS.get(section);
        node.fieldNames().forEachRemaining(k -> {
            if (!valid.contains(k)) keyProblem(Schema.join(section, k), Schema.unknownKey(section, k));
        });
    }

    private int integer(ObjectNode sec, String path, int def, int min, int max) {
        JsonNode n = sec.get(last(path));
        if (n == null) return def;
        if (n.isIntegralNumber() && n.canConvertToInt() && n.intValue() >= min && n.intValue() <= max) {
            return n.intValue();
        }
        problem(path, "must be " + intRange(min, max) + ", got " + describe(n));
        return def;
    }

    private static String intRange(int min, int max) {
        return max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer between " + min + " and " + max;
    }

    private long seed(ObjectNode top) {
        JsonNode n = top.get("seed");
        if (n == null) return 42;
        if (n.isIntegralNumber() && n.canConvertToLong()) return n.longValue();
        problem("seed", "must be an integer (64-bit), got " + describe(n));
        return 42;
    }

    private int warmup(ObjectNode sec, String stage, int epochs) {
        String path = stage + ".warmup-epochs";
        int w = integer(sec, path, 0, 0, 1000);
        if (ok(path) && ok(stage + ".epochs") && w > epochs) {
            problem(path, "must be at most " + stage + ".epochs (" + epochs + "), got " + w);
            return 0;
        }
        return w;
    }

    private double number(ObjectNode sec, String path, double def, double lo, boolean loIncl, double hi,
                          boolean hiIncl) {
        JsonNode n = sec.get(last(path));
        if (n == null) return def;
        if (n.isNumber()) {
            double v = n.doubleValue();
            if (Double.isFinite(v) && (loIncl ? v >= lo : v > lo) && (hiIncl ? v <= hi : v < hi)) return v;
        }
        String range = hi == Double.POSITIVE_INFINITY
                ? (loIncl ? ">= " : "> ") + fmt(lo)
                : "in " + (loIncl ? "[" : "(") + fmt(lo) + ", " + fmt(hi) + (hiIncl ? "]" : ")");
        problem(path, "must be a number " + range + ", got " + describe(n));
        return def;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private boolean bool(ObjectNode sec, String path, boolean def) {
        JsonNode n = sec.get(last(path));
        if (n == null) return def;
        if (n.isBoolean()) return n.booleanValue();
        problem(path, "must be true or false, got " + describe(n));
        return def;
    }

    private String text(ObjectNode sec, String path, String def, @Nullable Pattern pattern, String expected) {
        JsonNode n = sec.get(last(path));
        if (n == null) return def;
        if (n.isTextual() && !n.textValue().isBlank() && (pattern == null || pattern.matcher(n.textValue()).matches())) {
            return n.textValue();
        }
        problem(path, "must be " + expected + ", got " + describe(n));
        return def;
    }

    private String choice(ObjectNode sec, String path, String def, List<String> options) {
        JsonNode n = sec.get(last(path));
        if (n == null) return def;
        if (n.isTextual() && options.contains(n.textValue())) return n.textValue();
        String near = n.isTextual() ? Schema.nearest(n.textValue(), options) : null;
        problem(path, "must be one of " + String.join(", ", options) + ", got " + describe(n)
                + (near != null ? " (did you mean '" + near + "'?)" : ""));
        return def;
    }

    private List<Integer> classes(ObjectNode sec, String path, List<Integer> def, boolean mayBeEmpty) {
        JsonNode n = sec.get(last(path));
        if (n == null) return def;
        if (!n.isArray()) {
            problem(path, "must be a list of classes 0..9, e.g. [8, 9], got " + describe(n));
            return def;
        }
        if (n.isEmpty() && !mayBeEmpty) {
            problem(path, "must list at least one class (0..9), got []");
            return def;
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            String p = path + "[" + i + "]";
            if (!(e.isIntegralNumber() && e.canConvertToInt() && e.intValue() >= 0 && e.intValue() < ModelConfig.OUTPUTS)) {
                problem(p, "must be a class between 0 and " + (ModelConfig.OUTPUTS - 1) + ", got " + describe(e));
                bad.add(path);
            } else if (out.contains(e.intValue())) {
                problem(p, "repeats class " + e.intValue() + "; list each class once");
                bad.add(path);
            } else {
                out.add(e.intValue());
            }
        }
        return ok(path) ? out : def;
    }

    private List<Integer> hidden(ObjectNode m) {
        String path = "model.hidden";
        JsonNode n = m.get("hidden");
        if (n == null) return DEFAULT_HIDDEN;
        if (!n.isArray() || n.isEmpty() || n.size() > ModelConfig.MAX_LAYERS) {
            problem(path, "must be a list of 1 to " + ModelConfig.MAX_LAYERS + " hidden-layer widths, e.g. [512, 256, 128],"
                    + " got " + describe(n));
            return DEFAULT_HIDDEN;
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            if (e.isIntegralNumber() && e.canConvertToInt() && e.intValue() >= 1 && e.intValue() <= ModelConfig.MAX_WIDTH) {
                out.add(e.intValue());
            } else {
                problem(path + "[" + i + "]", "must be " + intRange(1, ModelConfig.MAX_WIDTH) + ", got " + describe(e));
                bad.add(path);
            }
        }
        return ok(path) ? out : DEFAULT_HIDDEN;
    }

    private List<String> targets(ObjectNode l, List<String> allLayers) {
        String path = "finetune.lora.targets";
        JsonNode n = l.get("targets");
        if (n == null) return allLayers;
        if (!n.isArray() || n.isEmpty()) {
            problem(path, "must be a non-empty list of layer names, e.g. [" + String.join(", ", allLayers) + "], got "
                    + describe(n));
            return allLayers;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            String p = path + "[" + i + "]";
            if (!e.isTextual()) {
                problem(p, "must be a layer name such as fc1, got " + describe(e));
                bad.add(path);
            } else if (out.contains(e.textValue())) {
                problem(p, "repeats " + e.textValue() + "; name each layer once");
                bad.add(path);
            } else {
                out.add(e.textValue());
            }
        }
        return ok(path) ? out : allLayers;
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
        return JsonNodeFactory.instance.objectNode();
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
