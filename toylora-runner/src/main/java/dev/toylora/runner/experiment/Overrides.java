package dev.toylora.runner.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Hydra-style command-line overrides, {@code key=value}: a dotted key of the file ({@code finetune.lora.rank=8}),
 * the value read as YAML ({@code 7}, {@code 2.0}, {@code [fc4]}, {@code cosine}). {@code sweep.<key>=[…]} sets
 * one axis of the sweep; {@code sweep=null} drops the sweep. Applied to the tree before anything is checked.
 */
final class Overrides {

    private Overrides() {}

    static void apply(ObjectNode tree, Locations locations, List<String> overrides, List<Problem> problems) {
        for (String override : overrides) {
            String where = "override '" + override + "'";
            int eq = override.indexOf('=');
            if (eq < 0) {
                problems.add(new Problem(where, "", "expected key=value, e.g. finetune.lora.rank=8"));
                continue;
            }
            String key = override.substring(0, eq).trim();
            String raw = override.substring(eq + 1).trim();
            if (key.isEmpty()) {
                problems.add(new Problem(where, "", "no key before '='; expected key=value, e.g. finetune.lora.rank=8"));
                continue;
            }
            if (key.startsWith("+") || key.startsWith("~")) {
                problems.add(new Problem(where, key, "the forms +key and ~key are not supported: every key exists"
                        + " already (with its default); write key=value"));
                continue;
            }
            if (key.equals("sweep")) {
                JsonNode v = value(raw, where, key, problems);
                if (v != null && v.isNull()) {
                    tree.remove("sweep");
                    locations.replace("sweep", where);
                } else if (v != null) {
                    problems.add(new Problem(where, key, "to drop the sweep write sweep=null; to set one of its axes"
                            + " write sweep.<key>=[values], e.g. sweep.finetune.lora.rank=[4,8,16]"));
                }
                continue;
            }
            if (key.startsWith("sweep.")) {
                String axis = key.substring("sweep.".length());
                if (axis.equals("name")) {
                    problems.add(new Problem(where, key, "the name cannot be swept; each trial is named <name>/<key>=<value>"));
                    continue;
                }
                if (!Schema.isLeaf(axis)) {
                    problems.add(new Problem(where, key, Schema.unknownPath(axis, Schema.leaves())
                            .replace("did you mean '", "did you mean 'sweep.")
                            + "; write sweep.<dotted key>=[values], e.g. sweep.finetune.lora.rank=[4,8,16]"));
                    continue;
                }
                JsonNode v = value(raw, where, key, problems);
                if (v == null) continue;
                JsonNode sweep = tree.get("sweep");
                ObjectNode s = sweep instanceof ObjectNode o ? o : tree.putObject("sweep");
                s.set(axis, v);
                locations.replace("sweep." + axis, where);
                continue;
            }
            if (Schema.isSection(key)) {
                problems.add(new Problem(where, key, "is a section, not a value; override its keys one at a time, e.g. "
                        + key + "." + Schema.SECTIONS.get(key).get(0) + "=…"));
                continue;
            }
            if (!Schema.isLeaf(key)) {
                problems.add(new Problem(where, key, Schema.unknownPath(key, Schema.allPaths())));
                continue;
            }
            JsonNode v = value(raw, where, key, problems);
            if (v == null) continue;
            if (Schema.TEXT_LEAVES.contains(key) && v.isValueNode() && !v.isTextual() && !v.isNull()) {
                v = JsonNodeFactory.instance.textNode(raw); // name=yes, backend=1: the text as written
            }
            set(tree, key, v);
            locations.replace(key, where);
        }
    }

    /** {@code raw} read as one YAML value; null (with a problem) when it cannot be. */
    private static @Nullable JsonNode value(String raw, String where, String key, List<Problem> problems) {
        if (raw.isEmpty()) {
            problems.add(new Problem(where, key, "no value after '='"));
            return null;
        }
        try {
            JsonNode v = YamlReader.read(raw, (line, column) -> where, null, key, problems);
            return v == null ? NullNode.getInstance() : v;
        } catch (YamlReader.Fatal f) {
            problems.add(f.problem);
            return null;
        }
    }

    /** Sets the dotted path, making (or replacing) the mappings on the way. */
    static void set(ObjectNode tree, String dotted, JsonNode value) {
        String[] parts = dotted.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            node = child instanceof ObjectNode o ? o : node.putObject(parts[i]);
        }
        node.set(parts[parts.length - 1], value);
    }
}
