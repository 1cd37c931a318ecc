package dev.toylora.runner.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toylora.runner.io.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Expands a sweep into trials: the cross product of its axes in the file's order, the last axis varying
 * fastest (like nested loops written in that order).
 *
 * <p>Trials are named {@code <name>/<key>=<value>[,<key>=<value>…]} using each key's last segment
 * ({@code lora-r16/rank=16}, {@code lora-r16/rank=4,alpha=8}); the full dotted key where two axes share a last
 * segment ({@code finetune.epochs=5,pretrain.epochs=10}); lists joined by '+' ({@code hidden=256+128}). Should
 * labels be too long (over {@value #MAX_LABEL} characters) or not unique, every trial is named
 * {@code <name>/trial-007} instead.
 */
public final class SweepGrid {

    /** The most trials one sweep may have. */
    public static final int MAX_TRIALS = 10_000;
    static final int MAX_LABEL = 64;
    private static final int MAX_REPORTED_COMBINATIONS = 5;

    private SweepGrid() {}

    /**
     * The trials of {@code experiment}'s sweep; without a sweep, the experiment itself as the only trial (index 0,
     * no values, same name). Every trial's experiment keeps the base seed; {@link Trial#seed()} is derived.
     *
     * @throws ExperimentException if a combination of values is invalid (the parser checks this up front, so
     *                             only for experiments built by hand) or there are more than {@value #MAX_TRIALS}
     */
    public static List<Trial> trials(Experiment experiment) {
        SweepConfig sweep = experiment.sweep();
        if (sweep.isEmpty()) {
            return List.of(new Trial(0, Map.of(), experiment, trialSeed(experiment.seed(), 0)));
        }
        long count = count(sweep.axes().values().stream().map(List::size).toList());
        if (count > MAX_TRIALS) {
            throw new ExperimentException(new Problem(experiment.name(), "sweep", tooMany(count)));
        }
        List<String> keys = List.copyOf(sweep.axes().keySet());
        List<Map<String, Object>> combinations = product(sweep.axes());
        List<String> labels = labels(keys, combinations);
        ObjectNode base = ExperimentParser.toJsonNode(experiment.withoutSweep());
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < combinations.size(); i++) {
            Map<String, JsonNode> values = new LinkedHashMap<>();
            combinations.get(i).forEach((k, v) -> values.put(k, Json.MAPPER.valueToTree(v)));
            // the base names its engine, so no trial looks one up
            TreeReader reader = new TreeReader(new Locations(experiment.name() + " trial " + i + " (" + labels.get(i) + ")"),
                    false, () -> experiment.backend());
            Experiment e = reader.read(apply(base, values), experiment.name());
            if (!reader.problems().isEmpty()) throw new ExperimentException(reader.problems());
            trials.add(new Trial(i, combinations.get(i), e.withName(experiment.name() + "/" + labels.get(i)),
                    trialSeed(experiment.seed(), i)));
        }
        return List.copyOf(trials);
    }

    /**
     * Checks the sweep against the base: every combination of values is read and checked as a trial would be
     * (problems the base has anyway are not repeated). A problem that every trial with a given value has is
     * that value's, reported at it as {@code sweep.<key>[i]}; any other makes its trial invalid, reported at the
     * sweep block naming the trial.
     */
    static List<Problem> check(ObjectNode tree, Locations at, List<TreeReader.SweepAxis> axes,
                               List<Problem> baseProblems, String defaultName, Supplier<String> defaultBackend) {
        List<Problem> out = new ArrayList<>();
        long count = count(axes.stream().map(a -> a.values().size()).toList());
        if (count > MAX_TRIALS) {
            out.add(new Problem(at.value("sweep"), "sweep", tooMany(count)));
            return out;
        }
        ObjectNode base = tree.deepCopy();
        base.remove("sweep");
        Set<String> known = baseProblems.stream().map(SweepGrid::id).collect(Collectors.toSet());

        Map<String, List<JsonNode>> grid = new LinkedHashMap<>();
        axes.forEach(a -> grid.put(a.key(), a.values()));
        List<Map<String, JsonNode>> combinations = product(grid);
        List<List<Problem>> found = new ArrayList<>();
        // (axis, value index) -> the problems every trial with that value has
        Map<String, Map<String, Problem>> always = new LinkedHashMap<>();
        for (Map<String, JsonNode> combination : combinations) {
            TreeReader reader = new TreeReader(at, false, defaultBackend);
            reader.read(apply(base, combination), defaultName);
            List<Problem> problems = reader.problems().stream().filter(p -> !known.contains(id(p))).toList();
            found.add(problems);
            for (TreeReader.SweepAxis axis : axes) {
                String cell = axis.key() + "[" + axis.values().indexOf(combination.get(axis.key())) + "]";
                Map<String, Problem> mine = new LinkedHashMap<>();
                problems.forEach(p -> mine.put(id(p), p));
                always.merge(cell, mine, (a, b) -> {
                    a.keySet().retainAll(b.keySet());
                    return a;
                });
            }
        }
        // a problem within an axis's own key is that axis's; any other goes to the first axis that always has it
        Set<String> attributed = new HashSet<>();
        for (boolean ownPass : new boolean[] {true, false}) {
            for (TreeReader.SweepAxis axis : axes) {
                Set<String> here = new HashSet<>();
                for (int i = 0; i < axis.values().size(); i++) {
                    String path = "sweep." + axis.key() + "[" + i + "]";
                    JsonNode value = axis.values().get(i);
                    for (Problem p : always.get(axis.key() + "[" + i + "]").values()) {
                        boolean own = Locations.isWithin(p.key(), axis.key());
                        if (own != ownPass || (!own && attributed.contains(id(p)))) continue;
                        here.add(id(p));
                        String message = p.key().equals(axis.key()) ? p.message() : p.key() + ": " + p.message();
                        if (own && Schema.LIST_LEAVES.contains(axis.key()) && !value.isArray()) {
                            message += "; each value of a sweep replaces the whole list, so give a list of lists,"
                                    + " e.g. [[…], […]]";
                        }
                        out.add(new Problem(at.value(path), path, message));
                    }
                }
                attributed.addAll(here);
            }
        }
        Set<String> explained = new HashSet<>();
        always.values().forEach(m -> explained.addAll(m.keySet()));
        int failed = 0;
        for (int i = 0; i < combinations.size(); i++) {
            List<Problem> rest = found.get(i).stream().filter(p -> !explained.contains(id(p))).toList();
            if (rest.isEmpty()) continue;
            if (++failed > MAX_REPORTED_COMBINATIONS) continue;
            Map<String, Object> plain = new LinkedHashMap<>();
            combinations.get(i).forEach((k, v) -> {
                Object o = TreeReader.toJava(v);
                plain.put(k, o == null ? v.toString() : o);
            });
            Problem first = rest.get(0);
            out.add(new Problem(at.value("sweep"), "sweep", "trial " + i + " (" + label(plain) + ") is invalid: "
                    + first.key() + ": " + first.message()
                    + (rest.size() > 1 ? " (and " + (rest.size() - 1) + " more)" : "")));
        }
        if (failed > MAX_REPORTED_COMBINATIONS) {
            out.add(new Problem(at.value("sweep"), "sweep", "… and " + (failed - MAX_REPORTED_COMBINATIONS)
                    + " more invalid trials (" + failed + " of " + combinations.size() + ")"));
        }
        return out;
    }

    private static String id(Problem p) {
        return p.key() + "\n" + p.message();
    }

    /**
     * The fine-tuning seed of trial {@code index}: SplitMix64's mix of {@code baseSeed + (index + 1)·φ}.
     * Deterministic, and distinct for distinct indices of one base seed (the mix is a bijection).
     */
    public static long trialSeed(long baseSeed, int index) {
        long z = baseSeed + (index + 1L) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The cross product, last axis fastest. */
    static <T> List<Map<String, T>> product(Map<String, ? extends List<? extends T>> axes) {
        List<String> keys = List.copyOf(axes.keySet());
        List<Map<String, T>> out = new ArrayList<>();
        int[] at = new int[keys.size()];
        while (true) {
            Map<String, T> combination = new LinkedHashMap<>();
            for (int k = 0; k < keys.size(); k++) combination.put(keys.get(k), axes.get(keys.get(k)).get(at[k]));
            out.add(combination);
            int k = keys.size() - 1;
            while (k >= 0 && ++at[k] == axes.get(keys.get(k)).size()) {
                at[k] = 0;
                k--;
            }
            if (k < 0) return out;
        }
    }

    static long count(List<Integer> sizes) {
        long n = 1;
        for (int s : sizes) {
            n *= s;
            if (n > Integer.MAX_VALUE) return n;
        }
        return n;
    }

    static String tooMany(long count) {
        return "has " + (count > Integer.MAX_VALUE ? "more than " + Integer.MAX_VALUE : count)
                + " trials; a sweep may have at most " + MAX_TRIALS;
    }

    /**
     * A copy of {@code base} with {@code values} set. Defaults derived from another key follow it: when
     * {@code data.dataset} changes and {@code data.dir} is its default, the dir becomes the new default; when
     * {@code model.hidden} changes and the LoRA targets are all layers, they become all layers of the new model.
     */
    static ObjectNode apply(ObjectNode base, Map<String, JsonNode> values) {
        ObjectNode tree = base.deepCopy();
        if (values.containsKey("data.dataset") && !values.containsKey("data.dir")) {
            JsonNode dataset = tree.at("/data/dataset");
            JsonNode dir = tree.at("/data/dir");
            String was = dataset.isTextual() ? dataset.textValue() : "mnist";
            if (dir.isTextual() && dir.textValue().equals(DataConfig.defaultDir(was)) && tree.get("data") instanceof ObjectNode d) {
                d.remove("dir");
            }
        }
        if (values.containsKey("model.hidden") && !values.containsKey("finetune.lora.targets")) {
            JsonNode hidden = tree.at("/model/hidden");
            JsonNode targets = tree.at("/finetune/lora/targets");
            List<String> all = TreeReader.layerNames(ints(hidden.isArray() ? hidden : Schema.key("model.hidden").defaultValue()));
            if (targets.isArray() && texts(targets).equals(all) && tree.at("/finetune/lora") instanceof ObjectNode l) {
                l.remove("targets");
            }
        }
        values.forEach((key, value) -> Overrides.set(tree, key, value.deepCopy()));
        return tree;
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asInt()));
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }

    // ---- labels

    static List<String> labels(List<String> keys, List<? extends Map<String, ?>> combinations) {
        Map<String, String> shortKeys = shortKeys(keys);
        List<String> labels = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean readable = true;
        for (Map<String, ?> combination : combinations) {
            String label = combination.entrySet().stream()
                    .map(e -> shortKeys.get(e.getKey()) + "=" + render(e.getValue()))
                    .collect(Collectors.joining(","));
            label = sanitise(label);
            if (label.length() > MAX_LABEL || !seen.add(label)) readable = false;
            labels.add(label);
        }
        if (readable) return labels;
        int width = Math.max(3, String.valueOf(combinations.size() - 1).length());
        List<String> numbered = new ArrayList<>();
        for (int i = 0; i < combinations.size(); i++) numbered.add(String.format(Locale.ROOT, "trial-%0" + width + "d", i));
        return numbered;
    }

    /** A readable label for one trial, e.g. {@code rank=16,alpha=32}. */
    static String label(Map<String, ?> combination) {
        return labels(List.copyOf(combination.keySet()), List.of(combination)).get(0);
    }

    private static Map<String, String> shortKeys(List<String> keys) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : keys) {
            String last = k.substring(k.lastIndexOf('.') + 1);
            boolean shared = keys.stream().filter(o -> o.substring(o.lastIndexOf('.') + 1).equals(last)).count() > 1;
            out.put(k, shared ? k : last);
        }
        return out;
    }

    private static String render(Object value) {
        if (value instanceof Double d) {
            String plain = BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
            return plain.length() <= 10 ? plain : BigDecimal.valueOf(d).stripTrailingZeros().toString();
        }
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "none" : list.stream().map(SweepGrid::render).collect(Collectors.joining("+"));
        }
        return String.valueOf(value);
    }

    private static String sanitise(String label) {
        return label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._=,+-]", "-");
    }
}
