package dev.toylora.runner.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The keys an experiment file may hold, and "did you mean …?" for the ones it may not. */
final class Schema {

    /** Section path ("" = top level) → its keys, in the documented order. */
    static final Map<String, List<String>> SECTIONS = sections();

    /** Leaves whose value is text: an override such as {@code name=yes} keeps the text as written. */
    static final Set<String> TEXT_LEAVES = Set.of(
            "name", "backend", "data.dataset", "data.dir", "pretrain.schedule", "finetune.method", "finetune.schedule");

    /** Leaves whose value is a list. */
    static final Set<String> LIST_LEAVES = Set.of(
            "model.hidden", "pretrain.classes", "finetune.classes", "finetune.replay-classes", "finetune.lora.targets");

    private Schema() {}

    private static Map<String, List<String>> sections() {
        Map<String, List<String>> s = new LinkedHashMap<>();
        s.put("", List.of("name", "backend", "seed", "data", "model", "pretrain", "finetune", "sweep"));
        s.put("data", List.of("dataset", "dir", "validation"));
        s.put("model", List.of("hidden", "dropout"));
        s.put("pretrain", List.of("classes", "epochs", "batch-size", "learning-rate", "weight-decay", "schedule",
                "warmup-epochs"));
        s.put("finetune", List.of("method", "classes", "replay", "replay-classes", "epochs", "batch-size",
                "learning-rate", "weight-decay", "schedule", "warmup-epochs", "lora"));
        s.put("finetune.lora", List.of("rank", "alpha", "targets", "bias", "dropout", "rslora"));
        return s;
    }

    static String join(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static boolean isSection(String path) {
        return SECTIONS.containsKey(path) && !path.isEmpty();
    }

    /** A settable key other than a section and other than {@code sweep}. */
    static boolean isLeaf(String path) {
        int dot = path.lastIndexOf('.');
        String parent = dot < 0 ? "" : path.substring(0, dot);
        String key = path.substring(dot + 1);
        List<String> keys = SECTIONS.get(parent);
        return keys != null && keys.contains(key) && !isSection(path) && !path.equals("sweep");
    }

    /** Every leaf, as a dotted path, in documented order. */
    static List<String> leaves() {
        List<String> out = new ArrayList<>();
        SECTIONS.forEach((section, keys) -> {
            for (String k : keys) {
                String p = join(section, k);
                if (isLeaf(p)) out.add(p);
            }
        });
        return out;
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
        String near = nearest(key, valid);
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
        String near = nearest(path, candidates);
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
            if (normalise(last).equals(normalise(key))) matches.add(path);
        }
        if (matches.isEmpty()) {
            for (String path : allPaths()) {
                String last = path.substring(path.lastIndexOf('.') + 1);
                if (key.length() >= 4 && distance(normalise(last), normalise(key)) <= 1) matches.add(path);
            }
        }
        return matches.isEmpty() ? null : String.join("' or '", matches);
    }

    /** The candidate nearest to {@code word}, if near enough to be a typo. */
    static @Nullable String nearest(String word, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String w = normalise(word);
        for (String c : candidates) {
            int d = distance(w, normalise(c));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        int limit = w.length() <= 3 ? 1 : w.length() <= 12 ? 2 : 3;
        return bestDistance <= limit ? best : null;
    }

    private static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Optimal-string-alignment distance: Levenshtein plus adjacent transpositions. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
